//! Checking out on the brand's own Shopify store: a products.json import keeps
//! the store and each variant's Shopify id; a show set to check out there
//! answers its carts' cart permalinks, built from its own settings only.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use axum::http::StatusCode;
use common::{auth, call, seeded};

const PRODUCTS: &str = r#"{"products": [
  {"title": "Canvas Tote", "options": [{"name": "Colour"}],
   "variants": [
     {"id": 40011, "price": "35.00", "option1": "Natural", "inventory_quantity": 5},
     {"id": 40012, "price": "35.00", "option1": "Black", "inventory_quantity": 5}
   ]}
]}"#;

async fn cart_with(router: &axum::Router, variants: &[(i64, u32)]) -> String {
    let r = call(router, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await;
    let cart = r.json()["id"].as_str().unwrap().to_string();
    for (variant, quantity) in variants {
        let body = format!(r#"{{"variant_id":{variant},"quantity":{quantity}}}"#);
        let r = call(router, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(&body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    cart
}

#[tokio::test]
async fn a_show_that_checks_out_on_its_store_hands_the_cart_over_by_permalink() {
    let s = seeded().await;
    let (k, v) = auth();
    let import = serde_json::json!({"format": "shopify", "source": PRODUCTS, "store": "https://Brand.myshopify.com/"});
    let r = call(
        &s.router,
        "POST",
        "/api/shows/demo/import",
        &[(k, &v), ("idempotency-key", "i1")],
        Some(&import.to_string()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let snap = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json();
    assert_eq!(snap["show"]["shopify_store"], "brand.myshopify.com");
    assert_eq!(snap["show"]["checkout_on_store"], false);
    let tote = snap["products"].as_array().unwrap().iter().find(|p| p["title"] == "Canvas Tote").unwrap().clone();
    let (natural, black) = (tote["variants"][0]["id"].as_i64().unwrap(), tote["variants"][1]["id"].as_i64().unwrap());

    // Not yet set to check out there: the cart stays ours.
    let cart = cart_with(&s.router, &[(natural, 2), (black, 1)]).await;
    let r = call(&s.router, "GET", &format!("/api/carts/{cart}/handover"), &[], None).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::CONFLICT, Some("not_on_store")), "{}", r.body);

    let on = r#"{"checkout_on_store": true}"#;
    let r = call(&s.router, "PATCH", "/api/shows/demo", &[(k, &v)], Some(on)).await;
    assert_eq!((r.status, r.json()["checkout_on_store"].as_bool()), (StatusCode::OK, Some(true)), "{}", r.body);
    let r = call(&s.router, "GET", &format!("/api/carts/{cart}/handover"), &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["store"], "brand.myshopify.com");
    assert_eq!(r.json()["url"], "https://brand.myshopify.com/cart/40011:2,40012:1");

    // A product that is not on the store (the demo's own) cannot go there.
    let mixed = cart_with(&s.router, &[(natural, 1), (13, 1)]).await;
    let r = call(&s.router, "GET", &format!("/api/carts/{mixed}/handover"), &[], None).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::CONFLICT, Some("not_on_store")), "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("brand.myshopify.com"), "{}", r.body);
    let empty = cart_with(&s.router, &[]).await;
    let r = call(&s.router, "GET", &format!("/api/carts/{empty}/handover"), &[], None).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::CONFLICT, Some("empty_cart")), "{}", r.body);
    let r = call(&s.router, "GET", "/api/carts/nope/handover", &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn only_a_host_name_is_a_store_and_only_the_creator_sets_it() {
    let s = seeded().await;
    let (k, v) = auth();
    for bad in ["brand.myshopify.com/cart", "127.0.0.1", "localhost", "evil.com@brand.myshopify.com", "brand.com:8443"]
    {
        let body = serde_json::json!({"shopify_store": bad}).to_string();
        let r = call(&s.router, "PATCH", "/api/shows/demo", &[(k, &v)], Some(&body)).await;
        assert_eq!(
            (r.status, r.json()["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fields")),
            "{bad}: {}",
            r.body
        );
        let import = serde_json::json!({"format": "shopify", "source": PRODUCTS, "store": bad, "dry_run": true});
        let r = call(&s.router, "POST", "/api/shows/demo/import", &[(k, &v)], Some(&import.to_string())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", r.body);
    }
    // Checking out on a store needs the store.
    let r = call(&s.router, "PATCH", "/api/shows/demo", &[(k, &v)], Some(r#"{"checkout_on_store": true}"#)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["fields"][0]["field"], "checkout_on_store", "{}", r.body);
    // Without the creator's token, nothing changes.
    let body = r#"{"shopify_store": "attacker.example", "checkout_on_store": true}"#;
    let r = call(&s.router, "PATCH", "/api/shows/demo", &[], Some(body)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let r = call(
        &s.router,
        "PATCH",
        "/api/shows/demo",
        &[(k, &v)],
        Some(r#"{"shopify_store": "shop.brand.it", "checkout_on_store": true}"#),
    )
    .await;
    assert_eq!((r.status, r.json()["shopify_store"].as_str()), (StatusCode::OK, Some("shop.brand.it")), "{}", r.body);
    // An empty store forgets it, and checking out there stops with it.
    let r = call(
        &s.router,
        "PATCH",
        "/api/shows/demo",
        &[(k, &v)],
        Some(r#"{"shopify_store": "", "checkout_on_store": false}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json().get("shopify_store").is_none(), "{}", r.body);
}
