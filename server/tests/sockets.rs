//! The server over real sockets: the SSE stream's resume after a dropped
//! connection, and checkouts racing each other for the last units.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{http, live, pin, Sse, ADDRESS};
use tokio::io::AsyncBufReadExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_resumes_after_a_dropped_connection_without_loss_or_duplicates() {
    let server = live().await;
    let addr = server.addr;
    let mut sse = Sse::connect(addr, "/api/shows/demo/events?since=0", None).await;
    let mut seen = Vec::new();
    for product in 1..=3 {
        pin(addr, product).await;
    }
    for _ in 0..3 {
        let (id, data) = sse.next().await;
        assert_eq!(data["id"], id);
        seen.push(id);
    }
    // The viewer's connection drops; the host keeps pinning.
    drop(sse);
    for product in 4..=5 {
        pin(addr, product).await;
    }
    // The browser reconnects with the id it last saw; ?since in the URL is older and must lose.
    let mut sse = Sse::connect(addr, "/api/shows/demo/events?since=0", Some(*seen.last().unwrap())).await;
    for _ in 0..2 {
        seen.push(sse.next().await.0);
    }
    pin(addr, 6).await;
    let (id, data) = sse.next().await;
    seen.push(id);
    assert_eq!(data["type"], "pin");
    assert_eq!(data["product_id"], 6);
    assert_eq!(seen, [1, 2, 3, 4, 5, 6]);
    assert!(sse.next_within(Duration::from_millis(300)).await.is_none(), "nothing repeated");

    // A late joiner without a position starts from now: the snapshot has the past.
    let mut late = Sse::connect(addr, "/api/shows/demo/events", None).await;
    assert!(late.next_within(Duration::from_millis(200)).await.is_none());
    let id = pin(addr, 7).await;
    assert_eq!(late.next().await.0, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_stream_gets_heartbeat_comments() {
    let config = vetrina_server::state::Config {
        heartbeat: Duration::from_millis(100),
        ..vetrina_server::state::Config::default()
    };
    let server = common::live_with(config).await;
    let mut sse = Sse::connect(server.addr, "/api/shows/demo/events", None).await;
    let mut raw = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while !raw.contains(": keep-alive") && tokio::time::Instant::now() < deadline {
        let mut line = String::new();
        let _ = tokio::time::timeout(Duration::from_millis(500), sse.reader.read_line(&mut line)).await;
        raw.push_str(&line);
    }
    assert!(raw.contains(": keep-alive"), "no heartbeat in {raw:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_buyers_racing_for_few_units_never_oversell() {
    const BUYERS: usize = 500;
    const UNITS: i64 = 50;
    let server = live().await;
    let addr = server.addr;
    sqlx::query("UPDATE variants SET stock = $1 WHERE id = 13").bind(UNITS).execute(&server.state.db).await.unwrap();

    // Every buyer fills a cart with one unit (stock is not reserved by carts), all
    // at once: concurrent writers must queue, never fail with SQLITE_BUSY...
    let fills: Vec<_> =
        (0..BUYERS).map(|_| tokio::spawn(async move { common::cart_with_line(addr, 13, 1).await })).collect();
    let mut carts = Vec::new();
    for f in fills {
        carts.push(f.await.unwrap());
    }
    // ...and they all check out at once.
    let tasks: Vec<_> = carts
        .into_iter()
        .map(|cart| {
            tokio::spawn(async move {
                http(addr, "POST", &format!("/api/carts/{cart}/checkout"), &[("Idempotency-Key", &cart)], Some(ADDRESS))
                    .await
            })
        })
        .collect();
    let mut placed = 0;
    let mut sold_out = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            StatusCode::CREATED => placed += 1,
            StatusCode::CONFLICT => {
                assert_eq!(r.json()["code"], "sold_out", "{}", r.body);
                assert_eq!(r.json()["message"], "Ceramic Mug is sold out.");
                sold_out += 1;
            }
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    assert_eq!(placed, UNITS);
    assert_eq!(sold_out, BUYERS as i64 - UNITS);
    let stock: i64 =
        sqlx::query_scalar("SELECT stock FROM variants WHERE id = 13").fetch_one(&server.state.db).await.unwrap();
    assert_eq!(stock, 0);
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&server.state.db).await.unwrap();
    assert_eq!(orders, UNITS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submits_with_one_key_make_one_order() {
    let server = live().await;
    let addr = server.addr;
    let cart = common::cart_with_line(addr, 13, 2).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let cart = cart.clone();
            tokio::spawn(async move {
                http(
                    addr,
                    "POST",
                    &format!("/api/carts/{cart}/checkout"),
                    &[("Idempotency-Key", "double-tap")],
                    Some(ADDRESS),
                )
                .await
            })
        })
        .collect();
    let mut bodies = Vec::new();
    let mut busy = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            StatusCode::CREATED => bodies.push(r.body),
            // Arrived while the first was still running: told to retry, nothing done.
            StatusCode::CONFLICT => {
                assert_eq!(r.json()["code"], "idempotency_in_flight", "{}", r.body);
                assert_eq!(r.headers["retry-after"], "1");
                busy += 1;
            }
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    assert!(!bodies.is_empty());
    assert_eq!(bodies.len() + busy, 20);
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "every completed submit sees the same order");
    // A retry after the rush replays the order.
    let r =
        http(addr, "POST", &format!("/api/carts/{cart}/checkout"), &[("Idempotency-Key", "double-tap")], Some(ADDRESS))
            .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body, bodies[0]);
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&server.state.db).await.unwrap();
    assert_eq!(orders, 1);
    let stock: i64 =
        sqlx::query_scalar("SELECT stock FROM variants WHERE id = 13").fetch_one(&server.state.db).await.unwrap();
    assert_eq!(stock, 23);
}
