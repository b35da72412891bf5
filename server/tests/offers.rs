//! Flash drops: their terms, claims on the viewer's video clock, the caps
//! overall (units sold) and per buyer, the price held, and checkout at the flash price.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use axum::http::StatusCode;
use common::{auth, call, seeded, ADDRESS};
use serde_json::{json, Value};

const MUG: i64 = 13; // Ceramic Mug, 18.00 EUR, 25 in stock

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn start(router: &axum::Router, terms: Value) -> common::Reply {
    let (k, v) = auth();
    call(router, "POST", "/api/shows/demo/offers", &[(k, &v)], Some(&terms.to_string())).await
}

async fn cart(router: &axum::Router) -> String {
    call(router, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await.json()["id"].as_str().unwrap().into()
}

async fn claim(router: &axum::Router, cart: &str, offer: i64, quantity: u32, playhead: Option<i64>) -> common::Reply {
    let mut body = json!({"variant_id": MUG, "quantity": quantity, "offer_id": offer});
    if let Some(p) = playhead {
        body["playhead_ms"] = json!(p);
    }
    call(router, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(&body.to_string())).await
}

/// Moves the drop's end on the live edge's clock.
async fn ends_at(s: &common::Seeded, offer: i64, ms: i64) {
    sqlx::query("UPDATE offers SET ends_at_ms = $1 WHERE id = $2")
        .bind(ms)
        .bind(offer)
        .execute(&s.state.db)
        .await
        .unwrap();
}

fn code(r: &common::Reply) -> (StatusCode, String) {
    (r.status, r.json()["code"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn a_drop_has_sane_terms_and_is_announced() {
    let s = seeded().await;
    let terms = json!({"variant_id": MUG, "price_minor": 1200, "unit_cap": 3, "per_buyer": 2, "duration_s": 60});
    let r = call(&s.router, "POST", "/api/shows/demo/offers", &[], Some(&terms.to_string())).await;
    assert_eq!(code(&r), (StatusCode::UNAUTHORIZED, "unauthorized".into()));
    for (change, field) in [
        (json!({"price_minor": 1800}), "price_minor"),
        (json!({"per_buyer": 4}), "per_buyer"),
        (json!({"unit_cap": 0, "per_buyer": 0}), "unit_cap"),
        (json!({"duration_s": 4}), "duration_s"),
        (json!({"duration_s": 601}), "duration_s"),
    ] {
        let mut bad = terms.clone();
        bad.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
        let r = start(&s.router, bad).await;
        assert_eq!(code(&r), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields".into()), "{}", r.body);
        assert_eq!(r.json()["fields"][0]["field"], field);
    }
    let mut elsewhere = terms.clone();
    elsewhere["variant_id"] = json!(99_999);
    assert_eq!(start(&s.router, elsewhere).await.status, StatusCode::NOT_FOUND);

    let r = start(&s.router, terms.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let offer = r.json();
    let window = offer["ends_at_ms"].as_i64().unwrap() - offer["starts_at_ms"].as_i64().unwrap();
    assert_eq!(window, 60_000);
    assert_eq!(code(&start(&s.router, terms).await), (StatusCode::CONFLICT, "offer_running".into()));
    // Viewers who join now get it in the snapshot; those watching, as an event.
    let snap = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json();
    assert_eq!(snap["offers"][0], offer);
    let events: String =
        sqlx::query_scalar("SELECT data FROM events WHERE kind = 'offer'").fetch_one(&s.state.db).await.unwrap();
    let event: Value = serde_json::from_str(&events).unwrap();
    assert_eq!(
        (event["type"].as_str(), event["offer_id"].as_i64(), event["price_minor"].as_i64()),
        (Some("offer"), offer["id"].as_i64(), Some(1200))
    );
}

#[tokio::test]
async fn claims_follow_the_viewers_video_and_the_caps_hold() {
    let s = seeded().await;
    let r = start(
        &s.router,
        json!({"variant_id": MUG, "price_minor": 1200, "unit_cap": 3, "per_buyer": 2, "duration_s": 60}),
    )
    .await;
    let offer = r.json()["id"].as_i64().unwrap();

    // In time: the line is at the flash price, held for checkout.
    let a = cart(&s.router).await;
    let r = claim(&s.router, &a, offer, 2, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let line = &r.json()["lines"][0];
    assert_eq!((line["unit_price_minor"].as_i64(), line["offer_id"].as_i64()), (Some(1200), Some(offer)));
    assert!(line["offer_held_until_ms"].as_i64().unwrap() > now_ms() + 9 * 60_000);
    // Per buyer: one more on the same line is over the limit, and changes nothing.
    assert_eq!(
        code(&claim(&s.router, &a, offer, 1, None).await),
        (StatusCode::UNPROCESSABLE_ENTITY, "offer_limit".into())
    );
    // Holds take nothing from the cap (sales do, see hostile.rs): 2 held by a, b may still claim.
    let b = cart(&s.router).await;
    assert_eq!(claim(&s.router, &b, offer, 1, None).await.status, StatusCode::OK);

    // Bought at the flash price; the buyer's limit follows their email across carts.
    let r =
        call(&s.router, "POST", &format!("/api/carts/{a}/checkout"), &[("idempotency-key", "flash-a")], Some(ADDRESS))
            .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["lines"][0]["unit_price_minor"], 1200);
    // The drop ended 10 s ago on the live edge's clock...
    let now = now_ms();
    sqlx::query("UPDATE offers SET starts_at_ms = $1, ends_at_ms = $2 WHERE id = $3")
        .bind(now - 40_000)
        .bind(now - 10_000)
        .bind(offer)
        .execute(&s.state.db)
        .await
        .unwrap();
    // ...but not for a viewer whose video runs 12 s behind.
    let c = cart(&s.router).await;
    assert_eq!(code(&claim(&s.router, &c, offer, 1, None).await), (StatusCode::CONFLICT, "offer_ended".into()));
    assert_eq!(
        code(&claim(&s.router, &c, offer, 1, Some(now - 200)).await),
        (StatusCode::CONFLICT, "offer_ended".into())
    );
    // (b holds the last unit: let its hold lapse first, so only the clock decides.)
    sqlx::query("UPDATE cart_lines SET offer_held_until_ms = $1 WHERE cart_id = $2")
        .bind(now - 1)
        .bind(&b)
        .execute(&s.state.db)
        .await
        .unwrap();
    let r = claim(&s.router, &c, offer, 1, Some(now - 12_000)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["lines"][0]["unit_price_minor"], 1200);
    // A claimed lag beyond the bound is not believed: 35 s behind would be inside
    // a window that ended 32 s ago, but only 30 s are believed.
    ends_at(&s, offer, now - 32_000).await;
    let d = cart(&s.router).await;
    assert_eq!(
        code(&claim(&s.router, &d, offer, 1, Some(now - 35_000)).await),
        (StatusCode::CONFLICT, "offer_ended".into())
    );
    ends_at(&s, offer, now - 10_000).await;
    // Same buyer as cart a (2 bought, limit 2): refused at checkout.
    let r =
        call(&s.router, "POST", &format!("/api/carts/{c}/checkout"), &[("idempotency-key", "flash-c")], Some(ADDRESS))
            .await;
    assert_eq!(code(&r), (StatusCode::UNPROCESSABLE_ENTITY, "offer_limit".into()), "{}", r.body);
    let other = ADDRESS.replace("ada@example.com", "bea@example.com");
    let r =
        call(&s.router, "POST", &format!("/api/carts/{c}/checkout"), &[("idempotency-key", "flash-c2")], Some(&other))
            .await;
    assert_eq!((r.status, r.json()["total_minor"].as_i64()), (StatusCode::CREATED, Some(1200 + 490)), "{}", r.body);

    // A lapsed hold is the regular price again.
    let b_cart = call(&s.router, "GET", &format!("/api/carts/{b}"), &[], None).await.json();
    assert_eq!(
        (b_cart["lines"][0]["unit_price_minor"].as_i64(), b_cart["lines"][0]["offer_id"].as_i64()),
        (Some(1800), None)
    );
    // Sold out now: 3 of 3 sold.
    let e = cart(&s.router).await;
    assert_eq!(
        code(&claim(&s.router, &e, offer, 1, Some(now - 12_000)).await),
        (StatusCode::CONFLICT, "offer_sold_out".into())
    );
    let sold: i64 = sqlx::query_scalar("SELECT CAST(SUM(quantity) AS BIGINT) FROM order_lines WHERE offer_id = $1")
        .bind(offer)
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    assert_eq!(sold, 3);
}

#[tokio::test]
async fn a_retried_start_finds_the_same_drop() {
    let s = seeded().await;
    let (k, v) = auth();
    let terms =
        json!({"variant_id": MUG, "price_minor": 1200, "unit_cap": 3, "per_buyer": 1, "duration_s": 30}).to_string();
    let first =
        call(&s.router, "POST", "/api/shows/demo/offers", &[(k, &v), ("idempotency-key", "drop-1")], Some(&terms))
            .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // The answer was lost; the studio sends the same request again with its key.
    let again =
        call(&s.router, "POST", "/api/shows/demo/offers", &[(k, &v), ("idempotency-key", "drop-1")], Some(&terms))
            .await;
    assert_eq!((again.status, again.json()), (StatusCode::OK, first.json()));
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offers").fetch_one(&s.state.db).await.unwrap();
    assert_eq!(count, 1);
    // A new key is a new request: refused while the first runs.
    let other =
        call(&s.router, "POST", "/api/shows/demo/offers", &[(k, &v), ("idempotency-key", "drop-2")], Some(&terms))
            .await;
    assert_eq!(code(&other), (StatusCode::CONFLICT, "offer_running".into()));
}
