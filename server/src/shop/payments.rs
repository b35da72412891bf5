//! Settling an order's payment. Whatever learns where a payment stands (the
//! buyer's checkout, its retry with the same key, a provider's webhook, the
//! reaper of unpaid orders) goes through [`settle`], under the order's cart
//! lock, so an order is paid exactly once and its stock released exactly once,
//! whichever of them comes first; and the buyer who pays and closes the tab
//! still gets the order, the stock and the email (from the webhook).
//!
//! Also here: the provider webhook (`POST /api/payments/stripe/webhook`),
//! whose signature is checked before anything else, and whose events are
//! handled once each, by asking the provider where the payment stands now
//! (so events may arrive in any order).

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use vetrina_wire::{Order, PaymentStatus, ShowEvent};

use crate::http::error::ApiError;
use crate::shop::orders::{self, OrderKey};
use crate::state::payments::{Charge, Outcome, PaymentProvider, TestProvider};
use crate::state::AppState;
use crate::store::{self, Lock};
use crate::util::now_ms;

/// What a payment came to, for the order.
pub enum Settled {
    Paid(Order),
    Declined {
        code: String,
        message: String,
    },
    /// The buyer must authenticate (3-D Secure) with this secret, then retry.
    Action {
        order: Order,
        client_secret: String,
    },
    /// Nothing known: the order waits, its stock held, for a retry or the provider's word.
    Unavailable(String),
    /// The provider took another amount or currency than the order's: not accepted.
    Mismatch,
}

/// Who takes the payment of an order: a test order, the test provider.
pub fn provider_for(state: &AppState, test: bool) -> Option<&dyn PaymentProvider> {
    if test {
        return Some(&TestProvider);
    }
    state.payments.as_deref()
}

/// Phase two of checkout: charges `token` for the pending order `order_id`,
/// opening its payment at the provider first (and recording it) unless an
/// earlier attempt with the same key did.
pub async fn pay(state: &AppState, cart_id: &str, order_id: i64, token: &str) -> Result<Settled, ApiError> {
    let pending = orders::load(&mut *state.db.acquire().await?, OrderKey::Internal(order_id)).await?;
    let provider = provider_for(state, pending.test).ok_or_else(crate::shop::carts::checkout_unavailable)?;
    let charge = Charge {
        amount_minor: pending.total_minor,
        currency: pending.currency.clone(),
        token: token.to_string(),
        reference: pending.number.clone(),
    };
    let opened = store::payments::for_order(&mut *state.db.acquire().await?, &pending.number).await?;
    let (intent, outcome) = match opened {
        Some(p) => {
            let outcome = match provider.status(&p.intent).await {
                Outcome::Open => provider.confirm(&p.intent, &charge).await,
                other => other,
            };
            (p.intent, outcome)
        }
        None => {
            let intent = match provider.open(&charge).await {
                Ok(intent) => intent,
                Err(why) => {
                    tracing::warn!(order = %pending.number, %why, "could not open a payment");
                    log_attempt(state, cart_id, &pending, provider.name(), "error", None, Some("unavailable")).await?;
                    return Ok(Settled::Unavailable(why));
                }
            };
            let record = store::payments::ProviderPayment {
                intent: intent.clone(),
                provider: provider.name().to_string(),
                order_number: pending.number.clone(),
                amount_minor: pending.total_minor,
                currency: pending.currency.clone(),
            };
            store::payments::record(&mut *state.writer.acquire().await?, &record, now_ms()).await?;
            let outcome = provider.confirm(&intent, &charge).await;
            (intent, outcome)
        }
    };
    settle(state, provider, cart_id, order_id, &intent, outcome).await
}

