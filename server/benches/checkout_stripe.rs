//! Checkout with Stripe as the provider, Stripe answering every request after
//! 300 ms as a real provider far away might: `cargo bench -p vetrina-server
//! --bench checkout_stripe` (`cargo xtask bench` runs it). The provider is
//! the real one (`state::stripe`) over HTTP against the local stand-in for
//! Stripe's API. Prints orders per second and the checkout request's latency
//! percentiles; asserts only that every order was paid.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{http, live_custom, ADDRESS};
use stripe_standin::Config as StandInConfig;
use vetrina_server::state::stripe::{Stripe, StripeConfig};

const BUYERS: usize = 16;
const ORDERS: usize = 320;
const STRIPE_MS: u64 = 300;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let config = StandInConfig::default();
    let (stripe_addr, stripe) = stripe_standin::serve(config.clone(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let provider = Stripe::new(StripeConfig {
        secret_key: config.secret_key.clone(),
        publishable_key: config.publishable_key.clone(),
        webhook_secrets: vec!["whsec_standin".into()],
        api_base: format!("http://{stripe_addr}"),
        js_url: format!("http://{stripe_addr}/v3/"),
        timeout: Duration::from_secs(15),
    })
    .unwrap();
    let server = live_custom(common::unlimited(), move |s| s.with_stripe(Arc::new(provider))).await;
    let addr = server.addr;
    sqlx::query("UPDATE variants SET stock = 1000000 WHERE id = 13").execute(&server.state.db).await.unwrap();
    stripe.delay(STRIPE_MS);
    let per_buyer = ORDERS / BUYERS;
    let started = Instant::now();
    let tasks: Vec<_> = (0..BUYERS)
        .map(|_| {
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_buyer);
                for _ in 0..per_buyer {
                    let cart = common::cart_with_line(addr, 13, 1).await;
                    // The browser's part (Stripe.js makes the token), not timed.
                    let made = http(
                        stripe_addr,
                        "POST",
                        "/v1/confirmation_tokens",
                        &[
                            ("authorization", "Bearer pk_test_standin"),
                            ("content-type", "application/x-www-form-urlencoded"),
                        ],
                        Some("payment_method=pm_card_visa"),
                    )
                    .await;
                    let token = made.json()["id"].as_str().unwrap().to_string();
                    let t = Instant::now();
                    let r = http(
                        addr,
                        "POST",
                        &format!("/api/carts/{cart}/checkout"),
                        &[("Idempotency-Key", &cart)],
                        Some(&ADDRESS.replace("tok_visa", &token)),
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
    println!(
        "checkout with Stripe (the stand-in, every answer {STRIPE_MS} ms late): {} paid orders by {BUYERS} concurrent buyers",
        latencies.len()
    );
    println!(
        "  throughput: {:.1} orders/s ({:.2} s in all)",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!(
        "  checkout latency: p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms (Stripe's share: two requests, {} ms)",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(latencies[latencies.len() - 1]),
        2 * STRIPE_MS
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
