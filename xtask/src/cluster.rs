//! `cargo xtask cluster`: the product as it runs past one box, on this machine.
//! A throwaway Postgres and NATS, several server instances sharing them, and
//! HAProxy in front, round-robin, with health checks.
//!
//! `cargo xtask cluster` runs it as a demo (Ctrl-C stops everything);
//! `cargo xtask cluster --test` (part of `cargo xtask test`) sends the
//! end-to-end viewer tests through the load balancer, then kills one instance
//! in the middle of a show and checks that no acknowledged order is lost and
//! that its viewers resume on another instance with nothing lost or repeated.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::services::{self, Guard, Postgres};
use crate::{cmd, root, run, say, wait_for, Result, E2E_TOKEN};

/// The operator token of the cluster's servers (creates shows).
const OPERATOR: &str = "cluster-operator-token-0123456789";

pub struct Cluster {
    /// The load balancer's address: the one address users are given.
    pub lb: String,
    pub data: PathBuf,
    /// The server instances, with their own addresses.
    pub instances: Vec<(Guard, String)>,
    _haproxy: Guard,
    _nats: Guard,
    pub pg: Postgres,
}

/// Starts Postgres, NATS, `n` server instances (the first runs the demo's host
/// every `host_every` seconds; 0: no host) and HAProxy on `lb`.
pub fn start(n: usize, lb: &str, host_every: u64) -> Result<Cluster> {
    say("Cluster: a throwaway Postgres (initdb into a temporary folder)");
    let pg = Postgres::start(true)?;
    let database = pg.create_database("vetrina")?;
    say("Cluster: nats-server");
    let (nats, nats_port) = services::nats()?;
    let data = root().join("target/cluster");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(data.join("outbox"));
    let mut instances = Vec::new();
    for i in 0..n {
        let addr = format!("127.0.0.1:{}", services::free_port()?);
        say(&format!("Cluster: server instance s{i} at {addr}"));
        let log = std::fs::File::create(data.join(format!("s{i}.log"))).map_err(|e| e.to_string())?;
        let child = cmd("target/debug/vetrina-server")
            // Every instance seeds the demo show if it is missing (the first one
            // does; the others find it) and serves the same media folder.
            .args(["--demo", "--host-every", &if i == 0 { host_every } else { 0 }.to_string()])
            .args(["--demo-token", E2E_TOKEN, "--operator-token", OPERATOR])
            .args(["--database", &database, "--nats", &format!("nats://127.0.0.1:{nats_port}")])
            .args(["--addr", &addr, "--dist", "dist", "--trusted-proxy", "127.0.0.1/32"])
            .arg("--data-dir")
            .arg(&data)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("could not start a server: {e}"))?;
        let guard = Guard(child);
        // One at a time: the first generates the demo video the others then find.
        wait_for(&addr)?;
        instances.push((guard, addr));
    }
    say(&format!("Cluster: HAProxy at {lb}, round-robin over {n} instances"));
    let config = data.join("haproxy.cfg");
    std::fs::write(&config, haproxy_config(lb, &instances)).map_err(|e| e.to_string())?;
    let haproxy = Command::new("haproxy")
        .arg("-db")
        .arg("-f")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(data.join("haproxy.log")).map_err(|e| e.to_string())?)
        .spawn()
        .map_err(|e| format!("could not start haproxy (apt-get install haproxy): {e}"))?;
    let haproxy = Guard(haproxy);
    wait_for(lb)?;
    // Health checks see every instance up before anyone is sent through.
    thread::sleep(Duration::from_millis(2500));
    Ok(Cluster { lb: lb.to_string(), data, instances, _haproxy: haproxy, _nats: nats, pg })
}

fn haproxy_config(lb: &str, instances: &[(Guard, String)]) -> String {
    let mut servers = String::new();
    for (i, (_, addr)) in instances.iter().enumerate() {
        servers.push_str(&format!("    server s{i} {addr}\n"));
    }
    format!(
        "global
    # Two sockets per connection; this machine allows a process 20,000 files.
    maxconn 9500

defaults
    mode http
    timeout connect 2s
    timeout http-request 10s
    # Event streams stay open for the whole show.
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    # A connection refused by a dead instance goes to another; a request that
    # reached one is never sent twice by the balancer (the client retries with
    # its Idempotency-Key).
    retries 2
    option redispatch
    option forwardfor

frontend vetrina
    bind {lb}
    default_backend servers

backend servers
    balance roundrobin
    option httpchk GET /api/shows/demo
    default-server check inter 1s fall 2 rise 2
{servers}"
    )
}

