//! Test support: a seeded server in memory (for `oneshot`) or on a real socket,
//! and a minimal HTTP/1.1 client so socket tests need no extra dependencies.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::net::SocketAddr;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tower::ServiceExt;
use vetrina_server::state::ratelimit::Rate;
use vetrina_server::store::db;
use vetrina_server::{app, demo, AppState, Assets, Config};

pub const TOKEN: &str = "test-creator-token";

/// The Postgres server the tests run against instead of SQLite, if any: an admin
/// URL such as `postgres://postgres@127.0.0.1:15432/postgres` (`cargo xtask test`
/// starts one and runs the server's tests a second time with it).
pub const POSTGRES_ENV: &str = "VETRINA_TEST_POSTGRES";

/// A fresh, empty, migrated database of the kind these tests run on: private
/// in-memory SQLite, or a new database on the test Postgres server.
pub async fn memory_db() -> sqlx::AnyPool {
    match postgres_db().await {
        Some(pool) => pool,
        None => db::open_in_memory().await.unwrap(),
    }
}

/// A database of its own on the test Postgres server (when there is one).
pub async fn postgres_db() -> Option<sqlx::AnyPool> {
    Some(db::open_postgres(&postgres_url().await?).await.unwrap())
}

/// The URL of a new, empty database on the test Postgres server (when there is one).
pub async fn postgres_url() -> Option<String> {
    let admin = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())?;
    let name = format!("t_{}", vetrina_server::util::random_id().to_lowercase());
    let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(40).collect();
    let server = db::open_postgres_unmigrated(&admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&server).await.unwrap();
    server.close().await;
    let (base, _) = admin.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

