//! Event fan-out at scale: `cargo bench -p vetrina-server --bench fanout`.
//!
//! Starts the server as its own process (the release binary), opens many idle
//! event streams on it from separate viewer processes (a process may hold only
//! 20,000 open files here, and the server's memory must be measured alone), then
//! pins and unpins. Prints the server's memory per idle viewer (resident set
//! growth from before the viewers connected to after, divided by their number)
//! and the delivery latency from the pin request's start to each viewer's
//! receipt: p50, p99 and max over every (event, viewer).
//!
//! One instance on SQLite with `VETRINA_BENCH_VIEWERS` viewers (default
//! 18,000); with `VETRINA_TEST_POSTGRES` and `VETRINA_TEST_NATS` set (as
//! `cargo xtask bench` does), also two instances on one Postgres sharing events
//! over NATS, with twice the viewers, half on each. Viewer processes, the server
//! and the pinning all share this machine's cores: latencies include that.

#![allow(clippy::unwrap_used)] // a benchmark fails loudly on purpose

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{http, Sse};

const EVENTS: usize = 20;
/// Streams one viewer process opens (it needs a file per stream, and some to spare).
const PER_PROCESS: usize = 9_000;
const TOKEN: &str = "bench-token";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    if std::env::var("VETRINA_FANOUT_ROLE").as_deref() == Ok("viewers") {
        runtime.block_on(viewers());
    } else {
        runtime.block_on(drive());
    }
}

fn now_us() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_micros()
}

