//! Event fan-out over real sockets: `cargo bench -p vetrina-server --bench fanout`.
//!
//! Many viewers hold the show's event stream open; the creator pins and unpins.
//! Prints, per event, how long until every viewer had it, and the spread of
//! per-viewer delivery times. Each event is serialized once however many
//! viewers there are; this measures what remains (the sends). Viewers:
//! `VETRINA_BENCH_VIEWERS` (default 500; each costs two file descriptors).

#![allow(clippy::unwrap_used)] // a benchmark fails loudly on purpose

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{auth, http, live, Sse};

const EVENTS: usize = 20;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let viewers: usize = std::env::var("VETRINA_BENCH_VIEWERS").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let server = live().await;
    let addr = server.addr;
    let mut streams = Vec::with_capacity(viewers);
    for _ in 0..viewers {
        streams.push(Sse::connect(addr, "/api/shows/demo/events?since=0", None).await);
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, Instant)>();
    for mut sse in streams {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some((id, _)) = sse.next_within(Duration::from_secs(30)).await {
                let _ = tx.send((id, Instant::now()));
            }
        });
    }
    drop(tx);
    let (k, v) = auth();
    let mut per_viewer: Vec<Duration> = Vec::new();
    let mut slowest: Vec<Duration> = Vec::new();
    for i in 0..EVENTS {
        let product = 1 + (i / 2) as i64 % 9;
        let sent = Instant::now();
        let r = if i % 2 == 0 {
            http(addr, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(&format!(r#"{{"product_id":{product}}}"#)))
                .await
        } else {
            http(addr, "DELETE", &format!("/api/shows/demo/pins/{product}"), &[(k, &v)], None).await
        };
        let id = r.json()["id"].as_i64().unwrap();
        let mut got = 0;
        let mut worst = Duration::ZERO;
        while got < viewers {
            let (eid, at) = rx.recv().await.expect("every viewer gets every event");
            assert_eq!(eid, id, "events arrive in order, once");
            let d = at.duration_since(sent);
            per_viewer.push(d);
            worst = worst.max(d);
            got += 1;
        }
        slowest.push(worst);
    }
    per_viewer.sort();
    slowest.sort();
    let pct = |xs: &[Duration], p: f64| xs[((xs.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("fan-out benchmark: {EVENTS} pin/unpin events to {viewers} viewers on open SSE connections");
    println!(
        "  creator request → viewer has the event: p50 {:.1} ms, p99 {:.1} ms",
        ms(pct(&per_viewer, 0.5)),
        ms(pct(&per_viewer, 0.99))
    );
    println!(
        "  until the last of {viewers} viewers has it: median {:.1} ms, worst {:.1} ms",
        ms(pct(&slowest, 0.5)),
        ms(slowest[slowest.len() - 1])
    );
}
