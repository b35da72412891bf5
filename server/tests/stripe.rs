//! Stripe as the payment provider, over HTTP against the local stand-in for
//! Stripe's API (`tests/stripe-standin`, built from Stripe's published
//! fixtures): payments, declines, 3-D Secure, a buyer who leaves, webhooks in
//! any order and replayed, bad signatures, Stripe unreachable.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use common::{cart_with_line, http, live_custom, Live};
use stripe_standin::{signature, Config as StandInConfig, StandIn};
use vetrina_server::state::stripe::{Stripe, StripeConfig};

struct Shop {
    server: Live,
    stripe: StandIn,
    outbox: Arc<vetrina_server::state::mailer::Memory>,
}

const WEBHOOK_SECRETS: [&str; 2] = ["whsec_standin", "whsec_rolled"];

/// A shop taking payments with Stripe (the stand-in), Stripe's webhooks pointed at it.
async fn shop_with(timeout: Duration) -> Shop {
    let config = StandInConfig::default();
    let (addr, stripe) = stripe_standin::serve(config.clone(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let provider = Stripe::new(StripeConfig {
        secret_key: config.secret_key.clone(),
        publishable_key: config.publishable_key.clone(),
        webhook_secrets: WEBHOOK_SECRETS.iter().map(|s| s.to_string()).collect(),
        api_base: format!("http://{addr}"),
        js_url: format!("http://{addr}/v3/"),
        timeout,
    })
    .unwrap();
    let outbox = Arc::new(vetrina_server::state::mailer::Memory::default());
    let mailer = outbox.clone();
    let server = live_custom(common::unlimited(), move |s| s.with_stripe(Arc::new(provider)).with_mailer(mailer)).await;
    stripe.set_webhook_url(&format!("http://{}/api/payments/stripe/webhook", server.addr));
    Shop { server, stripe, outbox }
}

async fn shop() -> Shop {
    shop_with(Duration::from_secs(10)).await
}

fn paying(token: &str) -> String {
    common::ADDRESS.replace("tok_visa", token)
}

/// A ConfirmationToken for a test PaymentMethod, as Stripe.js makes one.
async fn token(shop: &Shop, pm: &str) -> String {
    let addr = shop.stripe_addr();
    let r = http(
        addr,
        "POST",
        "/v1/confirmation_tokens",
        &[("authorization", "Bearer pk_test_standin"), ("content-type", "application/x-www-form-urlencoded")],
        Some(&format!("payment_method={pm}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

impl Shop {
    /// The stand-in's address, as the shop knows it.
    fn stripe_addr(&self) -> std::net::SocketAddr {
        let base = self.server.state.stripe.as_ref().unwrap().config().api_base.clone();
        base.trim_start_matches("http://").parse().unwrap()
    }

    async fn stock(&self, variant: i64) -> i64 {
        sqlx::query_scalar("SELECT stock FROM variants WHERE id = $1")
            .bind(variant)
            .fetch_one(&self.server.state.db)
            .await
            .unwrap()
    }

    async fn checkout(&self, cart: &str, key: &str, token: &str) -> common::Reply {
        let path = format!("/api/carts/{cart}/checkout");
        http(self.server.addr, "POST", &path, &[("idempotency-key", key)], Some(&paying(token))).await
    }

    async fn order(&self, id: &str) -> serde_json::Value {
        let r = http(self.server.addr, "GET", &format!("/api/orders/{id}"), &[], None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()
    }

    fn mails(&self) -> Vec<String> {
        self.outbox.0.lock().unwrap().iter().map(|(n, _)| n.clone()).collect()
    }

    /// The PaymentIntent opened for the order numbered `number`.
    async fn intent_of(&self, number: &str) -> serde_json::Value {
        let id: String = sqlx::query_scalar("SELECT intent FROM provider_payments WHERE order_number = $1")
            .bind(number)
            .fetch_one(&self.server.state.db)
            .await
            .unwrap();
        self.stripe.intent(&id).unwrap()
    }

    /// Posts `body` to the webhook with `sig` as its Stripe-Signature.
    async fn webhook(&self, body: &str, sig: Option<&str>) -> common::Reply {
        let mut headers = vec![];
        if let Some(sig) = sig {
            headers.push(("stripe-signature", sig));
        }
        http(self.server.addr, "POST", "/api/payments/stripe/webhook", &headers, Some(body)).await
    }
}

fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_pays_the_order_the_server_priced() {
    let shop = shop().await;
    let before = shop.stock(1).await;
    let cart = cart_with_line(shop.server.addr, 1, 2).await;
    let t = token(&shop, "pm_card_visa").await;
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let order = r.json();
    assert_eq!(order["payment_status"], "paid");
    assert_eq!(shop.stock(1).await, before - 2);
    // The PaymentIntent: the order's total, its currency, our order number.
    let pi = shop.intent_of(order["number"].as_str().unwrap()).await;
    assert_eq!(pi["amount"], order["total_minor"]);
    assert_eq!(pi["currency"], order["currency"].as_str().unwrap().to_lowercase());
    assert_eq!(pi["metadata"]["vetrina_order"], order["number"]);
    assert_eq!(pi["status"], "succeeded");
    assert_eq!(pi["automatic_payment_methods"]["allow_redirects"], "never");
    assert_eq!(shop.mails(), vec![order["number"].as_str().unwrap().to_string()]);
    // Stripe's own events about it arrive after; they change nothing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let events = shop.stripe.events();
    assert!(
        events.iter().any(|(_, kind, answers)| kind == "payment_intent.succeeded" && answers == &[200]),
        "{events:?}"
    );
    assert_eq!(shop.mails().len(), 1);
    assert_eq!(shop.stock(1).await, before - 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_buys_nothing_and_its_payment_is_cancelled() {
    let shop = shop().await;
    let before = shop.stock(1).await;
    let cart = cart_with_line(shop.server.addr, 1, 1).await;
    let t = token(&shop, "pm_card_chargeDeclinedInsufficientFunds").await;
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.body);
    assert_eq!(r.json()["code"], "insufficient_funds");
    assert!(r.json()["message"].as_str().unwrap().contains("Nothing was charged"));
    assert_eq!(shop.stock(1).await, before);
    assert_eq!(shop.stripe.created("cancel"), 1, "the declined PaymentIntent can never be charged later");
    // The cart is open again: another card, another key, pays.
    let t = token(&shop, "pm_card_visa").await;
    let r = shop.checkout(&cart, "k2", &t).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(shop.stock(1).await, before - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_d_secure_then_the_same_request_finishes_the_order_once() {
    let shop = shop().await;
    let before = shop.stock(1).await;
    let cart = cart_with_line(shop.server.addr, 1, 1).await;
    let t = token(&shop, "pm_card_threeDSecure2Required").await;
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let action = r.json();
    let secret = action["client_secret"].as_str().unwrap();
    assert!(secret.starts_with("pi_") && secret.contains("_secret_"), "{secret}");
    assert_eq!(action["order"]["payment_status"], "pending");
    // The stock is held while the buyer is at their bank.
    assert_eq!(shop.stock(1).await, before - 1);
    // A retry before authenticating: still waiting, nothing charged twice.
    let again = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{}", again.body);
    assert_eq!(shop.stripe.created("confirmation"), 1);
    // The buyer passes the challenge in Stripe.js; hold Stripe's webhooks so the buyer's retry comes first.
    shop.stripe.hold(true);
    let pi = secret.split("_secret_").next().unwrap();
    let auth = http(
        shop.stripe_addr(),
        "POST",
        &format!("/_standin/payment_intents/{pi}/authenticate?result=succeed"),
        &[],
        None,
    )
    .await;
    assert_eq!(auth.status, StatusCode::OK, "{}", auth.body);
    let done = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(done.json()["payment_status"], "paid");
    assert_eq!(shop.stripe.created("payment_intent"), 1);
    assert_eq!(shop.stripe.created("confirmation"), 1);
    // Then the webhook: the order is paid once, one email, the stock taken once.
    shop.stripe.deliver(false).await;
    assert_eq!(shop.mails().len(), 1);
    assert_eq!(shop.stock(1).await, before - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_who_pays_and_closes_the_tab_still_gets_the_order() {
    let shop = shop().await;
    let before = shop.stock(1).await;
    let cart = cart_with_line(shop.server.addr, 1, 1).await;
    let t = token(&shop, "pm_card_authenticationRequired").await;
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let order_id = r.json()["order"]["id"].as_str().unwrap().to_string();
    let pi = r.json()["client_secret"].as_str().unwrap().split("_secret_").next().unwrap().to_string();
    // Authenticated, then the tab closed: no retry ever comes. Stripe's webhook does the rest.
    let auth = http(
        shop.stripe_addr(),
        "POST",
        &format!("/_standin/payment_intents/{pi}/authenticate?result=succeed"),
        &[],
        None,
    )
    .await;
    assert_eq!(auth.status, StatusCode::OK);
    for _ in 0..50 {
        if shop.order(&order_id).await["payment_status"] == "paid" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let order = shop.order(&order_id).await;
    assert_eq!(order["payment_status"], "paid");
    assert_eq!(shop.mails(), vec![order["number"].as_str().unwrap().to_string()]);
    assert_eq!(shop.stock(1).await, before - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_authentication_releases_the_stock_whichever_arrives_first() {
    let shop = shop().await;
    let before = shop.stock(1).await;
    let cart = cart_with_line(shop.server.addr, 1, 1).await;
    let t = token(&shop, "pm_card_threeDSecure2Required").await;
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let pi = r.json()["client_secret"].as_str().unwrap().split("_secret_").next().unwrap().to_string();
    shop.stripe.hold(true);
    http(shop.stripe_addr(), "POST", &format!("/_standin/payment_intents/{pi}/authenticate?result=fail"), &[], None)
        .await;
    // The webhook first (newest first, too): the stock goes back.
    shop.stripe.deliver(true).await;
    assert_eq!(shop.stock(1).await, before);
    // Then the buyer's retry: told plainly, nothing more changes.
    let late = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(late.status, StatusCode::PAYMENT_REQUIRED, "{}", late.body);
    assert_eq!(shop.stock(1).await, before);
    assert!(shop.mails().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_with_bad_missing_or_old_signatures_change_nothing() {
    let shop = shop().await;
    let before = shop.stock(1).await;
    let cart = cart_with_line(shop.server.addr, 1, 1).await;
    let t = token(&shop, "pm_card_threeDSecure2Required").await;
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let order_id = r.json()["order"]["id"].as_str().unwrap().to_string();
    let pi = r.json()["client_secret"].as_str().unwrap().split("_secret_").next().unwrap().to_string();
    shop.stripe.hold(true);
    http(shop.stripe_addr(), "POST", &format!("/_standin/payment_intents/{pi}/authenticate?result=succeed"), &[], None)
        .await;
    let (id, _, _) = shop.stripe.events().into_iter().find(|(_, k, _)| k == "payment_intent.succeeded").unwrap();
    let body = serde_json::to_string(&shop.stripe.event(&id).unwrap()).unwrap();
    let now = now_s();
    let forged = signature("whsec_someone_else", now, body.as_bytes());
    let old = signature(WEBHOOK_SECRETS[0], now - 301, body.as_bytes());
    let other_body = signature(WEBHOOK_SECRETS[0], now, b"{}");
    for (sig, why) in [
        (None, "missing"),
        (Some("t=,v1=zz".to_string()), "malformed"),
        (Some(forged), "another secret"),
        (Some(old), "older than five minutes"),
        (Some(other_body), "signed over another body"),
    ] {
        let r = shop.webhook(&body, sig.as_deref()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{why}: {}", r.body);
        assert_eq!(r.json()["code"], "bad_signature", "{why}");
        assert_eq!(shop.order(&order_id).await["payment_status"], "pending", "{why}");
    }
    // The rolled secret is still accepted, and a replay of the same event changes nothing.
    let good = signature(WEBHOOK_SECRETS[1], now, body.as_bytes());
    let r = shop.webhook(&body, Some(&good)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(shop.order(&order_id).await["payment_status"], "paid");
    assert_eq!(shop.mails().len(), 1);
    let replay = shop.webhook(&body, Some(&good)).await;
    assert_eq!(replay.status, StatusCode::OK);
    assert_eq!(replay.json()["note"], "already handled");
    assert_eq!(shop.mails().len(), 1);
    assert_eq!(shop.stock(1).await, before - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_stripe_slow_the_buyer_is_told_and_a_retry_finds_the_same_payment() {
    let shop = shop_with(Duration::from_millis(400)).await;
    let before = shop.stock(1).await;
    let cart = cart_with_line(shop.server.addr, 1, 1).await;
    let t = token(&shop, "pm_card_visa").await;
    // Stripe does the work but answers too late: the buyer is told plainly.
    shop.stripe.delay(800);
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.json()["code"], "payment_unavailable");
    assert!(r.json()["message"].as_str().unwrap().contains("not be charged twice"));
    shop.stripe.delay(0);
    // The retry with the same key: the same order, the same PaymentIntent, one charge.
    let again = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(shop.stripe.created("payment_intent"), 1);
    assert_eq!(shop.stripe.created("confirmation"), 1);
    assert_eq!(shop.stock(1).await, before - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_that_does_not_match_its_order_is_refused() {
    let shop = shop().await;
    let cart = cart_with_line(shop.server.addr, 1, 1).await;
    let t = token(&shop, "pm_card_threeDSecure2Required").await;
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let order_id = r.json()["order"]["id"].as_str().unwrap().to_string();
    let number = r.json()["order"]["number"].as_str().unwrap().to_string();
    // The record of what was asked of Stripe says another amount than the order.
    sqlx::query("UPDATE orders SET total_minor = total_minor + 1 WHERE number = $1")
        .bind(&number)
        .execute(&shop.server.state.writer)
        .await
        .unwrap();
    shop.stripe.hold(true);
    let pi = r.json()["client_secret"].as_str().unwrap().split("_secret_").next().unwrap().to_string();
    http(shop.stripe_addr(), "POST", &format!("/_standin/payment_intents/{pi}/authenticate?result=succeed"), &[], None)
        .await;
    let (id, _, _) = shop.stripe.events().into_iter().find(|(_, k, _)| k == "payment_intent.succeeded").unwrap();
    assert_eq!(shop.stripe.send(&id).await, Some(422));
    assert_eq!(shop.order(&order_id).await["payment_status"], "pending");
    assert!(shop.mails().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_left_at_its_bank_is_cancelled_and_its_stock_released() {
    let shop = shop().await;
    let before = shop.stock(1).await;
    let cart = cart_with_line(shop.server.addr, 1, 1).await;
    let t = token(&shop, "pm_card_threeDSecure2Required").await;
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let pi = r.json()["client_secret"].as_str().unwrap().split("_secret_").next().unwrap().to_string();
    // Long past the wait for a payment.
    sqlx::query("UPDATE orders SET created_at_ms = 0").execute(&shop.server.state.writer).await.unwrap();
    let n = vetrina_server::shop::orders::release_abandoned(&shop.server.state).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(shop.stock(1).await, before);
    assert_eq!(shop.stripe.intent(&pi).unwrap()["status"], "canceled");
    // The bank's late "yes" can no longer charge it.
    let late = http(
        shop.stripe_addr(),
        "POST",
        &format!("/_standin/payment_intents/{pi}/authenticate?result=succeed"),
        &[],
        None,
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
}

/// The creator's token, as the studio sends it.
fn creator() -> (&'static str, String) {
    common::auth()
}

impl Shop {
    async fn refund(&self, number: &str, key: &str, body: &str) -> common::Reply {
        let (k, v) = creator();
        let path = format!("/api/shows/demo/orders/{number}/refunds");
        http(self.server.addr, "POST", &path, &[(k, &v), ("idempotency-key", key)], Some(body)).await
    }

    async fn listed(&self, number: &str) -> serde_json::Value {
        let (k, v) = creator();
        let r = http(self.server.addr, "GET", "/api/shows/demo/orders", &[(k, &v)], None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json().as_array().unwrap().iter().find(|o| o["number"] == number).unwrap().clone()
    }

    async fn revenue(&self) -> i64 {
        let (k, v) = creator();
        let r = http(self.server.addr, "GET", "/api/shows/demo/stats", &[(k, &v)], None).await;
        r.json()["revenue_minor"].as_i64().unwrap()
    }

    /// A paid order of `quantity` of variant 1, by card.
    async fn paid_order(&self, quantity: u32) -> serde_json::Value {
        let cart = cart_with_line(self.server.addr, 1, quantity).await;
        let t = token(self, "pm_card_visa").await;
        let r = self.checkout(&cart, &format!("k-{cart}"), &t).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_refunds_a_line_then_the_rest_through_stripe() {
    let shop = shop().await;
    let before = shop.stock(1).await;
    let revenue_before = shop.revenue().await;
    let order = shop.paid_order(2).await;
    let number = order["number"].as_str().unwrap();
    let unit = order["lines"][0]["unit_price_minor"].as_i64().unwrap();
    let total = order["total_minor"].as_i64().unwrap();
    assert_eq!(shop.stock(1).await, before - 2);
    assert_eq!(shop.revenue().await, revenue_before + total);

    // One unit back, restocked.
    let r = shop.refund(number, "r1", r#"{"lines":[{"variant_id":1,"quantity":1}]}"#).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let refund = r.json();
    assert_eq!(refund["amount_minor"], unit);
    assert_eq!(refund["payment_status"], "partially_refunded");
    assert_eq!(shop.stock(1).await, before - 1);
    assert_eq!(shop.stripe.created("refund"), 1);
    let listed = shop.listed(number).await;
    assert_eq!(listed["payment_status"], "partially_refunded");
    assert_eq!(listed["refunded_minor"], unit);
    assert_eq!(listed["lines"][0]["refunded"], 1);
    assert_eq!(shop.revenue().await, revenue_before + total - unit);
    // The same request again (its answer lost): the same refund, not a second one.
    let again = shop.refund(number, "r1", r#"{"lines":[{"variant_id":1,"quantity":1}]}"#).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json()["id"], refund["id"]);
    assert_eq!(shop.stripe.created("refund"), 1);
    assert_eq!(shop.stock(1).await, before - 1);
    // More than is left: refused, nothing changes.
    let too_many = shop.refund(number, "r2", r#"{"lines":[{"variant_id":1,"quantity":2}]}"#).await;
    assert_eq!(too_many.status, StatusCode::CONFLICT, "{}", too_many.body);
    assert_eq!(too_many.json()["code"], "more_than_left");
    let stranger = shop.refund(number, "r3", r#"{"lines":[{"variant_id":999,"quantity":1}]}"#).await;
    assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", stranger.body);
    // The rest: the other unit and the shipping.
    let rest = shop.refund(number, "r4", r#"{"reason":"Cancelled by the buyer"}"#).await;
    assert_eq!(rest.status, StatusCode::CREATED, "{}", rest.body);
    assert_eq!(rest.json()["amount_minor"], total - unit);
    assert_eq!(rest.json()["payment_status"], "refunded");
    assert_eq!(shop.stock(1).await, before);
    assert_eq!(shop.revenue().await, revenue_before);
    let nothing = shop.refund(number, "r5", "{}").await;
    assert_eq!(nothing.status, StatusCode::CONFLICT);
    assert_eq!(nothing.json()["code"], "nothing_to_refund");
    // The buyer was told of each refund; Stripe holds the same sums.
    let mails = shop.mails();
    assert_eq!(mails.iter().filter(|m| m.starts_with(&format!("{number}-refund-"))).count(), 2, "{mails:?}");
    assert_eq!(shop.stripe.created("refund"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_stripe_does_not_answer_changes_nothing_and_its_retry_refunds_once() {
    let shop = shop_with(Duration::from_millis(400)).await;
    let before = shop.stock(1).await;
    let order = shop.paid_order(1).await;
    let number = order["number"].as_str().unwrap();
    shop.stripe.delay(800);
    let r = shop.refund(number, "r1", "{}").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.json()["code"], "refund_unavailable");
    shop.stripe.delay(0);
    assert_eq!(shop.listed(number).await["payment_status"], "paid");
    assert_eq!(shop.stock(1).await, before - 1);
    // Stripe did make it; the retry with the same key finds that refund rather than making another.
    let again = shop.refund(number, "r1", "{}").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(shop.stripe.created("refund"), 1);
    assert_eq!(shop.listed(number).await["payment_status"], "refunded");
    assert_eq!(shop.stock(1).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_order_or_another_shows_order_cannot_be_refunded() {
    let shop = shop().await;
    let cart = cart_with_line(shop.server.addr, 1, 1).await;
    let t = token(&shop, "pm_card_threeDSecure2Required").await;
    let r = shop.checkout(&cart, "k1", &t).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let number = r.json()["order"]["number"].as_str().unwrap().to_string();
    let refund = shop.refund(&number, "r1", "{}").await;
    assert_eq!(refund.status, StatusCode::CONFLICT, "{}", refund.body);
    assert_eq!(refund.json()["code"], "order_not_paid");
    let missing = shop.refund("VT-2222-2222", "r2", "{}").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(shop.stripe.created("refund"), 0);
}
