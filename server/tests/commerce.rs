//! Payments, per-buyer limits, creator controls and their events, rate limits, CORS.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use axum::http::StatusCode;
use common::{auth, call, paying_with, seeded, seeded_with, ADDRESS};
use vetrina_server::state::ratelimit::Rate;
use vetrina_server::state::Config;

async fn cart_with(router: &axum::Router, variant: i64, quantity: u32) -> String {
    let r = call(router, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await;
    let cart = r.json()["id"].as_str().unwrap().to_string();
    let body = format!(r#"{{"variant_id":{variant},"quantity":{quantity}}}"#);
    let r = call(router, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    cart
}

async fn stock(s: &common::Seeded, variant: i64) -> i64 {
    sqlx::query_scalar("SELECT stock FROM variants WHERE id = $1").bind(variant).fetch_one(&s.state.db).await.unwrap()
}

async fn checkout(router: &axum::Router, cart: &str, key: &str, body: &str) -> common::Reply {
    call(router, "POST", &format!("/api/carts/{cart}/checkout"), &[("idempotency-key", key)], Some(body)).await
}

#[tokio::test]
async fn a_declined_payment_buys_nothing_and_keeps_the_cart() {
    let s = seeded().await;
    let cart = cart_with(&s.router, 13, 2).await;
    for token in ["tok_declined", "tok_insufficient_funds", "tok_made_up"] {
        let r = checkout(&s.router, &cart, token, &paying_with(token)).await;
        assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.body);
        assert!(r.json()["message"].as_str().unwrap().contains("Nothing was charged"));
        assert_eq!(stock(&s, 13).await, 25, "stock untouched after {token}");
    }
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&s.state.db).await.unwrap();
    assert_eq!(orders, 0);
    let attempts: Vec<String> =
        sqlx::query_scalar("SELECT reason FROM payment_attempts ORDER BY id").fetch_all(&s.state.db).await.unwrap();
    assert_eq!(attempts, ["card_declined", "insufficient_funds", "invalid_payment_token"]);
    // The cart is still there and still buys, with a good card.
    let r = checkout(&s.router, &cart, "good", ADDRESS).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(stock(&s, 13).await, 23);
    let missing = ADDRESS.replace(r#","payment_token":"tok_visa""#, "");
    let cart = cart_with(&s.router, 13, 1).await;
    let r = checkout(&s.router, &cart, "k", &missing).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["field"], "payment_token");
}

#[tokio::test]
async fn per_buyer_limits_hold_across_carts() {
    let s = seeded().await;
    // Leather Tote (variants 14, 15) is limited to one per buyer.
    let r = call(&s.router, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await;
    let cart = r.json()["id"].as_str().unwrap().to_string();
    let r =
        call(&s.router, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(r#"{"variant_id":14,"quantity":2}"#))
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["message"], "You can buy up to 1 of Leather Tote.");

    let first = cart_with(&s.router, 14, 1).await;
    assert_eq!(checkout(&s.router, &first, "a", ADDRESS).await.status, StatusCode::CREATED);
    // Same buyer (email, any case), another colour, another cart: refused.
    let second = cart_with(&s.router, 15, 1).await;
    let r = checkout(&s.router, &second, "b", &ADDRESS.replace("ada@example.com", "ADA@example.com")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "buyer_limit");
    assert_eq!(r.json()["message"], "You have already bought 1 of Leather Tote; the limit is 1 per person.");
    assert_eq!(stock(&s, 15).await, 2);
    // Another buyer is fine.
    let r = checkout(&s.router, &second, "c", &ADDRESS.replace("ada@example.com", "bea@example.com")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn creator_controls_change_the_show_and_are_events() {
    let s = seeded().await;
    let (k, v) = auth();
    let r = call(&s.router, "PATCH", "/api/shows/demo/variants/16", &[], Some(r#"{"price_minor":4500}"#)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r =
        call(&s.router, "PATCH", "/api/shows/demo/variants/16", &[(k, &v)], Some(r#"{"price_minor":4500,"stock":3}"#))
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["compare_at_minor"], 8900, "absent fields stay");
    let r =
        call(&s.router, "PATCH", "/api/shows/demo/variants/16", &[(k, &v)], Some(r#"{"compare_at_minor":null}"#)).await;
    assert_eq!(r.json()["compare_at_minor"], serde_json::Value::Null);
    let r = call(&s.router, "PATCH", "/api/shows/demo/variants/16", &[(k, &v)], Some(r#"{"stock":-1}"#)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = call(&s.router, "PATCH", "/api/shows/demo/variants/9999", &[(k, &v)], Some(r#"{"stock":1}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = call(&s.router, "PATCH", "/api/shows/demo", &[(k, &v)], Some(r#"{"status":"ended"}"#)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "ended");
    let r = call(&s.router, "PATCH", "/api/shows/demo", &[(k, &v)], Some(r#"{"status":"paused"}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // A sale is a stock event too.
    let cart = cart_with(&s.router, 13, 1).await;
    assert_eq!(checkout(&s.router, &cart, "k", ADDRESS).await.status, StatusCode::CREATED);

    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT data FROM events ORDER BY id").fetch_all(&s.state.db).await.unwrap();
    let events: Vec<serde_json::Value> = kinds.iter().map(|d| serde_json::from_str(d).unwrap()).collect();
    let summary: Vec<String> = events.iter().map(|e| e["type"].as_str().unwrap().to_string()).collect();
    assert_eq!(summary, ["price", "stock", "price", "show_status", "stock"]);
    assert_eq!(events[0]["price_minor"], 4500);
    assert_eq!(events[3]["status"], "ended");
    assert_eq!(events[4]["variant_id"], 13);
    assert_eq!(events[4]["stock"], 24);
    // Stock and price events do not disturb the pin state or the timeline.
    let snap = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json();
    assert_eq!(snap["pinned"], serde_json::json!([]));
    assert_eq!(snap["last_event_id"], 5);
    assert_eq!(snap["show"]["status"], "ended");
}

#[tokio::test]
async fn the_timeline_lists_pins_with_their_stream_time() {
    let s = seeded().await;
    let (k, v) = auth();
    call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(r#"{"product_id":2}"#)).await;
    call(&s.router, "PATCH", "/api/shows/demo/variants/13", &[(k, &v)], Some(r#"{"stock":9}"#)).await;
    call(&s.router, "DELETE", "/api/shows/demo/pins/2", &[(k, &v)], None).await;
    let r = call(&s.router, "GET", "/api/shows/demo/timeline", &[], None).await;
    let timeline: Vec<vetrina_wire::EventEnvelope> = serde_json::from_str(&r.body).unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[0].event, vetrina_wire::ShowEvent::Pin { product_id: 2 });
    assert_eq!(timeline[1].event, vetrina_wire::ShowEvent::Unpin { product_id: 2 });
    assert!(timeline[0].stream_ms <= timeline[1].stream_ms);
}

#[tokio::test]
async fn pins_and_checkouts_are_rate_limited_with_retry_after() {
    let config = Config {
        pin_rate: Rate { per_second: 1.0, burst: 2.0 },
        checkout_rate: Rate { per_second: 1.0 / 60.0, burst: 1.0 },
        ..Config::default()
    };
    let s = seeded_with(config).await;
    let (k, v) = auth();
    for product in [1, 2] {
        let body = format!(r#"{{"product_id":{product}}}"#);
        assert_eq!(
            call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(&body)).await.status,
            StatusCode::CREATED
        );
    }
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(r#"{"product_id":3}"#)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["code"], "rate_limited");
    assert_eq!(r.headers["retry-after"], "1");

    let cart = cart_with(&s.router, 13, 1).await;
    assert_eq!(checkout(&s.router, &cart, "a", ADDRESS).await.status, StatusCode::CREATED);
    let other = cart_with(&s.router, 13, 1).await;
    let r = checkout(&s.router, &other, "b", ADDRESS).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers["retry-after"], "60");
    // A replay of an order already placed is not a new checkout and is not limited.
    assert_eq!(checkout(&s.router, &cart, "a", ADDRESS).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn cors_only_for_configured_origins() {
    let s = seeded_with(Config { cors_origins: vec!["https://brand.example".into()], ..Config::default() }).await;
    let preflight = |origin: &'static str| {
        let router = s.router.clone();
        async move {
            call(
                &router,
                "OPTIONS",
                "/api/carts",
                &[
                    ("origin", origin),
                    ("access-control-request-method", "POST"),
                    ("access-control-request-headers", "content-type,idempotency-key"),
                ],
                None,
            )
            .await
        }
    };
    let ok = preflight("https://brand.example").await;
    assert_eq!(ok.headers["access-control-allow-origin"], "https://brand.example");
    assert!(ok.headers["access-control-allow-headers"].to_str().unwrap().contains("idempotency-key"));
    let other = preflight("https://evil.example").await;
    assert!(other.headers.get("access-control-allow-origin").is_none());
    let get = call(&s.router, "GET", "/api/shows/demo", &[("origin", "https://brand.example")], None).await;
    assert_eq!(get.headers["access-control-allow-origin"], "https://brand.example");

    // Without configuration there is no CORS at all.
    let plain = seeded().await;
    let r = call(&plain.router, "GET", "/api/shows/demo", &[("origin", "https://brand.example")], None).await;
    assert!(r.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn unpaid_orders_release_their_stock_after_a_while() {
    let s = seeded().await;
    let cart = cart_with(&s.router, 13, 3).await;
    // A checkout whose process died after taking stock and before charging:
    // stock taken, order pending, cart closed.
    sqlx::query("UPDATE variants SET stock = stock - 3 WHERE id = 13").execute(&s.state.db).await.unwrap();
    sqlx::query("UPDATE carts SET status = 'ordered' WHERE id = $1").bind(&cart).execute(&s.state.db).await.unwrap();
    let long_ago = vetrina_server::util::now_ms() - vetrina_server::shop::orders::PENDING_TIMEOUT_MS - 1;
    let order_id: i64 = sqlx::query_scalar(
        "INSERT INTO orders (cart_id, show_id, email, name, address, currency, subtotal_minor, shipping_minor,
                             total_minor, created_at_ms, public_id, payment_status)
         VALUES ($1, 'demo', 'a@b.co', 'A', '{}', 'EUR', 5400, 0, 5400, $2, 'x', 'pending') RETURNING id",
    )
    .bind(&cart)
    .bind(long_ago)
    .fetch_one(&s.state.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO order_lines (order_id, variant_id, title, options, unit_price_minor, quantity, line_total_minor)
         VALUES ($1, 13, 'Ceramic Mug', '[]', 1800, 3, 5400)",
    )
    .bind(order_id)
    .execute(&s.state.db)
    .await
    .unwrap();
    assert_eq!(stock(&s, 13).await, 22);

    assert_eq!(vetrina_server::shop::orders::release_abandoned(&s.state).await.unwrap(), 1);
    assert_eq!(stock(&s, 13).await, 25);
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&s.state.db).await.unwrap();
    assert_eq!(orders, 0);
    // The cart is open again and can be bought.
    assert_eq!(checkout(&s.router, &cart, "again", ADDRESS).await.status, StatusCode::CREATED);
    // A fresh pending order is left alone.
    assert_eq!(vetrina_server::shop::orders::release_abandoned(&s.state).await.unwrap(), 0);
}

#[tokio::test]
async fn a_cart_line_remembers_the_price_it_was_added_at_and_its_limit() {
    let s = seeded().await;
    let (k, v) = auth();
    let cart = cart_with(&s.router, 16, 1).await;
    let line = |r: &common::Reply| r.json()["lines"][0].clone();
    let r = call(&s.router, "GET", &format!("/api/carts/{cart}"), &[], None).await;
    let before = line(&r)["unit_price_minor"].as_i64().unwrap();
    assert_eq!(line(&r)["added_price_minor"], before);
    assert_eq!(line(&r)["max_quantity"], vetrina_wire::MAX_LINE_QUANTITY);

    // The creator changes the price: the line shows both, totals follow the new one.
    let r = call(&s.router, "PATCH", "/api/shows/demo/variants/16", &[(k, &v)], Some(r#"{"price_minor":4500}"#)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = call(&s.router, "GET", &format!("/api/carts/{cart}"), &[], None).await;
    assert_eq!(line(&r)["unit_price_minor"], 4500);
    assert_eq!(line(&r)["added_price_minor"], before);
    assert_eq!(r.json()["subtotal_minor"], 4500);

    // Changing the line is seeing the new price: it becomes the remembered one.
    let r = call(&s.router, "PUT", &format!("/api/carts/{cart}/lines/16"), &[], Some(r#"{"quantity":2}"#)).await;
    assert_eq!(line(&r)["added_price_minor"], 4500);

    // A limited product says its limit on the line.
    let limited = cart_with(&s.router, 14, 1).await;
    let r = call(&s.router, "GET", &format!("/api/carts/{limited}"), &[], None).await;
    assert_eq!(line(&r)["max_quantity"], 1);
}

#[tokio::test]
async fn no_order_is_kept_in_a_currency_the_show_left_while_it_was_placed() {
    use vetrina_server::store;
    let s = seeded().await;
    let cart = cart_with(&s.router, 13, 1).await;
    // A currency change in flight, as `PATCH /api/shows/demo` makes it: the
    // show's row held, the new currency written, not yet committed.
    let mut change = store::begin_write(&s.state.writer).await.unwrap();
    store::shows::hold(&mut change, "demo").await.unwrap();
    let to_gbp = store::shows::Changes { currency: Some("GBP"), ..Default::default() };
    store::shows::update(&mut change, "demo", &to_gbp).await.unwrap();
    let router = s.router.clone();
    let buying = tokio::spawn(async move { checkout(&router, &cart, "mid-change", ADDRESS).await });
    // Long enough for the checkout to read the cart in the old currency and
    // reach the order's insert (Postgres), or to wait for the writer (SQLite).
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    change.commit().await.unwrap();
    let r = buying.await.unwrap();
    let show: String =
        sqlx::query_scalar("SELECT currency FROM shows WHERE id = 'demo'").fetch_one(&s.state.db).await.unwrap();
    assert_eq!(show, "GBP");
    match r.status {
        // Placed after the change: priced in the new currency.
        StatusCode::CREATED => assert_eq!(r.json()["currency"], "GBP", "{}", r.body),
        // Read before it: refused, and nothing kept.
        StatusCode::CONFLICT => {
            assert_eq!(r.json()["code"], "currency_changed", "{}", r.body);
            let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&s.state.db).await.unwrap();
            assert_eq!(orders, 0);
            assert_eq!(stock(&s, 13).await, 25, "the stock is back");
        }
        other => panic!("{other}: {}", r.body),
    }
}
