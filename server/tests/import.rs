//! Catalogue import into a real database, and creating a show for it.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::{call, seeded};
use vetrina_server::show::catalogue::{create_show, ShowToCreate};
use vetrina_server::show::import;

#[tokio::test]
async fn an_imported_feed_becomes_the_shows_catalogue() {
    let s = seeded().await;
    let token = create_show(
        &s.state.db,
        ShowToCreate {
            id: "spring",
            title: "Spring drop",
            currency: "EUR",
            locale: "it",
            stream_url: "",
            token_days: 30,
        },
    )
    .await
    .unwrap();
    assert_eq!(token.len(), 32);
    let again = ShowToCreate { id: "spring", title: "x", currency: "EUR", locale: "it", stream_url: "", token_days: 1 };
    assert!(create_show(&s.state.db, again).await.is_err(), "ids are unique");
    let bad =
        ShowToCreate { id: "no spaces", title: "x", currency: "EUR", locale: "it", stream_url: "", token_days: 1 };
    assert!(create_show(&s.state.db, bad).await.is_err());

    let feed = "id\ttitle\tprice\tsale_price\titem_group_id\tsize\tquantity\n\
                A1\tRunner\t89.00 EUR\t69.00 EUR\tRUN\t40\t3\n\
                A2\tRunner\t89.00 EUR\t69.00 EUR\tRUN\t42\t0\n\
                B1\tSocks\t9.00 EUR\t\t\t\t12\n";
    let parsed = import::parse_gmc(feed, "EUR", 10).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    import::insert(&s.state.db, "spring", &parsed.products, None).await.unwrap();

    let snap: vetrina_wire::ShowSnapshot =
        serde_json::from_str(&call(&s.router, "GET", "/api/shows/spring", &[], None).await.body).unwrap();
    assert_eq!(snap.show.status, vetrina_wire::ShowStatus::Scheduled);
    let titles: Vec<&str> = snap.products.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["Runner", "Socks"]);
    let runner = &snap.products[0];
    assert_eq!(runner.option_names, ["Size"]);
    assert_eq!(runner.variants.len(), 2);
    assert_eq!((runner.variants[0].price_minor, runner.variants[0].compare_at_minor), (6900, Some(8900)));
    assert_eq!(runner.total_stock(), 3);
    // The demo show is untouched.
    let demo = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json();
    assert_eq!(demo["products"].as_array().unwrap().len(), 9);
}
