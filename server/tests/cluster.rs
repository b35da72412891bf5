//! Several server processes on one Postgres database, their events shared over
//! NATS: what a viewer and a buyer see must not depend on which instance a load
//! balancer sends them to.
//!
//! These need a Postgres server and a NATS server: `cargo xtask test` (or
//! `cargo xtask postgres`) starts both and runs them with `--ignored`.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{auth, http, instance, pin, Live, Sse, ADDRESS, TOKEN};
use tokio::io::AsyncWriteExt;
use vetrina_server::{demo, Config};
use vetrina_wire::ShowEvent;

const NATS_ENV: &str = "VETRINA_TEST_NATS";

/// Without per-client limits: every buyer of these tests comes from 127.0.0.1.
fn config() -> Config {
    common::unlimited()
}

/// `n` instances on a fresh, seeded database, all joined to the test NATS.
async fn cluster(n: usize) -> Vec<Live> {
    let url = common::postgres_url().await.expect("set VETRINA_TEST_POSTGRES (cargo xtask postgres does)");
    let nats = std::env::var(NATS_ENV).expect("set VETRINA_TEST_NATS (cargo xtask postgres does)");
    let mut instances = Vec::new();
    for i in 0..n {
        let live = instance(&url, Some(&nats), config()).await;
        if i == 0 {
            demo::seed(&live.state.db, &std::env::temp_dir().join("vetrina-cluster-media"), Some(TOKEN)).await.unwrap();
        }
        instances.push(live);
    }
    instances
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Postgres and NATS: cargo xtask postgres"]
async fn events_reach_every_instance_and_a_viewer_resumes_on_another() {
    let nodes = cluster(2).await;
    let (a, b) = (nodes[0].addr, nodes[1].addr);

    // A viewer on B sees what the host pins through A, in order.
    let mut viewer = Sse::connect(b, "/api/shows/demo/events?since=0", None).await;
    let mut pinned = Vec::new();
    for product in 1..=3 {
        pinned.push(pin(a, product).await);
    }
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(viewer.next_within(Duration::from_secs(5)).await.expect("B delivers A's pin").0);
    }
    assert_eq!(seen, pinned);

    // The creator's "watching now", asked of A, counts the viewer on B (B
    // reports its streams every few seconds).
    let (k, v) = auth();
    let mut watching = 0;
    for _ in 0..40 {
        let r = http(a, "GET", "/api/shows/demo/stats", &[(k, &v)], None).await;
        watching = r.json()["watching"].as_u64().unwrap();
        if watching == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(watching, 1, "A counts B's viewer");

    // B goes away (its load balancer sends the viewer to A); the host pins on.
    drop(viewer);
    pinned.push(pin(a, 4).await);
    pinned.push(pin(b, 5).await);
    let mut viewer = Sse::connect(a, "/api/shows/demo/events?since=0", Some(*seen.last().unwrap())).await;
    for _ in 0..2 {
        seen.push(viewer.next_within(Duration::from_secs(5)).await.expect("the backlog on A").0);
    }
    pinned.push(pin(b, 6).await);
    seen.push(viewer.next_within(Duration::from_secs(5)).await.expect("A delivers B's pin").0);
    assert_eq!(seen, pinned, "nothing lost, nothing out of order");
    assert!(viewer.next_within(Duration::from_millis(300)).await.is_none(), "nothing repeated");

    // An event that never went through NATS (written by a process whose
    // message was lost): the next event that does brings it along.
    let url = nodes[0].state.db.connect_options().database_url.to_string();
    let silent = instance(&url, None, config()).await;
    let lost =
        vetrina_server::live::events::record(&silent.state, "demo", ShowEvent::Unpin { product_id: 1 }).await.unwrap();
    assert!(viewer.next_within(Duration::from_millis(300)).await.is_none(), "not published, not delivered yet");
    let next = pin(b, 7).await;
    let got = [
        viewer.next_within(Duration::from_secs(5)).await.unwrap().0,
        viewer.next_within(Duration::from_secs(5)).await.unwrap().0,
    ];
    assert_eq!(got, [lost.id, next], "the missed event first, read from the database");
}

/// Sends a checkout until it has an answer other than "the same key is still
/// being processed" (a phone's retry), to `addrs` in turn.
async fn submit(addrs: &[SocketAddr], cart: &str, key: &str, body: &str) -> common::Reply {
    for attempt in 0.. {
        let addr = addrs[attempt % addrs.len()];
        let r =
            http(addr, "POST", &format!("/api/carts/{cart}/checkout"), &[("idempotency-key", key)], Some(body)).await;
        let in_flight = r.status == StatusCode::CONFLICT && r.json()["code"] == "idempotency_in_flight";
        if !in_flight {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    unreachable!()
}

/// A checkout sent whole, then the connection dropped without reading the answer.
async fn send_and_cut(addr: SocketAddr, cart: &str, key: &str, body: &str) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /api/carts/{cart}/checkout HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: {key}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Postgres and NATS: cargo xtask postgres"]
async fn a_drop_across_two_instances_sells_exactly_its_stock() {
    const BUYERS: usize = 1_000;
    const UNITS: i64 = 100;
    const VARIANT: i64 = 13;
    let nodes = cluster(2).await;
    let addrs: Vec<SocketAddr> = nodes.iter().map(|n| n.addr).collect();
    let db = nodes[0].state.db.clone();
    sqlx::query("UPDATE variants SET stock = $1 WHERE id = $2").bind(UNITS).bind(VARIANT).execute(&db).await.unwrap();

    // Every buyer fills a cart on "their" instance…
    let fills: Vec<_> = (0..BUYERS)
        .map(|i| {
            let addr = addrs[i % 2];
            tokio::spawn(async move { common::cart_with_line(addr, VARIANT, 1).await })
        })
        .collect();
    let mut carts = Vec::new();
    for f in fills {
        carts.push(f.await.unwrap());
    }

    // …and all check out together: every 4th also double-submits to the other
    // instance at the same moment, every 10th loses its connection right after
    // sending and retries through the other instance.
    let started = Instant::now();
    let tasks: Vec<_> = carts
        .into_iter()
        .enumerate()
        .map(|(i, cart)| {
            let addrs = addrs.clone();
            tokio::spawn(async move {
                let (own, other) = (addrs[i % 2], addrs[(i + 1) % 2]);
                let key = format!("drop-{i}");
                let body = ADDRESS.replace("ada@example.com", &format!("buyer{i}@example.com"));
                let answers = if i % 10 == 1 {
                    send_and_cut(own, &cart, &key, &body).await;
                    vec![submit(&[other, own], &cart, &key, &body).await]
                } else if i % 4 == 0 {
                    let (to_own, to_other) = ([own], [other]);
                    let (x, y) =
                        tokio::join!(submit(&to_own, &cart, &key, &body), submit(&to_other, &cart, &key, &body));
                    vec![x, y]
                } else {
                    vec![submit(&[own], &cart, &key, &body).await]
                };
                (i, cart, answers)
            })
        })
        .collect();
    let mut placed = HashMap::new();
    let mut sold_out = 0;
    for t in tasks {
        let (i, cart, answers) = t.await.unwrap();
        let first = &answers[0];
        for other in &answers[1..] {
            assert_eq!(
                (other.status, other.json()["id"].clone()),
                (first.status, first.json()["id"].clone()),
                "buyer {i}: one answer"
            );
        }
        match first.status {
            StatusCode::CREATED => {
                placed.insert(cart, first.json()["id"].as_str().unwrap().to_string());
            }
            StatusCode::CONFLICT => {
                assert_eq!(first.json()["code"], "sold_out", "{}", first.body);
                sold_out += 1;
            }
            other => panic!("buyer {i}: unexpected {other}: {}", first.body),
        }
    }
    let took = started.elapsed();
    println!(
        "{BUYERS} buyers for {UNITS} units on 2 instances: {} placed, {sold_out} sold out, in {took:?} \
         ({:.0} checkouts/s)",
        placed.len(),
        BUYERS as f64 / took.as_secs_f64()
    );
    assert_eq!(placed.len() as i64, UNITS, "exactly the stock sold");
    assert_eq!(sold_out, BUYERS - UNITS as usize);

    let stock: i64 =
        sqlx::query_scalar("SELECT stock FROM variants WHERE id = $1").bind(VARIANT).fetch_one(&db).await.unwrap();
    assert_eq!(stock, 0);
    let (orders, buyers, paid): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT email), COUNT(*) FILTER (WHERE payment_status = 'paid') FROM orders",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((orders, buyers, paid), (UNITS, UNITS, UNITS), "one paid order per buyer who got one");
    let public: HashSet<String> =
        sqlx::query_scalar("SELECT public_id FROM orders").fetch_all(&db).await.unwrap().into_iter().collect();
    assert_eq!(public, placed.values().cloned().collect(), "every order answered is the one stored");
}

/// What the global write lock used to guarantee, now that carts, checkouts
/// and claims only lock what they touch: a buyer's limit across carts, a
/// flash drop's cap, and stock while the creator edits the variant, with
/// everyone racing through two instances at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Postgres and NATS: cargo xtask postgres"]
async fn limits_caps_and_stock_hold_when_buyers_race_across_instances() {
    const LIMITED: i64 = 16; // one buyer may have 2
    const DROP: i64 = 19; // a flash drop of 10 units
    const EDITED: i64 = 14; // the creator changes its price throughout
    let nodes = cluster(2).await;
    let addrs: Vec<SocketAddr> = nodes.iter().map(|n| n.addr).collect();
    let db = nodes[0].state.db.clone();
    for variant in [LIMITED, DROP, EDITED] {
        sqlx::query("UPDATE variants SET stock = 1000 WHERE id = $1").bind(variant).execute(&db).await.unwrap();
    }
    sqlx::query("UPDATE products SET max_per_buyer = 2 WHERE id = (SELECT product_id FROM variants WHERE id = $1)")
        .bind(LIMITED)
        .execute(&db)
        .await
        .unwrap();

    // One buyer, 30 carts of one unit each, all checking out at once.
    let carts = futures_util::future::join_all((0..30).map(|i| common::cart_with_line(addrs[i % 2], LIMITED, 1))).await;
    let answers = futures_util::future::join_all(carts.iter().enumerate().map(|(i, cart)| {
        let (addrs, key) = (addrs.clone(), format!("limit-{i}"));
        async move { submit(&[addrs[i % 2]], cart, &key, ADDRESS).await }
    }))
    .await;
    let placed = answers.iter().filter(|r| r.status == StatusCode::CREATED).count();
    for r in answers.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!((r.status, r.json()["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, "buyer_limit".into()));
    }
    assert_eq!(placed, 2, "one buyer gets the product's limit, however many carts race");

    // 60 viewers claim a drop of 10 at once and check out: the first 10 to pay get it.
    let (k, v) = auth();
    let terms = format!(r#"{{"variant_id":{DROP},"price_minor":1000,"unit_cap":10,"per_buyer":1,"duration_s":60}}"#);
    let offer = http(addrs[0], "POST", "/api/shows/demo/offers", &[(k, &v)], Some(&terms)).await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    let offer = offer.json()["id"].as_i64().unwrap();
    let claims = futures_util::future::join_all((0..60).map(|i| {
        let addr = addrs[i % 2];
        async move {
            let cart = http(addr, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await;
            let cart = cart.json()["id"].as_str().unwrap().to_string();
            let body = format!(r#"{{"variant_id":{DROP},"quantity":1,"offer_id":{offer}}}"#);
            let r = http(addr, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(&body)).await;
            if r.status != StatusCode::OK {
                // Refused only once ten are sold.
                return r;
            }
            let key = format!("drop-{i}");
            let body = ADDRESS.replace("ada@example.com", &format!("dropbuyer{i}@example.com"));
            submit(&[addr], &cart, &key, &body).await
        }
    }))
    .await;
    let bought = claims.iter().filter(|r| r.status == StatusCode::CREATED).count();
    for r in claims.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!((r.status, r.json()["code"].clone()), (StatusCode::CONFLICT, "offer_sold_out".into()), "{}", r.body);
    }
    assert_eq!(bought, 10, "exactly the drop's cap is sold");

    // 100 buyers check out while the creator changes the price 20 times.
    let carts = futures_util::future::join_all((0..100).map(|i| common::cart_with_line(addrs[i % 2], EDITED, 1))).await;
    let editing = {
        let addr = addrs[1];
        tokio::spawn(async move {
            for price in 0..20 {
                let body = format!(r#"{{"price_minor":{}}}"#, 12_000 + price);
                let r =
                    http(addr, "PATCH", &format!("/api/shows/demo/variants/{EDITED}"), &[(k, &v)], Some(&body)).await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            }
        })
    };
    let answers = futures_util::future::join_all(carts.iter().enumerate().map(|(i, cart)| {
        let (addrs, key) = (addrs.clone(), format!("edit-{i}"));
        let body = ADDRESS.replace("ada@example.com", &format!("editbuyer{i}@example.com"));
        async move { submit(&[addrs[i % 2]], cart, &key, &body).await }
    }))
    .await;
    editing.await.unwrap();
    assert!(answers.iter().all(|r| r.status == StatusCode::CREATED), "every buyer of a well-stocked variant buys");
    let stock: i64 =
        sqlx::query_scalar("SELECT stock FROM variants WHERE id = $1").bind(EDITED).fetch_one(&db).await.unwrap();
    assert_eq!(stock, 900, "no sale undone by a price change");
}