/// `cargo xtask cluster [--instances N] [--addr HOST:PORT]`: the demo on a cluster.
pub fn demo(n: usize, lb: &str) -> Result {
    let cluster = start(n, lb, 7)?;
    println!("\nVetrina runs on {n} instances behind HAProxy: http://{}/?show=demo", cluster.lb);
    println!("  Creator studio: http://{}/studio  (show \"demo\", token {E2E_TOKEN})", cluster.lb);
    println!("  Instances: {}", cluster.instances.iter().map(|(_, a)| a.as_str()).collect::<Vec<_>>().join(", "));
    println!("  Postgres: {}   logs: {}", cluster.pg.url(), cluster.data.display());
    println!("  Ctrl-C stops everything.\n");
    loop {
        thread::sleep(Duration::from_secs(3600));
    }
}

/// The cluster's tests: the e2e viewer path through HAProxy, then failover.
pub fn test() -> Result {
    let lb = format!("127.0.0.1:{}", services::free_port()?);
    let mut cluster = start(3, &lb, 0)?;
    say("Cluster: the end-to-end viewer tests through HAProxy (phone)");
    run(cmd("npx")
        .args(["playwright", "test", "tests/e2e/overlay.spec.ts", "--project", "phone"])
        .env("VETRINA_E2E_EXTERNAL", "1")
        .env("VETRINA_E2E_ADDR", &cluster.lb)
        .env("VETRINA_E2E_TOKEN", E2E_TOKEN)
        .env("VETRINA_E2E_DATA", &cluster.data))?;
    say("Cluster: one instance killed in the middle of a show");
    failover(&mut cluster)
}

