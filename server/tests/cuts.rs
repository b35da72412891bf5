//! Checkouts over connections that break: a phone entering a tunnel while
//! "Place order" is on its way. Once the server has the whole request, the
//! order must be placed and its answer kept for the retry with the same key;
//! a request that never arrived whole must change nothing.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{auth, cart_with_line, http, live_custom, ADDRESS};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vetrina_server::state::payments::{Charge, Outcome, PaymentProvider, Pending, TestProvider};
use vetrina_server::state::Config;

/// Approves like the test provider, but takes its time, as a real one does:
/// a cut "after the body" then lands while the charge is under way.
struct Slow(Duration);

impl PaymentProvider for Slow {
    fn name(&self) -> &'static str {
        "slow"
    }
    fn confirm<'a>(&'a self, intent: &'a str, charge: &'a Charge) -> Pending<'a, Outcome> {
        Box::pin(async move {
            tokio::time::sleep(self.0).await;
            TestProvider.confirm(intent, charge).await
        })
    }
    delegate!();
}

/// The rest of a provider, as the test provider does it.
macro_rules! delegate {
    () => {
        fn open<'a>(&'a self, charge: &'a Charge) -> Pending<'a, Result<String, String>> {
            TestProvider.open(charge)
        }
        fn status<'a>(&'a self, intent: &'a str) -> Pending<'a, Outcome> {
            TestProvider.status(intent)
        }
        fn cancel<'a>(&'a self, intent: &'a str) -> Pending<'a, Result<(), String>> {
            TestProvider.cancel(intent)
        }
        fn refund<'a>(
            &'a self,
            intent: &'a str,
            amount: i64,
            currency: &'a str,
            key: &'a str,
        ) -> Pending<'a, Result<String, String>> {
            TestProvider.refund(intent, amount, currency, key)
        }
    };
}
use delegate;

#[derive(Clone, Copy, Debug)]
enum Cut {
    MidHeaders,
    MidBody,
    /// The whole request sent, then the connection closed after this long.
    AfterBody(u64),
}

impl Cut {
    fn complete(self) -> bool {
        matches!(self, Cut::AfterBody(_))
    }
}

const CUTS: [Cut; 7] = [
    Cut::MidHeaders,
    Cut::MidBody,
    Cut::AfterBody(0),
    Cut::AfterBody(1),
    Cut::AfterBody(5),
    Cut::AfterBody(20),
    Cut::AfterBody(60),
];

