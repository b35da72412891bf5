//! The server on the open internet: what an anonymous caller can make it hold
//! (memory, bodies, connections, time) is bounded, and nothing is read before
//! the caller is known. Each test here was seen failing before its fix (issue 22).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{auth, call, seeded, seeded_with};
use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;
use vetrina_server::state::Config;

/// A request body of `chunks` × 16 KiB that counts how much of it the server read.
fn counted_body(chunks: usize) -> (Body, Arc<AtomicUsize>) {
    let read = Arc::new(AtomicUsize::new(0));
    let counter = read.clone();
    let stream = futures_util::stream::iter((0..chunks).map(move |_| {
        counter.fetch_add(16 * 1024, Ordering::SeqCst);
        Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b' '; 16 * 1024]))
    }));
    (Body::from_stream(stream), read)
}

async fn post_counted(
    router: &axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
    chunks: usize,
) -> (StatusCode, usize) {
    let (body, read) = counted_body(chunks);
    let mut req = Request::builder().method("POST").uri(uri).header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let _ = res.into_body().collect().await;
    (status, read.load(Ordering::SeqCst))
}

#[tokio::test]
async fn no_body_is_read_before_its_caller_is_known() {
    let s = seeded().await;
    // 1 MiB to the import of a show without its token: refused unread.
    let (status, read) = post_counted(&s.router, "/api/shows/demo/import", &[], 64).await;
    assert_eq!((status, read), (StatusCode::UNAUTHORIZED, 0));
    // The same to an unknown route that merely ends in /import.
    let (status, read) = post_counted(&s.router, "/api/nothing/here/import", &[], 64).await;
    assert_eq!((status, read), (StatusCode::NOT_FOUND, 0));
    let (status, read) = post_counted(&s.router, "/api/carts/x/import", &[], 64).await;
    assert_eq!((status, read), (StatusCode::NOT_FOUND, 0));
    // A creator endpoint with a wrong token, and the operator's without one.
    let (status, read) =
        post_counted(&s.router, "/api/shows/demo/pins", &[("authorization", "Bearer wrong-token")], 4).await;
    assert_eq!((status, read), (StatusCode::UNAUTHORIZED, 0));
    let (status, read) = post_counted(&s.router, "/api/shows", &[], 4).await;
    assert_eq!((status, read), (StatusCode::UNAUTHORIZED, 0));
    // A public endpoint reads no further than its small limit.
    let (status, read) = post_counted(&s.router, "/api/carts", &[], 64).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(read <= 96 * 1024, "read {read} bytes of a body over the limit");
    // The creator's import takes its large body (not JSON here, so 400 after reading it).
    let (k, v) = auth();
    let (status, read) = post_counted(&s.router, "/api/shows/demo/import", &[(k, &v)], 64).await;
    assert_eq!((status, read), (StatusCode::BAD_REQUEST, 1024 * 1024));
}

