//! The API through `oneshot`: every route's answers, good and bad.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use axum::http::StatusCode;
use common::{auth, call, seeded, ADDRESS};

async fn new_cart(router: &axum::Router) -> String {
    let r = call(router, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

async fn add(router: &axum::Router, cart: &str, variant: i64, quantity: u32) -> common::Reply {
    let body = format!(r#"{{"variant_id":{variant},"quantity":{quantity}}}"#);
    call(router, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(&body)).await
}

fn assert_error(r: &common::Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let json = r.json();
    assert_eq!(json["code"], code, "{}", r.body);
    assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
}

#[tokio::test]
async fn snapshot_has_the_seeded_show() {
    let s = seeded().await;
    let r = call(&s.router, "GET", "/api/shows/demo", &[], None).await;
    assert_eq!(r.status, StatusCode::OK);
    let snap: vetrina_wire::ShowSnapshot = serde_json::from_str(&r.body).unwrap();
    assert_eq!(snap.show.currency, "EUR");
    assert!(snap.products.len() >= 8);
    assert!(snap.products.iter().any(|p| p.option_names.len() == 2));
    assert!(snap.products.iter().flat_map(|p| &p.variants).any(|v| v.compare_at_minor.is_some()));
    assert!(snap.products.iter().flat_map(|p| &p.variants).any(|v| v.stock == 0));
    assert!(snap.pinned.is_empty());
    assert_eq!(snap.last_event_id, 0);
}

#[tokio::test]
async fn unknown_things_are_json_404s() {
    let s = seeded().await;
    assert_error(&call(&s.router, "GET", "/api/shows/nope", &[], None).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&call(&s.router, "GET", "/api/nothing-here", &[], None).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&call(&s.router, "GET", "/api/carts/not-a-cart", &[], None).await, StatusCode::NOT_FOUND, "not_found");
    let (k, v) = auth();
    let r = call(&s.router, "DELETE", "/api/shows/demo/pins/abc", &[(k, &v)], None).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn pinning_needs_the_show_token() {
    let s = seeded().await;
    let body = Some(r#"{"product_id":1}"#);
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[], body).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(r.headers["www-authenticate"], "Bearer");
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[("authorization", "Bearer wrong")], body).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[("authorization", "test-creator-token")], body).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");

    let (k, v) = auth();
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["type"], "pin");
    assert_eq!(r.json()["id"], 1);
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], body).await;
    assert_error(&r, StatusCode::CONFLICT, "already_pinned");
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(r#"{"product_id":999}"#)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");

    let snap = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json();
    assert_eq!(snap["pinned"], serde_json::json!([1]));
    assert_eq!(snap["last_event_id"], 1);

    let r = call(&s.router, "DELETE", "/api/shows/demo/pins/1", &[(k, &v)], None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["type"], "unpin");
    let r = call(&s.router, "DELETE", "/api/shows/demo/pins/1", &[(k, &v)], None).await;
    assert_error(&r, StatusCode::CONFLICT, "not_pinned");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let s = seeded().await;
    sqlx::query("UPDATE shows SET token_expires_at_ms = 1").execute(&s.state.db).await.unwrap();
    let (k, v) = auth();
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(r#"{"product_id":1}"#)).await;
    // The token's holder is told why; anyone else learns nothing.
    assert_error(&r, StatusCode::UNAUTHORIZED, "token_expired");
    let r = call(&s.router, "GET", "/api/shows/demo/creator", &[(k, &v)], None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "token_expired");
    let r = call(&s.router, "GET", "/api/shows/demo/creator", &[("authorization", "Bearer wrong")], None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn the_studio_signs_in_with_the_token_and_can_replace_it() {
    let s = seeded().await;
    let (k, v) = auth();
    let r = call(&s.router, "GET", "/api/shows/demo/creator", &[(k, &v)], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["show_id"], "demo");
    assert!(r.json()["expires_at_ms"].as_i64().unwrap() > vetrina_server::util::now_ms());
    for headers in [&[][..], &[("authorization", "Bearer wrong")][..]] {
        let r = call(&s.router, "GET", "/api/shows/demo/creator", headers, None).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
        let r = call(&s.router, "POST", "/api/shows/demo/creator-token", headers, None).await;
        assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // Another show's token is no key to this one.
    let r = call(&s.router, "GET", "/api/shows/elsewhere/creator", &[(k, &v)], None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");

    let r = call(&s.router, "POST", "/api/shows/demo/creator-token", &[(k, &v)], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 32);
    assert_ne!(token, common::TOKEN);
    // The old token stops at once, for pins too; the new one works.
    let r = call(&s.router, "GET", "/api/shows/demo/creator", &[(k, &v)], None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(r#"{"product_id":1}"#)).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let bearer = format!("Bearer {token}");
    let r = call(&s.router, "GET", "/api/shows/demo/creator", &[("authorization", &bearer)], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[("authorization", &bearer)], Some(r#"{"product_id":1}"#))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn malformed_bodies_are_json_400s() {
    let s = seeded().await;
    let (k, v) = auth();
    for body in ["{", "[]", r#"{"product_id":"one"}"#, ""] {
        let r = call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(body)).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "invalid_json");
    }
    let r = call(&s.router, "POST", "/api/carts", &[], Some(r#"{"show":"demo"}"#)).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_json");
    let cart = new_cart(&s.router).await;
    let r =
        call(&s.router, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(r#"{"variant_id":1,"quantity":-1}"#))
            .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_json");

    // NUL in text: no id holds one (and Postgres could not look one up); a
    // name or address loses it like any control character (the answer here is
    // about the empty cart); in a body or a path, it is never a 500.
    let r = call(&s.router, "POST", "/api/carts", &[], Some(r#"{"show_id":"de\u0000mo"}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let checkout = common::ADDRESS.replace("Ada Lovelace", "Ada\\u0000Lovelace");
    let r =
        call(&s.router, "POST", &format!("/api/carts/{cart}/checkout"), &[("idempotency-key", "nul")], Some(&checkout))
            .await;
    assert_error(&r, StatusCode::CONFLICT, "cart_empty");
    for path in ["/api/shows/de%00mo", "/api/carts/x%00y", "/api/orders/x%00y"] {
        let r = call(&s.router, "GET", path, &[], None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
    }
}

#[tokio::test]
async fn cart_totals_come_from_the_server() {
    let s = seeded().await;
    let cart = new_cart(&s.router).await;
    let r = add(&s.router, &cart, 13, 1).await; // Ceramic Mug, 18.00
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let c: vetrina_wire::Cart = serde_json::from_str(&r.body).unwrap();
    assert_eq!((c.item_count, c.subtotal_minor, c.shipping_minor, c.total_minor), (1, 1800, 490, 2290));
    let c: vetrina_wire::Cart = serde_json::from_str(&add(&s.router, &cart, 13, 2).await.body).unwrap();
    assert_eq!(c.lines.len(), 1);
    assert_eq!((c.item_count, c.subtotal_minor, c.shipping_minor), (3, 5400, 0));

    let r = call(&s.router, "PUT", &format!("/api/carts/{cart}/lines/13"), &[], Some(r#"{"quantity":1}"#)).await;
    assert_eq!(r.json()["item_count"], 1);
    let r = call(&s.router, "PUT", &format!("/api/carts/{cart}/lines/13"), &[], Some(r#"{"quantity":0}"#)).await;
    assert_eq!(r.json()["item_count"], 0);
    let r = call(&s.router, "DELETE", &format!("/api/carts/{cart}/lines/13"), &[], None).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");

    // The cart id is the credential: long and random.
    assert_eq!(cart.len(), 32);
    assert_ne!(cart, new_cart(&s.router).await);
}

#[tokio::test]
async fn cart_lines_respect_stock_and_limits() {
    let s = seeded().await;
    let cart = new_cart(&s.router).await;
    assert_error(&add(&s.router, &cart, 3, 1).await, StatusCode::CONFLICT, "sold_out"); // Linen L Sand: 0
    let r = add(&s.router, &cart, 19, 4).await; // Scented Candle: 3 left
    assert_error(&r, StatusCode::CONFLICT, "insufficient_stock");
    assert!(r.json()["message"].as_str().unwrap().contains("Only 3 of Scented Candle left"));
    assert_error(&add(&s.router, &cart, 13, 11).await, StatusCode::UNPROCESSABLE_ENTITY, "quantity_limit");
    assert_error(&add(&s.router, &cart, 13, 0).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
    assert_error(&add(&s.router, &cart, 9999, 1).await, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn checkout_places_one_order_per_key() {
    let s = seeded().await;
    let cart = new_cart(&s.router).await;
    add(&s.router, &cart, 1, 2).await; // Linen S Sand x2 = 98.00
    let path = format!("/api/carts/{cart}/checkout");

    let r = call(&s.router, "POST", &path, &[], Some(ADDRESS)).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "idempotency_key_required");
    let bad = ADDRESS.replace("ada@example.com", "ada@");
    let r = call(&s.router, "POST", &path, &[("idempotency-key", "k1")], Some(&bad)).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
    assert_eq!(r.json()["fields"][0]["field"], "email");

    let first = call(&s.router, "POST", &path, &[("idempotency-key", "k1")], Some(ADDRESS)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let order: vetrina_wire::Order = serde_json::from_str(&first.body).unwrap();
    // Random, readable back, and not a count of the shop's orders.
    let n: Vec<char> = order.number.chars().collect();
    assert_eq!(n.len(), 12, "{}", order.number);
    assert!(order.number.starts_with("VT-") && n[7] == '-', "{}", order.number);
    assert!(n.iter().enumerate().all(|(i, c)| i < 3 || i == 7 || "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(*c)));
    assert_eq!(order.payment_status, vetrina_wire::PaymentStatus::Paid);
    assert_eq!(order.id.len(), 32);
    let looked_up = call(&s.router, "GET", &format!("/api/orders/{}", order.id), &[], None).await;
    assert_eq!(serde_json::from_str::<vetrina_wire::Order>(&looked_up.body).unwrap(), order);
    assert_error(
        &call(&s.router, "GET", &format!("/api/orders/{}", order.number), &[], None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!((order.subtotal_minor, order.shipping_minor, order.total_minor), (9800, 0, 9800));

    // A retry replays the stored answer byte for byte and places nothing new.
    let again = call(&s.router, "POST", &path, &[("idempotency-key", "k1")], Some(ADDRESS)).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let other_body = ADDRESS.replace("Ada Lovelace", "Someone Else");
    let r = call(&s.router, "POST", &path, &[("idempotency-key", "k1")], Some(&other_body)).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    let r = call(&s.router, "POST", &path, &[("idempotency-key", "k2")], Some(ADDRESS)).await;
    assert_error(&r, StatusCode::CONFLICT, "cart_closed");

    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&s.state.db).await.unwrap();
    assert_eq!(orders, 1);
    let stock: i64 =
        sqlx::query_scalar("SELECT stock FROM variants WHERE id = 1").fetch_one(&s.state.db).await.unwrap();
    assert_eq!(stock, 2);
    // An ordered cart is gone for the viewer; the overlay then starts a new one.
    assert_error(
        &call(&s.router, "GET", &format!("/api/carts/{cart}"), &[], None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn a_short_line_fails_the_whole_checkout_and_touches_no_stock() {
    let s = seeded().await;
    let cart = new_cart(&s.router).await;
    add(&s.router, &cart, 13, 2).await; // Mug, plenty
    add(&s.router, &cart, 19, 3).await; // Candle, all 3
                                        // Someone else buys a candle meanwhile.
    sqlx::query("UPDATE variants SET stock = 1 WHERE id = 19").execute(&s.state.db).await.unwrap();
    let r = call(&s.router, "POST", &format!("/api/carts/{cart}/checkout"), &[("idempotency-key", "x")], Some(ADDRESS))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "insufficient_stock");
    assert!(r.json()["message"].as_str().unwrap().contains("Only 1 of Scented Candle left"), "{}", r.body);
    let mug: i64 = sqlx::query_scalar("SELECT stock FROM variants WHERE id = 13").fetch_one(&s.state.db).await.unwrap();
    assert_eq!(mug, 25, "the mug's decrement was rolled back");
    // Failures are not stored: after fixing the cart the same key goes through.
    call(&s.router, "PUT", &format!("/api/carts/{cart}/lines/19"), &[], Some(r#"{"quantity":1}"#)).await;
    let r = call(&s.router, "POST", &format!("/api/carts/{cart}/checkout"), &[("idempotency-key", "x")], Some(ADDRESS))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test]
async fn stock_can_never_go_negative_even_by_hand() {
    let s = seeded().await;
    let r = sqlx::query("UPDATE variants SET stock = -1 WHERE id = 13").execute(&s.state.db).await;
    assert!(r.is_err(), "the CHECK constraint must refuse negative stock");
}

#[tokio::test]
async fn a_show_names_the_sites_that_may_embed_it() {
    let s = seeded().await;
    let put = |body: &'static str, authorized: bool| {
        let router = s.router.clone();
        async move {
            let a = auth();
            let headers: Vec<(&str, &str)> = if authorized { vec![(a.0, a.1.as_str())] } else { vec![] };
            call(&router, "PUT", "/api/shows/demo/embed-origins", &headers, Some(body)).await
        }
    };
    assert_error(
        &put(r#"{"origins":["https://brand.example"]}"#, false).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        &put(r#"{"origins":["https://brand.example/shop"]}"#, true).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_fields",
    );
    assert_error(&put(r#"{"origins":["*"]}"#, true).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
    let r =
        put(r#"{"origins":["HTTPS://Brand.Example/","http://localhost:8081","https://brand.example"]}"#, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["origins"], serde_json::json!(["http://localhost:8081", "https://brand.example"]));

    // The facade's card: public, readable from any page, and says whether that page may embed.
    let card = call(&s.router, "GET", "/api/shows/demo/embed", &[("origin", "https://brand.example")], None).await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    assert_eq!(card.headers["access-control-allow-origin"], "*");
    assert_eq!(card.json()["embed_allowed"], true);
    assert_eq!(card.json()["status"], "live");
    let other = call(&s.router, "GET", "/api/shows/demo/embed", &[("origin", "https://copycat.example")], None).await;
    assert_eq!(other.json()["embed_allowed"], false);
    // Its words are the overlay's catalogues', in the language the overlay's
    // rule picks: the page's, then the browser's, then the show's.
    assert_eq!(
        card.json()["words"],
        serde_json::json!({"lang": "en", "watch": "Watch", "live": "Live", "replay": "Replay", "scheduled": "Soon"})
    );
    for lang in ["it", "es", "fr", "de"] {
        let path = format!("{}/../public/i18n/{lang}.json", env!("CARGO_MANIFEST_DIR"));
        let catalogue: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let card = call(&s.router, "GET", &format!("/api/shows/demo/embed?lang={lang}-XX"), &[], None).await;
        let words = &card.json()["words"];
        assert_eq!(words["lang"], lang);
        for key in ["watch", "live", "replay", "scheduled"] {
            assert_eq!(words[key], catalogue[key], "{lang}: {key}");
        }
    }
    let french_browser = [("accept-language", "fr-CH,fr;q=0.9")];
    let card = call(&s.router, "GET", "/api/shows/demo/embed?lang=", &french_browser, None).await;
    assert_eq!(
        (card.json()["words"]["watch"].as_str(), card.headers["vary"].to_str().unwrap()),
        (Some("Regarder"), "Origin, Accept-Language")
    );
    let card = call(&s.router, "GET", "/api/shows/demo/embed?lang=xx", &[], None).await;
    assert_eq!(card.json()["words"]["lang"], "en", "the demo show's own language");
    assert_error(&call(&s.router, "GET", "/api/shows/nope/embed", &[], None).await, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_creator_sees_the_show_numbers() {
    let s = seeded().await;
    let (k, v) = auth();
    let r = call(&s.router, "GET", "/api/shows/demo/stats", &[], None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let before = call(&s.router, "GET", "/api/shows/demo/stats", &[(k, &v)], None).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!((before.json()["orders"].as_u64(), before.json()["revenue_minor"].as_i64()), (Some(0), Some(0)));
    assert_eq!(before.json()["products"], serde_json::json!([]));

    let cart = new_cart(&s.router).await;
    assert_eq!(add(&s.router, &cart, 13, 2).await.status, StatusCode::OK); // Ceramic Mug, 2 × 18.00
    let r = call(
        &s.router,
        "POST",
        &format!("/api/carts/{cart}/checkout"),
        &[("idempotency-key", "stats-order-1")],
        Some(common::ADDRESS),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let total = r.json()["total_minor"].as_i64().unwrap();

    let after = call(&s.router, "GET", "/api/shows/demo/stats", &[(k, &v)], None).await.json();
    assert_eq!((after["orders"].as_u64(), after["revenue_minor"].as_i64()), (Some(1), Some(total)));
    let mug = &after["products"][0];
    assert_eq!(
        (mug["product_id"].as_i64(), mug["orders"].as_u64(), mug["units"].as_u64()),
        (Some(4), Some(1), Some(2))
    );
    assert_eq!(mug["revenue_minor"], 3600);
    assert_eq!(after["watching"], 0);

    // The order list: this order, its buyer and units, and its confirmation sent.
    let r = call(&s.router, "GET", "/api/shows/demo/orders", &[], None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let list = call(&s.router, "GET", "/api/shows/demo/orders", &[(k, &v)], None).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let order = &list[0];
    assert_eq!((order["items"].as_u64(), order["total_minor"].as_i64()), (Some(2), Some(total)));
    assert_eq!((order["name"].as_str(), order["payment_status"].as_str()), (Some("Ada Lovelace"), Some("paid")));
    assert!(order["number"].as_str().unwrap().starts_with("VT-"));
}

#[tokio::test]
async fn the_creator_changes_the_show_settings_within_their_rules() {
    let s = seeded().await;
    let (k, v) = auth();
    let body = Some(r#"{"title":"  Autumn Edit  ","stream_url":"https://cdn.example/autumn.m3u8","locale":"it-IT"}"#);
    let r = call(&s.router, "PATCH", "/api/shows/demo", &[], body).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = call(&s.router, "PATCH", "/api/shows/demo", &[(k, &v)], body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["title"], "Autumn Edit");
    assert_eq!(r.json()["stream_url"], "https://cdn.example/autumn.m3u8");
    assert_eq!(r.json()["locale"], "it-IT");
    let status = r.json()["status"].clone();
    // Nothing else moved, and no status event was emitted.
    let snap = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json();
    assert_eq!((snap["show"]["title"].as_str(), &snap["show"]["status"]), (Some("Autumn Edit"), &status));
    assert_eq!(snap["last_event_id"], 0);
    // An empty update changes nothing.
    let r = call(&s.router, "PATCH", "/api/shows/demo", &[(k, &v)], Some("{}")).await;
    assert_eq!((r.status, r.json()["title"].as_str()), (StatusCode::OK, Some("Autumn Edit")));

    for (body, field) in [
        (r#"{"title":"   "}"#, "title"),
        (r#"{"stream_url":"http://plain.example/a.mp4"}"#, "stream_url"),
        (r#"{"stream_url":"javascript:alert(1)"}"#, "stream_url"),
        (r#"{"locale":"it_IT"}"#, "locale"),
    ] {
        let r = call(&s.router, "PATCH", "/api/shows/demo", &[(k, &v)], Some(body)).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
        assert_eq!(r.json()["fields"][0]["field"], field, "{body}");
    }
    let snap = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json();
    assert_eq!(snap["show"]["title"], "Autumn Edit", "a refused update changed nothing");
}

#[tokio::test]
async fn a_sandbox_checkout_is_a_test_order_that_takes_and_counts_nothing() {
    let outbox = std::sync::Arc::new(vetrina_server::state::mailer::Memory::default());
    let s = common::seeded().await;
    let state = s.state.clone().with_mailer(outbox.clone());
    let router = vetrina_server::app(state.clone(), vetrina_server::state::Assets::default());
    let (k, v) = auth();
    let sandbox = Some(r#"{"show_id":"demo","sandbox":true}"#);
    // Only the show's creator opens a sandbox cart.
    let r = call(&router, "POST", "/api/carts", &[], sandbox).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = call(&router, "POST", "/api/carts", &[(k, "Bearer wrong")], sandbox).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    // Another show's token opens nothing (and an unknown show answers the same).
    let r = call(&router, "POST", "/api/carts", &[(k, &v)], Some(r#"{"show_id":"nope","sandbox":true}"#)).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = call(&router, "POST", "/api/carts", &[(k, &v)], sandbox).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cart = r.json()["id"].as_str().unwrap().to_string();
    let stock = || async {
        sqlx::query_scalar::<_, i64>("SELECT stock FROM variants WHERE id = 13").fetch_one(&state.db).await.unwrap()
    };
    let before = stock().await;
    assert_eq!(add(&router, &cart, 13, 2).await.status, StatusCode::OK);
    let checkout = |key: &'static str, body: String| {
        let (router, cart) = (router.clone(), cart.clone());
        async move {
            call(&router, "POST", &format!("/api/carts/{cart}/checkout"), &[("idempotency-key", key)], Some(&body))
                .await
        }
    };
    // Refused where a real order would be: more than the stock left.
    let set_stock = |n: i64| {
        let db = state.db.clone();
        async move { sqlx::query("UPDATE variants SET stock = $1 WHERE id = 13").bind(n).execute(&db).await.unwrap() }
    };
    set_stock(1).await;
    assert_error(&checkout("t-", common::ADDRESS.to_string()).await, StatusCode::CONFLICT, "insufficient_stock");
    set_stock(before).await;
    // The test provider decides, whatever provider the shop has: a declining card declines.
    let r = checkout("t0", common::paying_with("tok_declined")).await;
    assert_error(&r, StatusCode::PAYMENT_REQUIRED, "card_declined");
    assert_eq!(stock().await, before, "a declined test order gave back stock it never took");
    let r = checkout("t1", common::ADDRESS.to_string()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let order = r.json();
    assert_eq!((order["test"].as_bool(), order["payment_status"].as_str()), (Some(true), Some("paid")));
    assert_eq!(stock().await, before, "a test order takes no stock");
    // The same key finds the same order.
    let again = checkout("t1", common::ADDRESS.to_string()).await;
    assert_eq!((again.status, &again.json()["number"]), (StatusCode::CREATED, &order["number"]));
    // No stock event went to viewers.
    let snap = call(&router, "GET", "/api/shows/demo", &[], None).await.json();
    assert_eq!(snap["last_event_id"], 0);
    // Its confirmation says it is a test.
    let text = String::from_utf8(outbox.0.lock().unwrap().last().unwrap().1.formatted()).unwrap();
    assert!(text.contains("Subject: TEST order"), "{text}");
    assert!(text.contains("This was a test order"), "{text}");
    // The figures leave it out; the order list marks it.
    let stats = call(&router, "GET", "/api/shows/demo/stats", &[(k, &v)], None).await.json();
    assert_eq!((stats["orders"].as_u64(), stats["revenue_minor"].as_i64()), (Some(0), Some(0)));
    assert_eq!(stats["products"], serde_json::json!([]));
    let list = call(&router, "GET", "/api/shows/demo/orders", &[(k, &v)], None).await.json();
    assert_eq!((list[0]["number"].as_str(), list[0]["test"].as_bool()), (order["number"].as_str(), Some(true)));
    // And a test order does not use up a real buyer's per-person limit
    // (Leather Tote, variant 14: one per buyer).
    let r = call(&router, "POST", "/api/carts", &[(k, &v)], sandbox).await;
    let test_cart = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(add(&router, &test_cart, 14, 1).await.status, StatusCode::OK);
    let r = call(
        &router,
        "POST",
        &format!("/api/carts/{test_cart}/checkout"),
        &[("idempotency-key", "t2")],
        Some(common::ADDRESS),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let real = new_cart(&router).await;
    assert_eq!(add(&router, &real, 14, 1).await.status, StatusCode::OK);
    let r = call(
        &router,
        "POST",
        &format!("/api/carts/{real}/checkout"),
        &[("idempotency-key", "r1")],
        Some(common::ADDRESS),
    )
    .await;
    assert_eq!((r.status, r.json()["test"].as_bool()), (StatusCode::CREATED, Some(false)), "{}", r.body);
}

#[tokio::test]
async fn a_catalogue_is_checked_row_by_row_then_imported_once() {
    let s = seeded().await;
    let (k, v) = auth();
    let before =
        call(&s.router, "GET", "/api/shows/demo", &[], None).await.json()["products"].as_array().unwrap().len();
    // Line 3 is bad: a price in another currency.
    let feed = "id\ttitle\tprice\tavailability\tsize\titem_group_id\timage_link\n\
                HAT-S\tWool Hat\t25.00 EUR\tin stock\tS\tHAT\thttps://cdn.example/hat.jpg\n\
                HAT-M\tWool Hat\t25.00 USD\tin stock\tM\tHAT\thttps://cdn.example/hat.jpg\n\
                SCARF\tSilk Scarf\t39.90 EUR\tout of stock\t\t\thttps://cdn.example/scarf.jpg\n";
    let body = |dry_run: bool, skip_bad: bool| {
        serde_json::json!({"format": "gmc", "source": feed, "dry_run": dry_run, "skip_bad": skip_bad}).to_string()
    };
    let path = "/api/shows/demo/import";
    assert_error(
        &call(&s.router, "POST", path, &[], Some(&body(true, false))).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );

    // The check: every product and every bad row, nothing written.
    let r = call(&s.router, "POST", path, &[(k, &v)], Some(&body(true, false))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = r.json();
    assert_eq!(report["imported"], false);
    assert_eq!(report["problems"][0]["line"], 3);
    assert!(report["problems"][0]["reason"].as_str().unwrap().contains("is in USD"), "{report}");
    let titles: Vec<&str> =
        report["products"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    // The good rows: the hat in its one good size, and the scarf.
    assert_eq!(titles, ["Wool Hat", "Silk Scarf"]);
    assert_eq!(report["products"][0]["variants"], 1);
    assert_eq!(
        (report["products"][1]["stock"].as_i64(), report["products"][1]["price_from_minor"].as_i64()),
        (Some(0), Some(3990))
    );
    let count = || async {
        call(&s.router, "GET", "/api/shows/demo", &[], None).await.json()["products"].as_array().unwrap().len()
    };
    assert_eq!(count().await, before);

    // With bad rows, an import adds nothing unless told to skip them.
    let r = call(&s.router, "POST", path, &[(k, &v), ("idempotency-key", "imp-0")], Some(&body(false, false))).await;
    assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "bad_rows");
    assert!(r.json()["message"].as_str().unwrap().contains("line 3"), "{}", r.body);
    assert_eq!(count().await, before);
    let r = call(&s.router, "POST", path, &[(k, &v), ("idempotency-key", "imp-1")], Some(&body(false, true))).await;
    assert_eq!((r.status, r.json()["imported"].as_bool()), (StatusCode::OK, Some(true)), "{}", r.body);
    // A retry with the same key finds the finished import and adds nothing more.
    let again = call(&s.router, "POST", path, &[(k, &v), ("idempotency-key", "imp-1")], Some(&body(false, true))).await;
    assert_eq!(
        (again.status, again.headers.get("idempotent-replayed").map(|h| h.to_str().unwrap())),
        (StatusCode::OK, Some("true"))
    );
    let snap = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json();
    let products = snap["products"].as_array().unwrap();
    assert_eq!(products.len(), before + 2);
    let scarf = products.last().unwrap();
    assert_eq!(
        (scarf["title"].as_str(), scarf["variants"][0]["price_minor"].as_i64()),
        (Some("Silk Scarf"), Some(3990))
    );

    // Files that cannot be read at all, and bad settings.
    for (json, code) in [
        (serde_json::json!({"format": "shopify", "source": "{\"products\": 3}", "dry_run": true}), "invalid_file"),
        (serde_json::json!({"format": "gmc", "source": "", "dry_run": true}), "invalid_file"),
        (serde_json::json!({"format": "gmc", "source": "id\ttitle\tprice\n"}), "nothing_to_import"),
        (serde_json::json!({"format": "gmc", "source": feed, "default_stock": -1}), "invalid_fields"),
    ] {
        let r = call(&s.router, "POST", path, &[(k, &v)], Some(&json.to_string())).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    let r = call(&s.router, "POST", path, &[(k, &v)], Some(r#"{"format":"csv","source":""}"#)).await;
    assert!(r.status.is_client_error() && r.json()["code"].is_string(), "{}", r.body);
    // A large catalogue goes through (the usual 64 KiB body limit is not the import's).
    let mut big = String::from("id\ttitle\tprice\tavailability\n");
    for i in 0..1500 {
        big.push_str(&format!(
            "SKU-{i}\tProduct number {i} with a long enough title\t{}.00 EUR\tin stock\n",
            10 + i % 90
        ));
    }
    assert!(big.len() > 64 * 1024);
    let json = serde_json::json!({"format": "gmc", "source": big, "dry_run": true}).to_string();
    let r = call(&s.router, "POST", path, &[(k, &v)], Some(&json)).await;
    assert_eq!((r.status, r.json()["products"].as_array().map(Vec::len)), (StatusCode::OK, Some(1500)));
}

#[tokio::test]
async fn the_run_sheet_keeps_notes_private_and_takes_a_new_order() {
    let s = seeded().await;
    let (k, v) = auth();
    assert_error(
        &call(&s.router, "GET", "/api/shows/demo/run-sheet", &[], None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let sheet = call(&s.router, "GET", "/api/shows/demo/run-sheet", &[(k, &v)], None).await.json();
    let ids: Vec<i64> = sheet.as_array().unwrap().iter().map(|e| e["product_id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 9, "the demo catalogue");
    assert!(sheet.as_array().unwrap().iter().all(|e| e["note"] == ""));

    // Notes: the creator's only.
    let note = Some(r#"{"note":"  Mention the 20% off  "}"#);
    assert_error(
        &call(&s.router, "PUT", "/api/shows/demo/products/2/note", &[], note).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let r = call(&s.router, "PUT", "/api/shows/demo/products/2/note", &[(k, &v)], note).await;
    assert_eq!((r.status, r.json()["note"].as_str()), (StatusCode::OK, Some("Mention the 20% off")), "{}", r.body);
    let long = serde_json::json!({"note": "x".repeat(501)}).to_string();
    assert_error(
        &call(&s.router, "PUT", "/api/shows/demo/products/2/note", &[(k, &v)], Some(&long)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_fields",
    );
    assert_error(
        &call(&s.router, "PUT", "/api/shows/demo/products/999/note", &[(k, &v)], note).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let public = call(&s.router, "GET", "/api/shows/demo", &[], None).await;
    assert!(!public.body.contains("Mention the 20% off"), "a note reached the public snapshot");
    let sheet = call(&s.router, "GET", "/api/shows/demo/run-sheet", &[(k, &v)], None).await.json();
    assert_eq!(sheet[1]["note"], "Mention the 20% off");

    // A new order: every product once, or nothing changes.
    let mut reversed = ids.clone();
    reversed.reverse();
    for bad in [&ids[1..], &[ids.clone(), vec![ids[0]]].concat()[..], &[&ids[1..], &[999]].concat()[..]] {
        let body = serde_json::json!({ "product_ids": bad }).to_string();
        let r = call(&s.router, "PUT", "/api/shows/demo/product-order", &[(k, &v)], Some(&body)).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "not_a_reordering");
    }
    let body = serde_json::json!({ "product_ids": reversed }).to_string();
    assert_error(
        &call(&s.router, "PUT", "/api/shows/demo/product-order", &[], Some(&body)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let r = call(&s.router, "PUT", "/api/shows/demo/product-order", &[(k, &v)], Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let snap = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json();
    let order: Vec<i64> = snap["products"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(order, reversed, "viewers' shelves follow the new order");
}

#[tokio::test]
async fn taps_and_adds_reach_the_creators_figures_but_not_the_sandboxes() {
    let s = seeded().await;
    let (k, v) = auth();
    for _ in 0..3 {
        let r = call(&s.router, "POST", "/api/shows/demo/taps", &[], Some(r#"{"product_id":4}"#)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    assert_error(
        &call(&s.router, "POST", "/api/shows/demo/taps", &[], Some(r#"{"product_id":999}"#)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &call(&s.router, "POST", "/api/shows/nope/taps", &[], Some(r#"{"product_id":4}"#)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let cart = new_cart(&s.router).await;
    assert_eq!(add(&s.router, &cart, 13, 1).await.status, StatusCode::OK);
    assert_eq!(add(&s.router, &cart, 13, 1).await.status, StatusCode::OK);
    assert_eq!(add(&s.router, &cart, 1, 1).await.status, StatusCode::OK);
    let sandbox = call(&s.router, "POST", "/api/carts", &[(k, &v)], Some(r#"{"show_id":"demo","sandbox":true}"#)).await;
    let sandbox = sandbox.json()["id"].as_str().unwrap().to_string();
    assert_eq!(add(&s.router, &sandbox, 13, 1).await.status, StatusCode::OK);
    let stats = call(&s.router, "GET", "/api/shows/demo/stats", &[(k, &v)], None).await.json();
    let mug = stats["products"].as_array().unwrap().iter().find(|p| p["product_id"] == 4).unwrap().clone();
    assert_eq!((mug["taps"].as_u64(), mug["adds"].as_u64(), mug["orders"].as_u64()), (Some(3), Some(2), Some(0)));
    // The most added first; products nobody touched are not listed.
    assert_eq!(stats["products"][0]["product_id"], 4);
    assert_eq!(stats["products"].as_array().unwrap().len(), 2);
    // A flood from one address is cut off: a burst of 30 (the five reports above, the two
    // refused ones too, took five), then 2 a second.
    let mut refused = None;
    for i in 0..40 {
        let r = call(&s.router, "POST", "/api/shows/demo/taps", &[], Some(r#"{"product_id":4}"#)).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, r));
            break;
        }
    }
    let (after, r) = refused.expect("a flood of taps is refused");
    assert!((20..30).contains(&after), "refused after {after} more taps");
    assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(r.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn schedule_currency_shipping_theme_and_embed_origins_are_the_creators_to_set() {
    let s = seeded().await;
    let (k, v) = auth();
    let patch = |body: serde_json::Value| {
        let router = s.router.clone();
        let v = v.clone();
        async move { call(&router, "PATCH", "/api/shows/demo", &[("authorization", &v)], Some(&body.to_string())).await }
    };
    let r = patch(serde_json::json!({
        "scheduled_for_ms": 1_893_456_000_000_i64,
        "currency": "GBP",
        "shipping": {"flat_minor": 300, "free_from_minor": null},
        "theme": {"accent": "#0a7d5a", "radius": "8px"}
    }))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let show = r.json();
    assert_eq!((show["currency"].as_str(), show["scheduled_for_ms"].as_i64()), (Some("GBP"), Some(1_893_456_000_000)));
    assert_eq!(show["shipping"], serde_json::json!({"flat_minor": 300, "free_from_minor": null}));
    assert_eq!(show["theme"]["accent"], "#0a7d5a");
    // Carts follow the show's shipping policy: 300 on any order now, never free.
    let cart = new_cart(&s.router).await;
    let r = add(&s.router, &cart, 14, 1).await; // Leather Tote, well over the old free threshold
    assert_eq!((r.json()["shipping_minor"].as_i64(), r.json()["currency"].as_str()), (Some(300), Some("GBP")));
    // null clears the schedule; bad values are named.
    let r = patch(serde_json::json!({"scheduled_for_ms": null})).await;
    assert!(r.json().get("scheduled_for_ms").is_none(), "{}", r.body);
    for (body, field) in [
        (serde_json::json!({"currency": "eur"}), "currency"),
        (serde_json::json!({"shipping": {"flat_minor": -1, "free_from_minor": null}}), "shipping"),
        (serde_json::json!({"theme": {"accent": "red;} body{display:none"}}), "theme"),
        (serde_json::json!({"scheduled_for_ms": 42}), "scheduled_for_ms"),
    ] {
        let r = patch(body.clone()).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
        assert_eq!(r.json()["fields"][0]["field"], field, "{body}");
    }
    // Once there is an order, the currency stays.
    let r =
        call(&s.router, "POST", &format!("/api/carts/{cart}/checkout"), &[("idempotency-key", "gbp-1")], Some(ADDRESS))
            .await;
    assert_eq!((r.status, r.json()["currency"].as_str()), (StatusCode::CREATED, Some("GBP")), "{}", r.body);
    assert_error(&patch(serde_json::json!({"currency": "EUR"})).await, StatusCode::CONFLICT, "currency_locked");
    assert_eq!(
        patch(serde_json::json!({"currency": "GBP"})).await.status,
        StatusCode::OK,
        "the same currency is no change"
    );

    // Embed origins: read back what was set, creator only.
    assert_error(
        &call(&s.router, "GET", "/api/shows/demo/embed-origins", &[], None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let body = Some(r#"{"origins":["https://Brand.example/"]}"#);
    assert_eq!(call(&s.router, "PUT", "/api/shows/demo/embed-origins", &[(k, &v)], body).await.status, StatusCode::OK);
    let r = call(&s.router, "GET", "/api/shows/demo/embed-origins", &[(k, &v)], None).await;
    assert_eq!(r.json()["origins"], serde_json::json!(["https://brand.example"]));
}

#[tokio::test]
async fn the_operator_creates_shows_and_their_tokens_open_them() {
    let body = r#"{"id":"autumn-edit","title":"Autumn Edit","currency":"EUR","locale":"it-IT"}"#;
    // A server that takes no operator token creates no show over the API.
    let closed = seeded().await;
    let r = call(&closed.router, "POST", "/api/shows", &[("authorization", "Bearer anything-at-all-here")], Some(body))
        .await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");

    let operator = "operator-token-0123456789";
    let config = vetrina_server::state::Config { operator_token: Some(operator.into()), ..Default::default() };
    let s = common::seeded_with(config).await;
    let bearer = format!("Bearer {operator}");
    assert_error(
        &call(&s.router, "POST", "/api/shows", &[], Some(body)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let (k, creator) = auth();
    // A creator's token is not the operator's.
    assert_error(
        &call(&s.router, "POST", "/api/shows", &[(k, &creator)], Some(body)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let r = call(&s.router, "POST", "/api/shows", &[(k, &bearer)], Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = r.json();
    assert_eq!(
        (created["show"]["id"].as_str(), created["show"]["status"].as_str()),
        (Some("autumn-edit"), Some("scheduled"))
    );
    let token = format!("Bearer {}", created["creator_token"].as_str().unwrap());
    let r = call(&s.router, "GET", "/api/shows/autumn-edit/creator", &[(k, &token)], None).await;
    assert_eq!(r.status, StatusCode::OK, "the new token opens the new show: {}", r.body);
    assert_error(
        &call(&s.router, "GET", "/api/shows/demo/creator", &[(k, &token)], None).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    let snap = call(&s.router, "GET", "/api/shows/autumn-edit", &[], None).await.json();
    assert_eq!(snap["products"], serde_json::json!([]));
    // Once only, and by the rules.
    assert_error(
        &call(&s.router, "POST", "/api/shows", &[(k, &bearer)], Some(body)).await,
        StatusCode::CONFLICT,
        "show_exists",
    );
    for (bad, field) in [
        (body.replace("autumn-edit", "autumn edit"), "id"),
        (body.replace("Autumn Edit", "  "), "title"),
        (body.replace("EUR", "euro"), "currency"),
        (body.replace("it-IT", "it_IT"), "locale"),
    ] {
        let r = call(&s.router, "POST", "/api/shows", &[(k, &bearer)], Some(&bad)).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
        assert_eq!(r.json()["fields"][0]["field"], field, "{bad}");
    }
}

/// One convention for a body that breaks its own rules (issue 23e): every
/// endpoint that reads one answers 422 `invalid_fields`, naming the field,
/// whatever the body and whoever wrote the rule.
#[tokio::test]
async fn a_body_that_breaks_a_rule_gets_the_same_answer_from_every_endpoint() {
    let config = vetrina_server::Config { operator_token: Some("op".into()), ..common::unlimited() };
    let s = common::seeded_with(config).await;
    let cart = new_cart(&s.router).await;
    let (creator, operator) = (auth(), ("authorization", "Bearer op".to_string()));
    let long_note = format!(r#"{{"note":"{}"}}"#, "x".repeat(vetrina_wire::MAX_NOTE_CHARS + 1));
    let bad_email = ADDRESS.replace("ada@example.com", "not an address");
    let lines = format!("/api/carts/{cart}/lines");
    let checkout = format!("/api/carts/{cart}/checkout");
    // Method, path, body, the field it breaks, and the credential to send.
    type Case<'a> = (&'a str, &'a str, &'a str, &'a str, &'a (&'a str, String));
    let cases: &[Case] = &[
        ("POST", "/api/shows", r#"{"id":"a b","title":"T","currency":"EUR","locale":"en"}"#, "id", &operator),
        ("PATCH", "/api/shows/demo", r#"{"title":"   "}"#, "title", &creator),
        ("PATCH", "/api/shows/demo/variants/1", r#"{"stock":-1}"#, "stock", &creator),
        ("PATCH", "/api/shows/demo/variants/1", r#"{"price_minor":100000000000000000}"#, "price_minor", &creator),
        (
            "POST",
            "/api/shows/demo/offers",
            r#"{"variant_id":1,"price_minor":1,"unit_cap":0,"per_buyer":1,"duration_s":60}"#,
            "unit_cap",
            &creator,
        ),
        ("PUT", "/api/shows/demo/products/1/note", &long_note, "note", &creator),
        ("PUT", "/api/shows/demo/embed-origins", r#"{"origins":["*"]}"#, "origins", &creator),
        (
            "POST",
            "/api/shows/demo/import",
            r#"{"format":"gmc","source":"x","default_stock":-1}"#,
            "default_stock",
            &creator,
        ),
        ("POST", &lines, r#"{"variant_id":1,"quantity":0}"#, "quantity", &creator),
        ("POST", &checkout, &bad_email, "email", &creator),
    ];
    for (method, path, body, field, (name, value)) in cases {
        let headers = [(*name, value.as_str()), ("idempotency-key", "k-1")];
        let r = call(&s.router, method, path, &headers, Some(body)).await;
        assert_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_fields");
        let named: Vec<String> =
            r.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect();
        assert!(named.iter().any(|n| n == field), "{method} {path}: {named:?} should name {field}: {}", r.body);
    }
}