/// Sends a checkout and drops the connection at `cut`, reading nothing.
async fn send_and_cut(addr: std::net::SocketAddr, cart: &str, key: &str, cut: Cut) {
    let head = format!(
        "POST /api/carts/{cart}/checkout HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: {key}\r\nContent-Length: {}\r\n\r\n",
        ADDRESS.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    match cut {
        Cut::MidHeaders => stream.write_all(&head.as_bytes()[..head.len() / 2]).await.unwrap(),
        Cut::MidBody => {
            stream.write_all(head.as_bytes()).await.unwrap();
            stream.write_all(&ADDRESS.as_bytes()[..ADDRESS.len() / 2]).await.unwrap();
        }
        Cut::AfterBody(ms) => {
            stream.write_all(format!("{head}{ADDRESS}").as_bytes()).await.unwrap();
            stream.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }
    // Give the server a moment to see what arrived, then close without reading.
    tokio::time::sleep(Duration::from_millis(2)).await;
    drop(stream);
}

/// Waits (up to 20 s: CI runs this beside other suites on two cores) until the
/// server has claimed the idempotency key `key`.
async fn arrived(db: &sqlx::AnyPool, key: &str) {
    for _ in 0..2000 {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM idempotency_keys WHERE key = $1")
            .bind(key)
            .fetch_optional(db)
            .await
            .unwrap();
        if found.is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the server never took up the complete request under key {key}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_complete_checkout_survives_a_cut_connection_and_every_other_buyer_can_still_order() {
    let config = common::unlimited();
    let server = live_custom(config, |mut s| {
        s.payments = Some(Arc::new(Slow(Duration::from_millis(30))));
        s
    })
    .await;
    let addr = server.addr;
    const VARIANT: i64 = 1;
    const STOCK: i64 = 500;
    let (k, v) = auth();
    let r = http(
        addr,
        "PATCH",
        &format!("/api/shows/demo/variants/{VARIANT}"),
        &[(k, &v)],
        Some(&format!(r#"{{"stock":{STOCK}}}"#)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    const BUYERS: usize = 84; // 12 per way of cutting
    let mut buyers = Vec::new();
    for i in 0..BUYERS {
        let cut = CUTS[i % CUTS.len()];
        let db = server.state.db.clone();
        buyers.push(tokio::spawn(async move {
            let cart = cart_with_line(addr, VARIANT, 1).await;
            let key = format!("cut-{i}");
            send_and_cut(addr, &cart, &key, cut).await;
            if cut.complete() {
                // The server has the whole request: wait until it has taken up the
                // key (a few ms; longer on Postgres under 84 buyers), so the retry
                // below cannot overtake the first send to it.
                arrived(&db, &key).await;
            }
            // The phone is back: it sends the same request with the same key.
            let path = format!("/api/carts/{cart}/checkout");
            let retried = Instant::now();
            let r = http(addr, "POST", &path, &[("idempotency-key", &key)], Some(ADDRESS)).await;
            let waited = retried.elapsed();
            assert_eq!(r.status, StatusCode::CREATED, "{cut:?}: {}", r.body);
            let replayed = r.headers.get("idempotent-replayed").is_some_and(|v| v == "true");
            // A complete request was placed by the first send: the retry gets that
            // order. One that never arrived whole placed nothing: the retry orders.
            assert_eq!(replayed, cut.complete(), "{cut:?}");
            (cart, r.json()["id"].as_str().unwrap().to_string(), waited)
        }));
    }
    let mut orders = Vec::new();
    let mut slowest = Duration::ZERO;
    for b in buyers {
        let (cart, order, waited) = b.await.unwrap();
        slowest = slowest.max(waited);
        orders.push((cart, order));
    }
    // Every retry waited for its first request instead of answering 409.
    println!("{BUYERS} buyers, cut {} ways: slowest retry answered in {slowest:?}", CUTS.len());

    let db = &server.state.db;
    let (count, carts, pending): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT cart_id), COUNT(*) FILTER (WHERE payment_status = 'pending') FROM orders",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!((count, carts, pending), (BUYERS as i64, BUYERS as i64, 0), "one paid order per buyer");
    let sold: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_lines WHERE variant_id = $1")
            .bind(VARIANT)
            .fetch_one(db)
            .await
            .unwrap();
    let stock: i64 =
        sqlx::query_scalar("SELECT stock FROM variants WHERE id = $1").bind(VARIANT).fetch_one(db).await.unwrap();
    assert_eq!((sold, stock + sold), (BUYERS as i64, STOCK));
    for (cart, order) in orders {
        let r = http(addr, "GET", &format!("/api/orders/{order}"), &[], None).await;
        assert_eq!(r.json()["payment_status"], "paid", "{cart}");
    }
}

/// A phone whose request and close reach the server together (it was slow to
/// get to them: a busy process, a proxy that forwards a request once it is
/// whole): the request still runs, and the answer goes back over the half of
/// the connection that is still open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_arrives_with_its_close_still_runs() {
    let server = live_custom(common::unlimited(), |s| s).await;
    let cart = cart_with_line(server.addr, 1, 1).await;
    // A second door into the same server, answered only once the phone has
    // sent everything and shut its sending side.
    let door = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let door_addr = door.local_addr().unwrap();
    let mut phone = tokio::net::TcpStream::connect(door_addr).await.unwrap();
    let request = format!(
        "POST /api/carts/{cart}/checkout HTTP/1.1\r\nHost: {door_addr}\r\nContent-Type: application/json\r\n\
         Idempotency-Key: with-close\r\nContent-Length: {}\r\n\r\n{ADDRESS}",
        ADDRESS.len()
    );
    phone.write_all(request.as_bytes()).await.unwrap();
    phone.shutdown().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let router = vetrina_server::app(server.state.clone(), vetrina_server::state::Assets::default());
    tokio::spawn(async move {
        vetrina_server::state::net::serve(door, router, &Config::default(), std::future::pending()).await
    });

    let mut answer = String::new();
    let read = tokio::time::timeout(Duration::from_secs(20), phone.read_to_string(&mut answer)).await;
    assert!(read.is_ok(), "no answer in 20 s");
    assert!(answer.starts_with("HTTP/1.1 201"), "the phone's answer: {answer:?}");
    // The retry finds the same order.
    let path = format!("/api/carts/{cart}/checkout");
    let r = http(server.addr, "POST", &path, &[("idempotency-key", "with-close")], Some(ADDRESS)).await;
    assert_eq!((r.status, r.headers.get("idempotent-replayed").is_some()), (StatusCode::CREATED, true), "{}", r.body);
    assert!(answer.contains(r.json()["id"].as_str().unwrap()), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_gets_the_order_as_soon_as_it_is_placed() {
    const CHARGE: Duration = Duration::from_millis(400);
    let server = live_custom(common::unlimited(), |mut s| {
        s.payments = Some(Arc::new(Slow(CHARGE)));
        s
    })
    .await;
    let cart = cart_with_line(server.addr, 1, 1).await;
    let sent = Instant::now();
    send_and_cut(server.addr, &cart, "soon", Cut::AfterBody(0)).await;
    let path = format!("/api/carts/{cart}/checkout");
    let r = http(server.addr, "POST", &path, &[("idempotency-key", "soon")], Some(ADDRESS)).await;
    let answered = sent.elapsed();
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.headers["idempotent-replayed"], "true");
    // The first request needed CHARGE; the retry had its order within a second of that.
    assert!(answered >= CHARGE && answered < CHARGE + Duration::from_secs(1), "{answered:?}");
}

/// Panics in the middle of the first charge, as if the process died there.
struct DiesOnce(AtomicBool);

impl PaymentProvider for DiesOnce {
    fn name(&self) -> &'static str {
        "dies-once"
    }
    fn confirm<'a>(&'a self, intent: &'a str, charge: &'a Charge) -> Pending<'a, Outcome> {
        let die = self.0.swap(false, Ordering::SeqCst);
        Box::pin(async move {
            assert!(!die, "the payment provider's process went away");
            TestProvider.confirm(intent, charge).await
        })
    }
    delegate!();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_taken_over_after_a_crash_resumes_the_pending_order() {
    let server = live_custom(common::unlimited(), |mut s| {
        s.payments = Some(Arc::new(DiesOnce(AtomicBool::new(true))));
        s
    })
    .await;
    let addr = server.addr;
    let cart = cart_with_line(addr, 1, 1).await;
    let path = format!("/api/carts/{cart}/checkout");
    let crashed = http(addr, "POST", &path, &[("idempotency-key", "k")], Some(ADDRESS)).await;
    assert_eq!(crashed.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", crashed.body);
    let db = &server.state.db;
    let (pending_id, number): (i64, String) =
        sqlx::query_as("SELECT id, number FROM orders WHERE payment_status = 'pending'").fetch_one(db).await.unwrap();

    // Within the abandonment window the claim is still someone's: 409 after waiting.
    let early = http(addr, "POST", &path, &[("idempotency-key", "k")], Some(ADDRESS)).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(early.json()["code"], "idempotency_in_flight");

    // A minute later (the claim is abandoned), the retry takes it over and
    // finishes the same order instead of failing on the closed cart.
    sqlx::query("UPDATE idempotency_keys SET created_at_ms = created_at_ms - 61000")
        .execute(&server.state.writer)
        .await
        .unwrap();
    let resumed = http(addr, "POST", &path, &[("idempotency-key", "k")], Some(ADDRESS)).await;
    assert_eq!(resumed.status, StatusCode::CREATED, "{}", resumed.body);
    assert_eq!(resumed.json()["number"], number.as_str());
    assert_eq!(resumed.json()["payment_status"], "paid");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(db).await.unwrap();
    assert_eq!(count, 1);
    let id: i64 = sqlx::query_scalar("SELECT id FROM orders").fetch_one(db).await.unwrap();
    assert_eq!(id, pending_id);

    // And the answer is now recorded: another retry replays it.
    let again = http(addr, "POST", &path, &[("idempotency-key", "k")], Some(ADDRESS)).await;
    assert_eq!((again.status, again.body.as_str()), (StatusCode::CREATED, resumed.body.as_str()));
    assert_eq!(again.headers["idempotent-replayed"], "true");
    // A different key for the same (ordered) cart cannot piggyback on that order.
    let other = http(addr, "POST", &path, &[("idempotency-key", "other")], Some(ADDRESS)).await;
    assert_eq!(other.json()["code"], "cart_closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_paid_order_sends_its_confirmation_once() {
    let outbox = Arc::new(vetrina_server::state::mailer::Memory::default());
    let mailer = outbox.clone();
    let server = live_custom(common::unlimited(), move |s| s.with_mailer(mailer)).await;
    let cart = cart_with_line(server.addr, 1, 2).await;
    let path = format!("/api/carts/{cart}/checkout");
    let r = http(server.addr, "POST", &path, &[("idempotency-key", "m")], Some(ADDRESS)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let order = r.json();
    // Sent before the answer: what the confirmation screen says is already true.
    let sent = outbox.0.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let (number, message) = &sent[0];
    assert_eq!(number, order["number"].as_str().unwrap());
    let text = quoted_printable(&String::from_utf8(message.formatted()).unwrap());
    for expected in
        ["To: \"Ada Lovelace\" <ada@example.com>", number.as_str(), "1 Via Roma", "20121 Milano", "2 \u{d7}"]
    {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let total = format!(
        "{}.{:02} EUR",
        order["total_minor"].as_i64().unwrap() / 100,
        order["total_minor"].as_i64().unwrap() % 100
    );
    assert!(text.contains(&total), "{total} missing from:\n{text}");
    // A retry of the same checkout replays; nothing is sent twice, nothing is left to send.
    let again = http(server.addr, "POST", &path, &[("idempotency-key", "m")], Some(ADDRESS)).await;
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(vetrina_server::shop::mail::send_unsent(&server.state, Duration::ZERO).await, 0);
    assert_eq!(outbox.0.lock().unwrap().len(), 1);
}

/// Undoes quoted-printable (soft line breaks, =XX bytes) so the test reads the text.
fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}