#[tokio::test]
async fn event_streams_of_unknown_shows_leave_nothing_behind() {
    let s = seeded().await;
    for i in 0..200 {
        let r = call(&s.router, "GET", &format!("/api/shows/nope-{i}/events"), &[], None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    }
    let long = "a".repeat(65);
    let r = call(&s.router, "GET", &format!("/api/shows/{long}/events"), &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(s.state.hub.channels(), 0, "a channel per unknown show");

    // A real show's channel goes once nobody has listened for two sweeps.
    let req = Request::builder().uri("/api/shows/demo/events").body(Body::empty()).unwrap();
    let stream = s.router.clone().oneshot(req).await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(s.state.hub.channels(), 1);
    s.state.hub.sweep();
    s.state.hub.sweep();
    assert_eq!(s.state.hub.channels(), 1, "a channel with a listener stays");
    drop(stream);
    s.state.hub.sweep();
    assert_eq!(s.state.hub.channels(), 1, "idle once is not idle for long");
    s.state.hub.sweep();
    assert_eq!(s.state.hub.channels(), 0, "an idle channel stays for good");
    // And events still reach the next viewer.
    let (k, v) = auth();
    let r = call(&s.router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(r#"{"product_id":1}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_trickles_is_cut_off() {
    let config = Config { body_read_timeout: Duration::from_millis(500), ..Config::default() };
    let server = common::live_with(config).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = "POST /api/carts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server kept a trickling body open");
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("body_timeout"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_a_bounded_number_of_connections() {
    let config = Config { max_connections_per_client: 3, ..Config::default() };
    let server = common::live_with(config).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(tokio::net::TcpStream::connect(server.addr).await.unwrap());
    }
    // Accepted in order: give the server a moment to count the three.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut fourth = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let _ = fourth.write_all(b"GET /api/shows/demo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(3), fourth.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the fourth connection was kept open");
    assert!(buf.is_empty(), "the fourth connection was served: {}", String::from_utf8_lossy(&buf));
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = common::http(server.addr, "GET", "/api/shows/demo", &[], None).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_listener_speaks_http1_only() {
    let server = common::live().await;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    // HTTP/2 with prior knowledge (h2c): the preface and an empty SETTINGS frame.
    stream.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00").await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "an HTTP/2 connection was held open");
    let text = String::from_utf8_lossy(&buf);
    assert!(buf.is_empty() || text.starts_with("HTTP/1.1 4"), "answered in HTTP/2: {buf:?}");
}

#[tokio::test]
async fn an_import_keeps_the_caps_of_an_edit() {
    let s = seeded_with(Config::default()).await;
    let (k, v) = auth();
    let file = serde_json::json!({"products": [
        {"title": "Huge stock", "variants": [{"price": "10.00", "inventory_quantity": 9_007_199_254_740_993_i64}]},
        {"title": "Huge price", "variants": [{"price": "99999999999999.00", "inventory_quantity": 1}]},
        {"title": "Huge compare-at", "variants": [{"price": "1.00", "compare_at_price": "99999999999999.00"}]},
        {"title": "Script picture", "variants": [{"price": "1.00"}], "images": [{"src": "javascript:alert(1)"}]},
        {"title": "Fine", "variants": [{"price": "10.00", "inventory_quantity": 4}]}
    ]});
    let body = serde_json::json!({"format": "shopify", "source": file.to_string(), "skip_bad": true});
    let r = call(&s.router, "POST", "/api/shows/demo/import", &[(k, &v)], Some(&body.to_string())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = r.json();
    assert_eq!(report["products"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["problems"].as_array().unwrap().len(), 4, "{report}");
    let snapshot = call(&s.router, "GET", "/api/shows/demo", &[], None).await;
    assert_eq!(snapshot.status, StatusCode::OK);
    let largest = snapshot.json()["products"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["variants"].as_array().unwrap().clone())
        .map(|v| v["stock"].as_i64().unwrap())
        .max()
        .unwrap();
    assert!(largest <= vetrina_wire::MAX_STOCK);
}

#[tokio::test]
async fn a_stream_url_names_no_other_host_by_a_path_trick() {
    let s = seeded().await;
    let (k, v) = auth();
    for url in ["//evil.example/live.m3u8", "/\\evil.example/live.m3u8"] {
        let body = serde_json::json!({ "stream_url": url }).to_string();
        let r = call(&s.router, "PATCH", "/api/shows/demo", &[(k, &v)], Some(&body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {}", r.body);
    }
}

#[tokio::test]
async fn anonymous_carts_cannot_drain_a_flash_drop() {
    const MUG: i64 = 13; // 25 in stock
    let s = seeded().await;
    let (k, v) = auth();
    let terms = r#"{"variant_id":13,"price_minor":900,"unit_cap":3,"per_buyer":1,"duration_s":60}"#;
    let r = call(&s.router, "POST", "/api/shows/demo/offers", &[(k, &v)], Some(terms)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let offer = r.json()["id"].as_i64().unwrap();
    let claim = |cart: String| {
        let router = s.router.clone();
        async move {
            let body = format!(r#"{{"variant_id":{MUG},"quantity":1,"offer_id":{offer}}}"#);
            call(&router, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(&body)).await
        }
    };
    let new_cart = || async {
        call(&s.router, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await.json()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Someone claims the drop from ten carts and never buys.
    for _ in 0..10 {
        assert_eq!(claim(new_cart().await).await.status, StatusCode::OK);
    }
    // Real viewers still get the flash price, and the first three to pay get the units.
    let mut carts = Vec::new();
    for _ in 0..4 {
        let cart = new_cart().await;
        let r = claim(cart.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "a real viewer was refused a drop nobody bought: {}", r.body);
        carts.push(cart);
    }
    for (i, cart) in carts.iter().enumerate() {
        let body = common::ADDRESS.replace("ada@example.com", &format!("buyer{i}@example.com"));
        let key = format!("drop-{i}");
        let r =
            call(&s.router, "POST", &format!("/api/carts/{cart}/checkout"), &[("idempotency-key", &key)], Some(&body))
                .await;
        if i < 3 {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            assert_eq!(r.json()["lines"][0]["unit_price_minor"], 900);
        } else {
            assert_eq!(
                (r.status, r.json()["code"].as_str()),
                (StatusCode::CONFLICT, Some("offer_sold_out")),
                "{}",
                r.body
            );
        }
    }
    // Sold out now: a new claim is refused at once.
    let r = claim(new_cart().await).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::CONFLICT, Some("offer_sold_out")));
}

#[tokio::test]
async fn no_payment_provider_no_orders_and_the_show_says_so() {
    // A server nobody told which provider takes payments: never the test one.
    let media = tempfile::tempdir().unwrap();
    let pool = common::memory_db().await;
    vetrina_server::demo::seed(&pool, media.path(), Some(common::TOKEN)).await.unwrap();
    let state = vetrina_server::state::AppState::new(pool);
    let router = vetrina_server::app(state, vetrina_server::state::Assets::default());
    let snapshot = call(&router, "GET", "/api/shows/demo", &[], None).await.json();
    assert_eq!(snapshot["payments"], "unavailable", "{}", snapshot["payments"]);
    let cart = common::cart_in(&router, 13).await;
    let r = call(
        &router,
        "POST",
        &format!("/api/carts/{cart}/checkout"),
        &[("idempotency-key", "k1")],
        Some(common::ADDRESS),
    )
    .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::CONFLICT, Some("checkout_unavailable")),
        "{}",
        r.body
    );
    // Nothing was taken, and the cart is still open.
    let again = call(&router, "GET", &format!("/api/carts/{cart}"), &[], None).await;
    assert_eq!(again.status, StatusCode::OK);
    let stock =
        call(&router, "GET", "/api/shows/demo", &[], None).await.json()["products"][3]["variants"][0]["stock"].as_i64();
    assert_eq!(stock, Some(25));
    // The creator's preview still places test orders.
    let (k, v) = auth();
    let sandbox = call(&router, "POST", "/api/carts", &[(k, &v)], Some(r#"{"show_id":"demo","sandbox":true}"#)).await;
    let sandbox = sandbox.json()["id"].as_str().unwrap().to_string();
    let r =
        call(&router, "POST", &format!("/api/carts/{sandbox}/lines"), &[], Some(r#"{"variant_id":13,"quantity":1}"#))
            .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(
        &router,
        "POST",
        &format!("/api/carts/{sandbox}/checkout"),
        &[("idempotency-key", "k2")],
        Some(common::ADDRESS),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["test"], true);
}

#[tokio::test]
async fn a_show_holds_a_bounded_catalogue() {
    let s = seeded().await;
    let (k, v) = auth();
    let has = call(&s.router, "GET", "/api/shows/demo", &[], None).await.json()["products"].as_array().unwrap().len();
    let room = usize::try_from(vetrina_wire::MAX_PRODUCTS_PER_SHOW).unwrap() - has;
    let file = |n: usize| {
        let products: Vec<_> = (0..n)
            .map(|i| serde_json::json!({"title": format!("P{i}"), "variants": [{"price": "1.00", "inventory_quantity": 1}]}))
            .collect();
        serde_json::json!({"format": "shopify", "source": serde_json::json!({"products": products}).to_string()})
            .to_string()
    };
    // One more than fits: refused whole, with the numbers.
    let r = call(&s.router, "POST", "/api/shows/demo/import", &[(k, &v)], Some(&file(room + 1))).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("too_many_products")));
    // Exactly what fits: imported, and the show (2,000 products) loads.
    let r = call(&s.router, "POST", "/api/shows/demo/import", &[(k, &v)], Some(&file(room))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let snapshot = call(&s.router, "GET", "/api/shows/demo", &[], None).await;
    assert_eq!(snapshot.json()["products"].as_array().unwrap().len(), 2_000);
}

#[tokio::test]
async fn answers_with_personal_data_or_a_token_are_never_stored_by_caches() {
    let s = seeded().await;
    let cart = common::cart_in(&s.router, 13).await;
    let r = call(&s.router, "GET", &format!("/api/carts/{cart}"), &[], None).await;
    assert_eq!(r.headers["cache-control"], "no-store");
    let r = call(
        &s.router,
        "POST",
        &format!("/api/carts/{cart}/checkout"),
        &[("idempotency-key", "ns")],
        Some(common::ADDRESS),
    )
    .await;
    assert_eq!((r.status, r.headers["cache-control"].to_str().unwrap()), (StatusCode::CREATED, "no-store"));
    let order = r.json()["id"].as_str().unwrap().to_string();
    let r = call(&s.router, "GET", &format!("/api/orders/{order}"), &[], None).await;
    assert_eq!(r.headers["cache-control"], "no-store");
    let (k, v) = auth();
    let r = call(&s.router, "GET", "/api/shows/demo/creator", &[(k, &v)], None).await;
    assert_eq!(r.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused() {
    let s = seeded().await;
    // What an HTML form on another site can send without a preflight.
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        let req = Request::builder()
            .method("POST")
            .uri("/api/carts")
            .header("content-type", content_type)
            .body(Body::from(r#"{"show_id":"demo"}"#))
            .unwrap();
        let r = s.router.clone().oneshot(req).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
    }
    let r = call(&s.router, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_replayed_request_is_authorized_again_and_keeps_no_secret() {
    let s = seeded().await;
    let (k, old) = auth();
    let first =
        call(&s.router, "POST", "/api/shows/demo/creator-token", &[(k, &old), ("idempotency-key", "rot")], None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let new_token = first.json()["token"].as_str().unwrap().to_string();
    // The old token, with the same key: refused, never the new token.
    let again =
        call(&s.router, "POST", "/api/shows/demo/creator-token", &[(k, &old), ("idempotency-key", "rot")], None).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{}", again.body);
    assert!(!again.body.contains(&new_token));
    // A checkout's record keeps neither its payment token nor its buyer's details.
    let cart = common::cart_in(&s.router, 13).await;
    let r = call(
        &s.router,
        "POST",
        &format!("/api/carts/{cart}/checkout"),
        &[("idempotency-key", "sec")],
        Some(common::ADDRESS),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let records: Vec<(String, String)> =
        sqlx::query_as("SELECT request, response FROM idempotency_keys").fetch_all(&s.state.db).await.unwrap();
    for (request, response) in &records {
        for secret in ["tok_visa", &new_token, "test-creator-token"] {
            assert!(!request.contains(secret) && !response.contains(secret), "{secret} kept in {request} / {response}");
        }
        assert!(!request.contains("1 Via Roma"), "the buyer's address kept: {request}");
    }
    // The show's tokens are kept hashed.
    let stored: String =
        sqlx::query_scalar("SELECT creator_token FROM shows WHERE id = 'demo'").fetch_one(&s.state.db).await.unwrap();
    assert_ne!(stored, new_token);
    assert!(!stored.contains(&new_token));
}

#[tokio::test]
async fn guessing_a_creator_token_is_throttled() {
    let s = seeded().await;
    let mut refused = 0;
    for i in 0..40 {
        let wrong = format!("Bearer wrong-{i}");
        let r = call(&s.router, "GET", "/api/shows/demo/creator", &[("authorization", &wrong)], None).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        } else {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
    }
    assert!(refused >= 20, "40 wrong tokens in a row, {refused} throttled");
    // No token at all is not a guess: still a plain 401.
    let r = call(&s.router, "GET", "/api/shows/demo/creator", &[], None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn carts_are_rate_limited_per_client() {
    let s = seeded().await;
    let mut limited = false;
    for _ in 0..200 {
        let r = call(&s.router, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            assert!(r.headers.contains_key("retry-after"));
            break;
        }
        assert_eq!(r.status, StatusCode::CREATED);
    }
    assert!(limited, "200 carts from one client in a moment");
}

#[tokio::test]
async fn names_and_addresses_lose_their_control_characters() {
    let s = seeded().await;
    let cart = common::cart_in(&s.router, 13).await;
    let body = common::ADDRESS
        .replace("Ada Lovelace", "Ada\\u0007 Love\\u202elace")
        .replace("1 Via Roma", "1 Via\\u001b[31m Roma");
    let r = call(&s.router, "POST", &format!("/api/carts/{cart}/checkout"), &[("idempotency-key", "cc")], Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["name"], "Ada Lovelace");
    let address: String = sqlx::query_scalar("SELECT address FROM orders WHERE checkout_key = 'cc'")
        .fetch_one(&s.state.db)
        .await
        .unwrap();
    assert!(address.contains("1 Via[31m Roma"), "{address}");
}

#[tokio::test]
async fn hsts_only_when_told_the_server_is_behind_tls() {
    let plain = seeded().await;
    let r = call(&plain.router, "GET", "/api/shows/demo", &[], None).await;
    assert!(!r.headers.contains_key("strict-transport-security"));
    let tls = seeded_with(Config { behind_tls: true, ..Config::default() }).await;
    let r = call(&tls.router, "GET", "/api/shows/demo", &[], None).await;
    assert_eq!(r.headers["strict-transport-security"], "max-age=31536000; includeSubDomains");
}

#[tokio::test]
async fn a_plus_address_is_the_same_buyer() {
    let s = seeded().await;
    // Leather Tote (variants 14, 15): one per buyer.
    let first = common::cart_in(&s.router, 14).await;
    let r = call(
        &s.router,
        "POST",
        &format!("/api/carts/{first}/checkout"),
        &[("idempotency-key", "p1")],
        Some(common::ADDRESS),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let second = common::cart_in(&s.router, 15).await;
    let plus = common::ADDRESS.replace("ada@example.com", "Ada+again@Example.com");
    let r =
        call(&s.router, "POST", &format!("/api/carts/{second}/checkout"), &[("idempotency-key", "p2")], Some(&plus))
            .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("buyer_limit")),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_missing_media_file_is_a_json_404() {
    let media = tempfile::tempdir().unwrap();
    let pool = common::memory_db().await;
    let state = vetrina_server::state::AppState::new(pool);
    let assets = vetrina_server::state::Assets { dist: None, media: Some(media.path().to_path_buf()) };
    let router = vetrina_server::app(state, assets);
    let r = call(&router, "GET", "/media/nope.png", &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_backlog_arrives_whole_a_page_at_a_time() {
    let server = common::live().await;
    // 1,201 events: over two pages of the backlog.
    for i in 0..1_201 {
        let event = vetrina_wire::ShowEvent::Stock { product_id: 4, variant_id: 13, stock: i };
        vetrina_server::live::events::record(&server.state, "demo", event).await.unwrap();
    }
    let mut sse = common::Sse::connect(server.addr, "/api/shows/demo/events?since=0", None).await;
    let mut last = 0;
    for _ in 0..1_201 {
        let (id, data) = sse.next_within(Duration::from_secs(10)).await.expect("the whole backlog");
        assert!(id > last, "in order, once");
        last = id;
        assert_eq!(data["type"], "stock");
    }
    // Then live events on the same stream.
    let event = vetrina_wire::ShowEvent::Stock { product_id: 4, variant_id: 13, stock: 7 };
    let live = vetrina_server::live::events::record(&server.state, "demo", event).await.unwrap();
    assert_eq!(sse.next_within(Duration::from_secs(5)).await.unwrap().0, live.id);
}

#[tokio::test]
async fn carts_nobody_came_back_to_are_purged() {
    let s = seeded().await;
    let old = common::cart_in(&s.router, 13).await;
    let recent = common::cart_in(&s.router, 13).await;
    let month_ago = vetrina_server::util::now_ms() - 31 * 24 * 3600 * 1000;
    sqlx::query("UPDATE carts SET created_at_ms = $1 WHERE id = $2")
        .bind(month_ago)
        .bind(&old)
        .execute(&s.state.db)
        .await
        .unwrap();
    sqlx::query("UPDATE cart_lines SET added_at_ms = $1 WHERE cart_id = $2")
        .bind(month_ago)
        .bind(&old)
        .execute(&s.state.db)
        .await
        .unwrap();
    let purged =
        vetrina_server::shop::carts::purge_abandoned(&s.state.writer, vetrina_server::util::now_ms()).await.unwrap();
    assert_eq!(purged, 1);
    assert_eq!(call(&s.router, "GET", &format!("/api/carts/{old}"), &[], None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&s.router, "GET", &format!("/api/carts/{recent}"), &[], None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_endpoint_that_is_not_public_answers_401_without_its_token() {
    // Wrong tokens by the dozen: not throttled here (guessing_a_creator_token_is_throttled is).
    let s = seeded_with(Config {
        wrong_token_rate: vetrina_server::state::ratelimit::Rate::UNLIMITED,
        ..Config::default()
    })
    .await;
    let mut checked = 0;
    for e in vetrina_server::endpoints() {
        use vetrina_server::http::endpoint::Access;
        // (A signed webhook answers 400 without its signature: tests/stripe.rs.)
        if !matches!(e.access, Access::Creator | Access::Operator) {
            continue;
        }
        let path = ["{show}", "{variant}", "{product}"]
            .iter()
            .zip(["demo", "1", "1"])
            .fold(e.path.to_string(), |p, (param, value)| p.replace(param, value));
        for token in [None, Some("Bearer not-the-token-of-this-show")] {
            let headers: Vec<(&str, &str)> = token.map(|t| ("authorization", t)).into_iter().collect();
            let r = call(&s.router, e.method.as_str(), &format!("/api{path}"), &headers, Some("{}")).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{} {path} with {token:?}: {}", e.method, r.body);
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} endpoints are not public");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_carries_every_header_the_other_answers_do() {
    let server = common::live_with(Config { behind_tls: true, ..common::unlimited() }).await;
    let api = common::http(server.addr, "GET", "/api/shows/demo", &[], None).await;
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(b"GET /api/shows/demo/events HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    for name in ["x-content-type-options", "referrer-policy", "strict-transport-security"] {
        let value = api.headers[name].to_str().unwrap().to_ascii_lowercase();
        assert!(head.contains(&format!("{name}: {value}\r\n")), "{name} missing from the stream's head: {head}");
    }
}

/// A show's page, as a browser taking `encoding` gets it: status and Content-Encoding.
async fn page(router: &axum::Router, encoding: &str) -> (StatusCode, String) {
    let req = Request::builder().uri("/?show=demo").header("accept-encoding", encoding).body(Body::empty()).unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let coding = res.headers().get("content-encoding").map_or("", |v| v.to_str().unwrap()).to_string();
    (res.status(), coding)
}

#[tokio::test]
async fn a_shows_page_is_compressed_once_per_version() {
    use std::sync::atomic::Ordering::SeqCst;
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><html lang=en><head><title>V</title></head><body></body></html>",
    )
    .unwrap();
    let media = tempfile::tempdir().unwrap();
    let pool = common::memory_db().await;
    vetrina_server::demo::seed(&pool, media.path(), Some(common::TOKEN)).await.unwrap();
    let state = vetrina_server::state::AppState::new(pool);
    let router =
        vetrina_server::app(state, vetrina_server::state::Assets { dist: Some(dist.path().into()), media: None });
    let packs = || vetrina_server::edge::assets::PAGES.packs.load(SeqCst);
    let before = packs();
    for _ in 0..3 {
        assert_eq!(page(&router, "br, gzip").await, (StatusCode::OK, "br".to_string()));
    }
    assert_eq!(packs() - before, 1, "three views of an unchanged show, one compression");
    // Only the encoding asked for; a new version is compressed anew.
    assert_eq!(page(&router, "gzip").await, (StatusCode::OK, "gzip".to_string()));
    assert_eq!(packs() - before, 2);
    let (k, v) = auth();
    call(&router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(r#"{"product_id":1}"#)).await;
    page(&router, "br").await;
    assert_eq!(packs() - before, 3);
}

#[tokio::test]
async fn a_guess_at_a_show_that_cannot_exist_leaves_no_key_behind() {
    let s = seeded().await;
    let long = "x".repeat(4_000);
    let r =
        call(&s.router, "GET", &format!("/api/shows/{long}/creator"), &[("authorization", "Bearer guess")], None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        s.state.sign_in_failures.wait(&format!("show {long}")).is_none()
            && s.state.sign_in_failures.keys().iter().all(|k| k.len() < 100),
        "a 4 KB path became a limiter key"
    );
}