/// A viewer process: `VETRINA_FANOUT_COUNT` streams on `VETRINA_FANOUT_ADDR`;
/// says "ready" once all are open, then prints each receipt as "event_id micros"
/// until every stream has had `EVENTS` events (or a minute passes).
async fn viewers() {
    let addr: SocketAddr = std::env::var("VETRINA_FANOUT_ADDR").unwrap().parse().unwrap();
    let count: usize = std::env::var("VETRINA_FANOUT_COUNT").unwrap().parse().unwrap();
    let mut streams = Vec::with_capacity(count);
    // A few hundred connects at a time: the server's accept queue is finite.
    let mut pending = Vec::new();
    for i in 0..count {
        pending.push(tokio::spawn(Sse::connect(addr, "/api/shows/demo/events", None)));
        if pending.len() == 200 || i + 1 == count {
            for p in pending.drain(..) {
                streams.push(p.await.unwrap());
            }
        }
    }
    println!("ready");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, u128)>();
    for mut sse in streams {
        let tx = tx.clone();
        tokio::spawn(async move {
            for _ in 0..EVENTS {
                match sse.next_within(Duration::from_secs(60)).await {
                    Some((id, _)) => {
                        let _ = tx.send((id, now_us()));
                    }
                    None => return,
                }
            }
        });
    }
    drop(tx);
    let mut out = std::io::stdout().lock();
    while let Some((id, at)) = rx.recv().await {
        writeln!(out, "{id} {at}").unwrap();
    }
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(data: &std::path::Path, extra: &[&str]) -> Server {
    // The demo video is not needed: an empty file keeps ffmpeg from making it.
    std::fs::create_dir_all(data.join("media")).unwrap();
    std::fs::write(data.join("media/demo.mp4"), b"").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vetrina-server"))
        .args(["--demo", "--host-every", "0", "--demo-token", TOKEN, "--pins-per-second", "0"])
        .args(["--max-streams-per-client", "1000000", "--addr", &addr.to_string()])
        .arg("--data-dir")
        .arg(data)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if std::net::TcpStream::connect(addr).is_ok() {
            return Server { child, addr };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

async fn drive() {
    let viewers: usize = std::env::var("VETRINA_BENCH_VIEWERS").ok().and_then(|v| v.parse().ok()).unwrap_or(18_000);
    let dir = tempfile::tempdir().unwrap();
    {
        let server = start_server(&dir.path().join("one"), &[]);
        run(&[server], viewers, "1 instance (SQLite)").await;
    }
    let (Ok(pg), Ok(nats)) = (std::env::var(common::POSTGRES_ENV), std::env::var("VETRINA_TEST_NATS")) else {
        println!("(two instances: set VETRINA_TEST_POSTGRES and VETRINA_TEST_NATS, as cargo xtask bench does)");
        return;
    };
    let url = common::postgres_url().await.unwrap();
    let _ = pg;
    let shared = ["--database", url.as_str(), "--nats", nats.as_str()];
    let a = start_server(&dir.path().join("a"), &shared);
    let b = start_server(&dir.path().join("b"), &shared);
    run(&[a, b], 2 * viewers, "2 instances (Postgres + NATS)").await;
}

/// Opens `viewers` streams spread evenly over `servers`, then pins and unpins
/// `EVENTS` times through the first server and prints what it measured.
async fn run(servers: &[Server], viewers: usize, label: &str) {
    // Warm up (the show's room opens with its first stream), then measure the base.
    drop(Sse::connect(servers[0].addr, "/api/shows/demo/events", None).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before: Vec<u64> = servers.iter().map(|s| rss_kib(s.child.id())).collect();

    let per_server = viewers / servers.len();
    let mut processes = Vec::new();
    let connecting = Instant::now();
    for server in servers {
        let mut left = per_server;
        while left > 0 {
            let n = left.min(PER_PROCESS);
            left -= n;
            let mut child = Command::new(std::env::current_exe().unwrap())
                .env("VETRINA_FANOUT_ROLE", "viewers")
                .env("VETRINA_FANOUT_ADDR", server.addr.to_string())
                .env("VETRINA_FANOUT_COUNT", n.to_string())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let out = BufReader::new(child.stdout.take().unwrap());
            processes.push((child, out.lines()));
        }
    }
    for (_, lines) in &mut processes {
        assert_eq!(lines.next().unwrap().unwrap(), "ready", "a viewer process could not connect");
    }
    let connected = connecting.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after: Vec<u64> = servers.iter().map(|s| rss_kib(s.child.id())).collect();

    let auth = ("authorization", format!("Bearer {TOKEN}"));
    let mut sent = std::collections::HashMap::new();
    for i in 0..EVENTS {
        let product = 1 + (i / 2) as i64 % 9;
        let at = now_us();
        let r = if i % 2 == 0 {
            let body = format!(r#"{{"product_id":{product}}}"#);
            http(servers[0].addr, "POST", "/api/shows/demo/pins", &[(auth.0, &auth.1)], Some(&body)).await
        } else {
            http(servers[0].addr, "DELETE", &format!("/api/shows/demo/pins/{product}"), &[(auth.0, &auth.1)], None)
                .await
        };
        sent.insert(r.json()["id"].as_i64().unwrap(), at);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut latencies: Vec<u128> = Vec::with_capacity(viewers * EVENTS);
    for (mut child, lines) in processes {
        for line in lines {
            let line = line.unwrap();
            let (id, at) = line.split_once(' ').unwrap();
            let (id, at): (i64, u128) = (id.parse().unwrap(), at.parse().unwrap());
            latencies.push(at.saturating_sub(sent[&id]));
        }
        let _ = child.wait();
    }
    latencies.sort_unstable();
    let ms = |us: u128| us as f64 / 1000.0;
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    let grown: u64 = after.iter().zip(&before).map(|(a, b)| a.saturating_sub(*b)).sum();
    println!("fan-out benchmark, {label}: {viewers} idle viewers, {EVENTS} pin/unpin events");
    println!(
        "  server memory: {:.2} KiB per idle viewer ({} KiB resident before the viewers, {} KiB after; \
         all connected in {:.1} s)",
        grown as f64 / viewers as f64,
        before.iter().sum::<u64>(),
        after.iter().sum::<u64>(),
        connected.as_secs_f64()
    );
    println!(
        "  pin request → viewer has the event: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} deliveries \
         (of {} expected)",
        ms(pct(0.50)),
        ms(pct(0.99)),
        ms(latencies[latencies.len() - 1]),
        latencies.len(),
        viewers * EVENTS
    );
}