/// Applies what the provider says of `intent` to the order `order_id`.
pub async fn settle(
    state: &AppState,
    provider: &dyn PaymentProvider,
    cart_id: &str,
    order_id: i64,
    intent: &str,
    outcome: Outcome,
) -> Result<Settled, ApiError> {
    match outcome {
        Outcome::Approved { reference, amount_minor, currency } => {
            // Only this order's rows, under its cart's lock: no need to queue
            // behind other checkouts; a webhook or retry doing the same waits.
            let mut tx = store::begin_locked(&state.writer, &[Lock::Cart(cart_id)]).await?;
            let order = orders::load(&mut tx, OrderKey::Internal(order_id)).await?;
            if order.payment_status != PaymentStatus::Pending {
                return Ok(Settled::Paid(order));
            }
            if amount_minor != order.total_minor || !currency.eq_ignore_ascii_case(&order.currency) {
                tracing::error!(
                    order = %order.number, %intent, paid = amount_minor, %currency,
                    total = order.total_minor, order_currency = %order.currency,
                    "a payment does not match its order: not accepted"
                );
                drop(tx);
                log_attempt(
                    state,
                    cart_id,
                    &order,
                    provider.name(),
                    "error",
                    Some(&reference),
                    Some("amount_mismatch"),
                )
                .await?;
                return Ok(Settled::Mismatch);
            }
            store::orders::mark_paid(&mut tx, order_id, &reference).await?;
            attempt(&order, cart_id, provider.name(), "approved", Some(&reference), None).log(&mut tx).await?;
            let order = orders::load(&mut tx, OrderKey::Internal(order_id)).await?;
            tx.commit().await?;
            if !order.test {
                publish_stock(state, &order).await;
            }
            crate::shop::mail::confirm(state, order_id).await;
            Ok(Settled::Paid(order))
        }
        Outcome::Declined { code, message } => {
            let mut tx = store::begin_locked(&state.writer, &[Lock::Cart(cart_id)]).await?;
            let order = orders::load(&mut tx, OrderKey::Internal(order_id)).await?;
            if order.payment_status != PaymentStatus::Pending {
                // Paid by another way in meanwhile (a retry, a webhook): that stands.
                return Ok(Settled::Paid(order));
            }
            orders::revert(&mut tx, order_id).await?;
            attempt(&order, cart_id, provider.name(), "declined", None, Some(&code)).log(&mut tx).await?;
            tx.commit().await?;
            // So the payment can never be charged after its stock went back.
            if let Err(why) = provider.cancel(intent).await {
                tracing::warn!(%intent, %why, "could not cancel a declined payment");
            }
            Ok(Settled::Declined { code, message })
        }
        Outcome::RequiresAction { client_secret } => {
            let order = orders::load(&mut *state.db.acquire().await?, OrderKey::Internal(order_id)).await?;
            Ok(Settled::Action { order, client_secret })
        }
        Outcome::Open => Ok(Settled::Unavailable("The payment was not confirmed.".into())),
        Outcome::Unavailable { message } => {
            let order = orders::load(&mut *state.db.acquire().await?, OrderKey::Internal(order_id)).await?;
            log_attempt(state, cart_id, &order, provider.name(), "error", None, Some("unavailable")).await?;
            Ok(Settled::Unavailable(message))
        }
    }
}

/// Where the payment of an order that has waited too long stands, settled:
/// paid if it was paid; otherwise cancelled at the provider and put back.
/// `false` if that could not be decided now (the provider did not answer).
pub async fn settle_abandoned(state: &AppState, order_id: i64, cart_id: &str, test: bool) -> Result<bool, ApiError> {
    let opened = store::payments::for_order_id(&mut *state.db.acquire().await?, order_id).await?;
    let (Some(p), Some(provider)) = (opened, provider_for(state, test)) else {
        // Never reached a provider: nothing can have been charged.
        let mut tx = store::begin_locked(&state.writer, &[Lock::Cart(cart_id)]).await?;
        if store::orders::pending(&mut tx, order_id).await?.is_some() {
            orders::revert(&mut tx, order_id).await?;
        }
        tx.commit().await?;
        return Ok(true);
    };
    let outcome = match provider.status(&p.intent).await {
        Outcome::Open | Outcome::RequiresAction { .. } => match provider.cancel(&p.intent).await {
            Ok(()) => Outcome::Declined { code: "payment_abandoned".into(), message: String::new() },
            // Paid just now, or the provider is away: ask again.
            Err(_) => provider.status(&p.intent).await,
        },
        other => other,
    };
    Ok(!matches!(
        settle(state, provider, cart_id, order_id, &p.intent, outcome).await?,
        Settled::Unavailable(_) | Settled::Action { .. }
    ))
}

/// Bodies larger than this are not Stripe events.
pub const WEBHOOK_BODY_LIMIT: usize = 256 * 1024;

fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    let body = vetrina_wire::ApiError { code: code.into(), message: message.into(), fields: vec![] };
    (status, Json(body)).into_response()
}

/// `POST /api/payments/stripe/webhook`: Stripe's events. The signature is the
/// authorization: its header and time are checked before the body is read
/// ([`crate::http::endpoint::Access::StripeSignature`]), the signature over
/// the body (bounded) before anything is done.
pub async fn stripe_webhook(State(state): State<AppState>, request: Request) -> Response {
    let Some(stripe) = state.stripe.clone() else {
        return refused(StatusCode::NOT_FOUND, "not_found", "This server takes no Stripe payments.");
    };
    let now_s = now_ms() / 1000;
    let header = request.headers().get("stripe-signature").and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = match axum::body::to_bytes(request.into_body(), WEBHOOK_BODY_LIMIT).await {
        Ok(body) => body,
        Err(_) => return refused(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "That is not a Stripe event."),
    };
    if let Err(e) = crate::state::stripe::verify(header.as_deref(), &body, &stripe.config().webhook_secrets, now_s) {
        tracing::warn!(error = ?e, "refused a Stripe webhook: its signature does not match");
        return refused(
            StatusCode::BAD_REQUEST,
            "bad_signature",
            "The Stripe-Signature does not match this endpoint's secret.",
        );
    }
    let event: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return refused(StatusCode::BAD_REQUEST, "malformed_event", "The event is not JSON."),
    };
    let (Some(id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return refused(StatusCode::BAD_REQUEST, "malformed_event", "The event has no id or type.");
    };
    match handle_event(&state, stripe.as_ref(), id, kind, &event["data"]["object"]).await {
        Ok(answer) => answer,
        Err(e) => e.into_response(),
    }
}

