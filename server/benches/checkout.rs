//! Checkout throughput and latency over real sockets: `cargo bench -p vetrina-server --bench checkout`.
//!
//! Many buyers at once each create a cart, add a line and check out, against a
//! file database in WAL mode (as in production), or with `VETRINA_TEST_POSTGRES`
//! set on a fresh database of that Postgres server (`cargo xtask bench` runs
//! both; fsync on, synchronous_commit off). Prints orders per second and
//! the latency percentiles of the checkout request itself. A benchmark, not a
//! test: it prints numbers and asserts only that every order was placed.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{http, live, ADDRESS};

const BUYERS: usize = 16;
const ORDERS: usize = 2000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let server = live().await;
    let addr = server.addr;
    sqlx::query("UPDATE variants SET stock = 1000000 WHERE id = 13").execute(&server.state.db).await.unwrap();
    let per_buyer = ORDERS / BUYERS;
    let started = Instant::now();
    let tasks: Vec<_> = (0..BUYERS)
        .map(|_| {
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_buyer);
                for _ in 0..per_buyer {
                    let cart = common::cart_with_line(addr, 13, 1).await;
                    let t = Instant::now();
                    let r = http(
                        addr,
                        "POST",
                        &format!("/api/carts/{cart}/checkout"),
                        &[("Idempotency-Key", &cart)],
                        Some(ADDRESS),
                    )
                    .await;
                    latencies.push(t.elapsed());
                    assert_eq!(r.status, 201, "{}", r.body);
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&server.state.db).await.unwrap();
    assert_eq!(orders as usize, latencies.len());
    println!(
        "checkout benchmark: {} orders by {BUYERS} concurrent buyers (cart + line + checkout each), {}",
        latencies.len(),
        match vetrina_server::store::Backend::of_pool(&server.state.db) {
            vetrina_server::store::Backend::Sqlite => "SQLite WAL",
            vetrina_server::store::Backend::Postgres => "Postgres (one instance)",
        }
    );
    println!(
        "  throughput: {:.0} orders/s ({:.2} s in all)",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!(
        "  checkout latency: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(latencies[latencies.len() - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