/// Viewers and buyers go through the balancer while the host pins; one
/// instance is killed (SIGKILL) partway.
fn failover(cluster: &mut Cluster) -> Result {
    let lb = cluster.lb.clone();
    for variant in 1..=5 {
        let (status, body) = request(
            &lb,
            "PATCH",
            &format!("/api/shows/demo/variants/{variant}"),
            &[auth()],
            Some(r#"{"stock":100000}"#),
        )?;
        check(status == 200, &format!("restock: {status} {body}"))?;
    }
    let (_, snapshot) = request(&lb, "GET", "/api/shows/demo", &[], None)?;
    let start_id: i64 = field(&snapshot, "last_event_id").and_then(|v| v.parse().ok()).ok_or("no last_event_id")?;
    // Orders already there (the end-to-end tests placed some).
    let earlier: usize = psql(&cluster.pg, "SELECT count(*) FROM orders")?.parse().map_err(|_| "count of orders")?;
    let stop = Arc::new(AtomicBool::new(false));

    const VIEWERS: usize = 9;
    let viewers: Vec<_> = (0..VIEWERS)
        .map(|_| {
            let (lb, stop) = (lb.clone(), stop.clone());
            thread::spawn(move || watch(&lb, start_id, &stop))
        })
        .collect();
    thread::sleep(Duration::from_millis(500));

    const BUYERS: usize = 12;
    let slowest = Arc::new(Mutex::new(Duration::ZERO));
    let attempts = Arc::new(AtomicUsize::new(0));
    let buyers: Vec<_> = (0..BUYERS)
        .map(|b| {
            let (lb, stop, slowest, attempts) = (lb.clone(), stop.clone(), slowest.clone(), attempts.clone());
            thread::spawn(move || buy_until(&lb, b, &stop, &slowest, &attempts))
        })
        .collect();

    // The host pins and unpins through the balancer; s1 dies partway.
    let mut pins = Vec::new();
    let began = Instant::now();
    let victim = 1;
    let mut killed = false;
    for k in 0..40 {
        if !killed && began.elapsed() > Duration::from_secs(3) {
            let (guard, addr) = &mut cluster.instances[victim];
            let _ = guard.0.kill();
            println!("    killed s{victim} ({addr}) {:.1} s into the show", began.elapsed().as_secs_f64());
            killed = true;
        }
        let product = k % 9 + 1;
        let (method, path, body) = if (k / 9) % 2 == 0 {
            ("POST", "/api/shows/demo/pins".to_string(), Some(format!(r#"{{"product_id":{product}}}"#)))
        } else {
            ("DELETE", format!("/api/shows/demo/pins/{product}"), None)
        };
        // A pin whose answer is lost is tried again; "already (un)pinned" means it landed.
        for _ in 0..50 {
            match request(&lb, method, &path, &[auth()], body.as_deref()) {
                Ok((200 | 201, reply)) => {
                    pins.push(field(&reply, "id").and_then(|v| v.parse::<i64>().ok()).ok_or("pin without id")?);
                    break;
                }
                Ok((409, _)) => break,
                _ => thread::sleep(Duration::from_millis(100)),
            }
        }
        thread::sleep(Duration::from_millis(200));
    }
    println!("    host made {} pins and unpins through the balancer", pins.len());

    // Buyers finish the order in hand (a checkout cut by the kill completes on
    // another instance once the dead one has been quiet for 15 s).
    stop.store(true, Ordering::SeqCst);
    let mut acknowledged = Vec::new();
    for b in buyers {
        acknowledged.extend(b.join().map_err(|_| "a buyer thread panicked")??);
    }
    let last_pin = *pins.last().ok_or("no pin landed")?;
    let mut reconnected = 0;
    for v in viewers {
        let (ids, reconnects) = v.join().map_err(|_| "a viewer thread panicked")?;
        reconnected += usize::from(reconnects > 0);
        check(ids.windows(2).all(|w| w[0] < w[1]), &format!("a viewer got events repeated or out of order: {ids:?}"))?;
        for pin in &pins {
            check(ids.contains(pin), &format!("a viewer missed event {pin} (had up to {:?})", ids.last()))?;
        }
        check(ids.contains(&last_pin), "a viewer never caught up")?;
    }
    check(reconnected > 0, "no viewer was on the killed instance (nothing was tested)")?;

    // Every acknowledged order is there, paid, once; and nothing else was ordered.
    for order in &acknowledged {
        let (status, body) = request(&lb, "GET", &format!("/api/orders/{order}"), &[], None)?;
        check(
            status == 200 && body.contains(r#""payment_status":"paid""#),
            &format!("order {order}: {status} {body}"),
        )?;
    }
    let stored: usize = psql(&cluster.pg, "SELECT count(*) FROM orders")?.parse().map_err(|_| "count of orders")?;
    let stored = stored - earlier;
    let pending = psql(&cluster.pg, "SELECT count(*) FROM orders WHERE payment_status <> 'paid'")?;
    check(
        stored == acknowledged.len() && pending == "0",
        &format!("{} orders acknowledged, {stored} stored, {pending} not paid", acknowledged.len()),
    )?;
    println!(
        "    {VIEWERS} viewers ({reconnected} on the killed instance reconnected and resumed): every one of {} events, \
         in order, once; {} orders acknowledged by {BUYERS} buyers ({} requests with retries), all stored and paid, none \
         twice; slowest order {:.1} s from first try",
        pins.len(),
        acknowledged.len(),
        attempts.load(Ordering::SeqCst),
        slowest.lock().map(|d| d.as_secs_f64()).unwrap_or_default()
    );
    Ok(())
}

fn check(ok: bool, what: &str) -> Result {
    if ok {
        Ok(())
    } else {
        Err(format!("cluster failover: {what}"))
    }
}

fn auth() -> (&'static str, String) {
    ("Authorization", format!("Bearer {E2E_TOKEN}"))
}

fn psql(pg: &Postgres, sql: &str) -> Result<String> {
    let out = Command::new("psql")
        .args(["-tAq", "-h", "127.0.0.1", "-p", &pg.port.to_string(), "-U", "postgres", "-d", "vetrina", "-c", sql])
        .output()
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A viewer: the event stream through the balancer from `since`, reconnecting
/// with Last-Event-ID whenever it drops, until `stop` and two quiet seconds.
/// Answers the ids received, in order, and how many times it reconnected.
fn watch(lb: &str, since: i64, stop: &AtomicBool) -> (Vec<i64>, usize) {
    let mut ids: Vec<i64> = Vec::new();
    let mut reconnects = 0;
    let deadline = Instant::now() + Duration::from_secs(150);
    while Instant::now() < deadline {
        let last = ids.last().copied().unwrap_or(since);
        let ended = (|| -> std::io::Result<bool> {
            let mut stream = TcpStream::connect(lb)?;
            stream.set_read_timeout(Some(Duration::from_secs(2)))?;
            write!(
                stream,
                "GET /api/shows/demo/events?since={since} HTTP/1.1\r\nHost: {lb}\r\nAccept: text/event-stream\r\n\
                 Last-Event-ID: {last}\r\n\r\n"
            )?;
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) => return Ok(false),
                    Ok(_) => {
                        if let Some(id) = line.strip_prefix("id:").and_then(|v| v.trim().parse::<i64>().ok()) {
                            ids.push(id);
                        }
                    }
                    Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                        if stop.load(Ordering::SeqCst) {
                            return Ok(true);
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        })();
        if matches!(ended, Ok(true)) {
            break;
        }
        reconnects += 1;
        thread::sleep(Duration::from_millis(300));
    }
    (ids, reconnects)
}

/// A buyer: orders one unit at a time through the balancer until `stop`,
/// retrying each request with the same Idempotency-Key until it is answered.
/// Answers the ids of the orders acknowledged (201).
fn buy_until(
    lb: &str,
    buyer: usize,
    stop: &AtomicBool,
    slowest: &Mutex<Duration>,
    attempts: &AtomicUsize,
) -> Result<Vec<String>> {
    let mut orders = Vec::new();
    let variant = buyer % 5 + 1;
    let mut n = 0;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let began = Instant::now();
        // Each buyer is a phone of its own address (HAProxy appends the real one,
        // which the servers trust as their proxy's).
        let from = format!("10.0.0.{}", buyer + 1);
        let cart = retry(lb, "POST", "/api/carts", None, &from, r#"{"show_id":"demo"}"#, attempts, |s| s == 201)?;
        let cart = field(&cart, "id").ok_or("cart without id")?;
        let key = format!("fo-{buyer}-{n}");
        let line = format!(r#"{{"variant_id":{variant},"quantity":1}}"#);
        let add = format!("{key}-add");
        retry(lb, "POST", &format!("/api/carts/{cart}/lines"), Some(&add), &from, &line, attempts, |s| s == 200)?;
        let body = format!(
            r#"{{"email":"buyer{buyer}@example.com","name":"Buyer {buyer}","address":{{"line1":"1 Via Roma","city":"Milano","postal_code":"20121","country":"IT"}},"payment_token":"tok_visa"}}"#
        );
        let checkout = format!("/api/carts/{cart}/checkout");
        let order = retry(lb, "POST", &checkout, Some(&key), &from, &body, attempts, |s| s == 201)?;
        orders.push(field(&order, "id").ok_or("order without id")?);
        let took = began.elapsed();
        if let Ok(mut s) = slowest.lock() {
            *s = (*s).max(took);
        }
        // A person, not a script: a few orders a minute stay within the checkout limit.
        thread::sleep(Duration::from_millis(800));
    }
    Ok(orders)
}

/// Sends until the answer's status passes `done`; a lost answer, a 502/503 from
/// the balancer, a 409 "still being processed" or a 429 is tried again (for up
/// to 2 minutes).
#[allow(clippy::too_many_arguments)]
fn retry(
    lb: &str,
    method: &str,
    path: &str,
    key: Option<&str>,
    from: &str,
    body: &str,
    attempts: &AtomicUsize,
    done: impl Fn(u16) -> bool,
) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut headers = vec![("X-Forwarded-For", from.to_string())];
    headers.extend(key.map(|k| ("Idempotency-Key", k.to_string())));
    loop {
        attempts.fetch_add(1, Ordering::Relaxed);
        match request(lb, method, path, &headers, Some(body)) {
            Ok((status, reply)) if done(status) => return Ok(reply),
            Ok((status, reply)) if !(status >= 500 || status == 429 || reply.contains("idempotency_in_flight")) => {
                return Err(format!("{method} {path}: {status} {reply}"))
            }
            _ if Instant::now() > deadline => return Err(format!("{method} {path}: no answer within 2 minutes")),
            _ => thread::sleep(Duration::from_millis(250)),
        }
    }
}

/// One HTTP/1.1 request on a fresh connection: status and body.
fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> Result<(u16, String)> {
    let go = || -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let body = body.unwrap_or("");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        if !body.is_empty() {
            head.push_str("Content-Type: application/json\r\n");
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        stream.write_all(format!("{head}\r\n{body}").as_bytes())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, rest) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
        Ok((status, if chunked { dechunk(rest) } else { rest.to_string() }))
    };
    go().map_err(|e| format!("{method} {path}: {e}"))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A top-level field of one of our JSON answers, as text (strings unquoted).
fn field(json: &str, name: &str) -> Option<String> {
    let at = json.find(&format!("\"{name}\":"))? + name.len() + 3;
    let rest = json[at..].trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        Some(s[..s.find('"')?].to_string())
    } else {
        Some(rest[..rest.find([',', '}'])?].trim().to_string())
    }
}