async fn handle_event(
    state: &AppState,
    provider: &dyn PaymentProvider,
    id: &str,
    kind: &str,
    object: &serde_json::Value,
) -> Result<Response, ApiError> {
    let ok = |note: &str| Json(serde_json::json!({ "received": true, "note": note })).into_response();
    if store::payments::handled(&state.db, id).await? {
        return Ok(ok("already handled"));
    }
    let watched = ["payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"];
    let intent = object["id"].as_str().unwrap_or("");
    let answer = match (watched.contains(&kind), store::payments::by_intent(&state.db, intent).await?) {
        (false, _) => ok("not an event Vetrina acts on"),
        (true, None) => ok("not a Vetrina payment"),
        (true, Some(p)) => {
            // Where the payment stands now, not as the event saw it: events come in any order.
            let outcome = provider.status(intent).await;
            let order = store::orders::by_number(&mut *state.db.acquire().await?, &p.order_number).await?;
            match (order, outcome) {
                (_, Outcome::Unavailable { message }) => {
                    // Stripe delivers again later.
                    return Ok(refused(StatusCode::SERVICE_UNAVAILABLE, "payment_unavailable", &message));
                }
                (Some((order_id, cart_id)), outcome) => {
                    match settle(state, provider, &cart_id, order_id, intent, outcome).await? {
                        Settled::Mismatch => {
                            return Ok(refused(
                                StatusCode::UNPROCESSABLE_ENTITY,
                                "payment_mismatch",
                                "The payment's amount or currency is not the order's; it was not accepted.",
                            ))
                        }
                        _ => ok("settled"),
                    }
                }
                (None, Outcome::Approved { amount_minor, currency, .. }) => {
                    // Paid after its order was put back (its stock may be sold): give it back.
                    tracing::warn!(order = %p.order_number, %intent, "a payment arrived for an order already put back: refunding it");
                    let key = format!("{intent}-orphan");
                    if let Err(why) = provider.refund(intent, amount_minor, &currency, &key).await {
                        tracing::error!(%intent, %why, "could not refund a payment without an order");
                        return Ok(refused(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "refund_failed",
                            "Could not refund it yet.",
                        ));
                    }
                    ok("refunded: its order was put back")
                }
                (None, _) => ok("its order was put back"),
            }
        }
    };
    store::payments::mark_handled(&mut *state.writer.acquire().await?, id, "stripe", kind, now_ms()).await?;
    Ok(answer)
}

fn attempt<'a>(
    order: &'a Order,
    cart_id: &'a str,
    provider: &'static str,
    outcome: &'a str,
    reference: Option<&'a str>,
    reason: Option<&'a str>,
) -> store::orders::Attempt<'a> {
    store::orders::Attempt {
        cart_id,
        provider,
        amount_minor: order.total_minor,
        currency: &order.currency,
        outcome,
        reference,
        reason,
        at_ms: now_ms(),
    }
}

trait Log {
    async fn log(&self, conn: &mut store::Conn) -> Result<(), ApiError>;
}

impl Log for store::orders::Attempt<'_> {
    async fn log(&self, conn: &mut store::Conn) -> Result<(), ApiError> {
        store::orders::log_attempt(conn, self).await?;
        Ok(())
    }
}

async fn log_attempt(
    state: &AppState,
    cart_id: &str,
    order: &Order,
    provider: &'static str,
    outcome: &str,
    reference: Option<&str>,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    attempt(order, cart_id, provider, outcome, reference, reason).log(&mut *state.writer.acquire().await?).await
}

/// Tells every viewer the new stock of what was just sold.
async fn publish_stock(state: &AppState, order: &Order) {
    for line in &order.lines {
        let Ok(Some((product_id, stock))) = store::catalogue::stock(&state.db, line.variant_id).await else { continue };
        let event = ShowEvent::Stock { product_id, variant_id: line.variant_id, stock };
        if let Err(e) = crate::live::events::record(state, &order.show_id, event).await {
            tracing::warn!(error = %e, "could not publish a stock event");
        }
    }
}