/// One server process of a cluster: its own pools on the shared Postgres
/// database at `url`, its own event hub joined to NATS at `nats` (None: not
/// joined, so its events reach the others only through the database), served
/// on a real socket.
pub async fn instance(url: &str, nats: Option<&str>, config: Config) -> Live {
    let dir = tempfile::tempdir().unwrap();
    let pool = db::open_postgres(url).await.unwrap();
    let mut state = AppState::with_config(pool, config.clone()).with_payments(test_payments());
    if let Some(nats) = nats {
        vetrina_server::state::fanout::join_cluster(&mut state, nats).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(state.clone(), Assets::default());
    tokio::spawn(
        async move { vetrina_server::state::net::serve(listener, router, &config, std::future::pending()).await },
    );
    Live { addr, state, _dir: dir }
}

/// The built-in test provider, chosen explicitly as a server must.
pub fn test_payments() -> std::sync::Arc<dyn vetrina_server::state::payments::PaymentProvider> {
    std::sync::Arc::new(vetrina_server::state::payments::TestProvider)
}

pub struct Seeded {
    pub state: AppState,
    pub router: Router,
    _media: tempfile::TempDir,
}

/// The demo catalogue in a private in-memory database.
pub async fn seeded() -> Seeded {
    seeded_with(Config::default()).await
}

pub async fn seeded_with(config: Config) -> Seeded {
    let media = tempfile::tempdir().unwrap();
    let pool = memory_db().await;
    demo::seed(&pool, media.path(), Some(TOKEN)).await.unwrap();
    let state = AppState::with_config(pool, config).with_payments(test_payments());
    let router = app(state.clone(), Assets::default());
    Seeded { state, router, _media: media }
}

pub struct Live {
    pub addr: SocketAddr,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

/// The demo catalogue in a file database (WAL, many connections), served on a
/// real socket, without rate limits (these tests measure the server, not them).
pub async fn live() -> Live {
    live_with(unlimited()).await
}

/// The default settings without per-client limits: these tests' buyers all
/// come from 127.0.0.1, and they measure the server, not its limits.
pub fn unlimited() -> Config {
    Config {
        pin_rate: Rate::UNLIMITED,
        checkout_rate: Rate::UNLIMITED,
        cart_rate: Rate::UNLIMITED,
        max_connections_per_client: usize::MAX,
        ..Config::default()
    }
}

pub async fn live_with(config: Config) -> Live {
    live_custom(config, |state| state).await
}

/// A live server whose state `customize` may change (another payment provider, say),
/// served by the production listener (`net::serve`).
pub async fn live_custom(config: Config, customize: impl FnOnce(AppState) -> AppState) -> Live {
    let dir = tempfile::tempdir().unwrap();
    let (pool, writer) = match postgres_db().await {
        Some(pool) => (pool.clone(), pool),
        None => (
            db::open(&dir.path().join("t.sqlite")).await.unwrap(),
            db::open_writer(&dir.path().join("t.sqlite")).await.unwrap(),
        ),
    };
    demo::seed(&pool, &dir.path().join("media"), Some(TOKEN)).await.unwrap();
    let state =
        customize(AppState::with_config(pool, config.clone()).with_writer(writer).with_payments(test_payments()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(state.clone(), Assets::default());
    tokio::spawn(
        async move { vetrina_server::state::net::serve(listener, router, &config, std::future::pending()).await },
    );
    Live { addr, state, _dir: dir }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request through the router, without a socket.
pub async fn call(router: &Router, method: &str, uri: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: String::from_utf8(bytes.to_vec()).unwrap() }
}

/// One request over a fresh TCP connection (`Connection: close`).
pub async fn http(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = body.unwrap_or("");
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if !body.is_empty() {
        req.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    parse_response(&String::from_utf8(raw).unwrap())
}

fn parse_response(raw: &str) -> Reply {
    let (head, body) = raw.split_once("\r\n\r\n").expect("a complete HTTP response");
    let mut lines = head.lines();
    let status: u16 = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = axum::http::HeaderMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            headers.append(axum::http::HeaderName::from_bytes(k.trim().as_bytes()).unwrap(), v.trim().parse().unwrap());
        }
    }
    let chunked = headers.get("transfer-encoding").is_some_and(|v| v == "chunked");
    let body = if chunked { dechunk(body) } else { body.to_string() };
    Reply { status: StatusCode::from_u16(status).unwrap(), headers, body }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// A new cart of the demo show holding one of `variant`, through the router.
pub async fn cart_in(router: &Router, variant: i64) -> String {
    let cart = call(router, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(cart.status, StatusCode::CREATED, "{}", cart.body);
    let cart = cart.json()["id"].as_str().unwrap().to_string();
    let body = format!(r#"{{"variant_id":{variant},"quantity":1}}"#);
    let r = call(router, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    cart
}

/// A new cart of the demo show holding `quantity` of `variant`, over a socket.
pub async fn cart_with_line(addr: SocketAddr, variant: i64, quantity: u32) -> String {
    let cart = http(addr, "POST", "/api/carts", &[], Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(cart.status, StatusCode::CREATED, "{}", cart.body);
    let cart = cart.json()["id"].as_str().unwrap().to_string();
    let body = format!(r#"{{"variant_id":{variant},"quantity":{quantity}}}"#);
    let r = http(addr, "POST", &format!("/api/carts/{cart}/lines"), &[], Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    cart
}

/// Pins `product` on the demo show through the server at `addr`; the event's id.
pub async fn pin(addr: SocketAddr, product: i64) -> i64 {
    let (k, v) = auth();
    let r =
        http(addr, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(&format!(r#"{{"product_id":{product}}}"#))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

pub fn auth() -> (&'static str, String) {
    ("authorization", format!("Bearer {TOKEN}"))
}

pub const ADDRESS: &str = r#"{"email":"ada@example.com","name":"Ada Lovelace","address":{"line1":"1 Via Roma","city":"Milano","postal_code":"20121","country":"IT"},"payment_token":"tok_visa"}"#;

/// The checkout body with another payment token.
pub fn paying_with(token: &str) -> String {
    ADDRESS.replace("tok_visa", token)
}

/// A bare SSE reader: HTTP/1.1 with chunked framing, event ids out.
pub struct Sse {
    pub reader: BufReader<TcpStream>,
}

impl Sse {
    pub async fn connect(addr: std::net::SocketAddr, path: &str, last_event_id: Option<i64>) -> Sse {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n");
        if let Some(id) = last_event_id {
            req.push_str(&format!("Last-Event-ID: {id}\r\n"));
        }
        req.push_str("\r\n");
        stream.write_all(req.as_bytes()).await.unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        loop {
            line.clear();
            reader.read_line(&mut line).await.unwrap();
            if line == "\r\n" {
                break;
            }
        }
        Sse { reader }
    }

    /// The next event's (SSE id, parsed data), skipping keep-alive comments.
    pub async fn next(&mut self) -> (i64, serde_json::Value) {
        let mut text = String::new();
        loop {
            let mut size = String::new();
            self.reader.read_line(&mut size).await.unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            let mut chunk = vec![0; n + 2];
            self.reader.read_exact(&mut chunk).await.unwrap();
            text.push_str(std::str::from_utf8(&chunk[..n]).unwrap());
            if let Some(end) = text.find("\n\n") {
                let event = text[..end].to_string();
                text.drain(..end + 2);
                let mut id = None;
                let mut data = None;
                for line in event.lines() {
                    if let Some(v) = line.strip_prefix("id: ").or_else(|| line.strip_prefix("id:")) {
                        id = v.trim().parse().ok();
                    }
                    if let Some(v) = line.strip_prefix("data: ").or_else(|| line.strip_prefix("data:")) {
                        data = serde_json::from_str(v).ok();
                    }
                }
                if let (Some(id), Some(data)) = (id, data) {
                    return (id, data);
                }
            }
        }
    }

    pub async fn next_within(&mut self, limit: Duration) -> Option<(i64, serde_json::Value)> {
        tokio::time::timeout(limit, self.next()).await.ok()
    }
}
