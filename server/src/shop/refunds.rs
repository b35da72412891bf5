//! Refunds: money given back on a paid order, the whole of it (a
//! cancellation) or some of its units, through the provider that took it.
//!
//! A refund is written pending first, under the order's cart lock, so two at
//! once cannot give back the same units or more than was paid; then the
//! provider is asked (its idempotency key derived from the request's, so a
//! retry whose first answer was lost finds the same refund at the provider);
//! then it is marked given, the units go back on sale if asked, viewers see
//! the new stock, and the buyer gets an email. If the provider refuses or
//! cannot be reached, the pending refund is forgotten and nothing has changed.

use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use vetrina_wire::{PaymentStatus, Refund, RefundLine, RefundRequest, ShowEvent, IDEMPOTENCY_KEY_HEADER};

use crate::http::auth::Creator;
use crate::http::error::{ApiError, ApiPath, Valid};
use crate::shop::orders::{self, OrderKey};
use crate::state::AppState;
use crate::store::{self, Lock};
use crate::util::now_ms;

/// `POST /api/shows/{show}/orders/{order}/refunds` (creator).
pub async fn create(
    axum::extract::State(state): axum::extract::State<AppState>,
    _creator: Creator,
    ApiPath((show_id, number)): ApiPath<(String, String)>,
    headers: HeaderMap,
    Valid(req): Valid<RefundRequest>,
) -> Result<(StatusCode, Json<Refund>), ApiError> {
    let key = headers.get(IDEMPOTENCY_KEY_HEADER).and_then(|k| k.to_str().ok()).unwrap_or_default().to_string();
    let not_found = || ApiError::NotFound("This show has no such order.".into());
    let (order_id, cart_id) =
        store::orders::by_number(&mut *state.db.acquire().await?, &number).await?.ok_or_else(not_found)?;

    // Phase one: what can be refunded, decided and held under the order's lock.
    let mut tx = store::begin_locked(&state.writer, &[Lock::Cart(&cart_id)]).await?;
    let order = orders::load(&mut tx, OrderKey::Internal(order_id)).await?;
    if order.show_id != show_id {
        return Err(not_found());
    }
    if order.payment_status == PaymentStatus::Pending {
        return Err(ApiError::conflict("order_not_paid", "This order is not paid: there is nothing to refund."));
    }
    let refundable = store::refunds::refundable(&mut tx, order_id).await?;
    let covered = store::refunds::covered_minor(&mut tx, order_id).await?;
    let left_minor = order.total_minor - covered;
    let (lines, amount_minor) = if req.lines.is_empty() {
        // The whole order: every unit not given back yet, and the rest of the money, shipping included.
        let lines: Vec<(i64, i64)> = refundable
            .iter()
            .filter(|r| r.bought > r.refunded)
            .map(|r| (r.variant_id, r.bought - r.refunded))
            .collect();
        (lines, left_minor)
    } else {
        let mut lines = Vec::new();
        let mut amount = 0i64;
        for line in &req.lines {
            let Some(r) = refundable.iter().find(|r| r.variant_id == line.variant_id) else {
                return Err(ApiError::unprocessable(
                    "not_in_order",
                    format!("Variant {} is not in this order.", line.variant_id),
                ));
            };
            let quantity = i64::from(line.quantity);
            if quantity > r.bought - r.refunded {
                return Err(ApiError::conflict(
                    "more_than_left",
                    format!("Only {} of variant {} can still be refunded.", r.bought - r.refunded, line.variant_id),
                ));
            }
            lines.push((line.variant_id, quantity));
            // At the price paid for them (a drop's price, if it was one).
            amount += r.paid_minor * quantity / r.bought.max(1);
        }
        (lines, amount.min(left_minor))
    };
    if amount_minor <= 0 {
        return Err(ApiError::conflict("nothing_to_refund", "Everything on this order has been refunded already."));
    }
    let refund_id = store::refunds::insert_pending(
        &mut tx,
        order_id,
        amount_minor,
        req.restock,
        req.reason.trim(),
        &lines,
        now_ms(),
    )
    .await?;
    tx.commit().await?;

    // Phase two: the provider, outside any lock.
    let given = give_back(&state, &order, amount_minor, &key).await;
    let mut tx = store::begin_locked(&state.writer, &[Lock::Cart(&cart_id)]).await?;
    let reference = match given {
        Ok(reference) => reference,
        Err(why) => {
            store::refunds::delete(&mut tx, refund_id).await?;
            tx.commit().await?;
            tracing::warn!(order = %order.number, %why, "a refund was not made");
            return Err(ApiError::Unavailable {
                code: "refund_unavailable",
                message: "The payment provider did not make the refund; nothing changed. Try again.".into(),
            });
        }
    };
    store::refunds::mark_succeeded(&mut tx, refund_id, &reference).await?;
    // A test order took no stock, so it gives none back.
    let restocked = req.restock && !order.test;
    if restocked {
        store::refunds::restock(&mut tx, &lines).await?;
    }
    let refunded_minor = store::refunds::given_minor(&mut tx, order_id).await?;
    let after = orders::load(&mut tx, OrderKey::Internal(order_id)).await?;
    tx.commit().await?;
    if restocked {
        for (variant_id, _) in &lines {
            let Ok(Some((product_id, stock))) = store::catalogue::stock(&state.db, *variant_id).await else { continue };
            let event = ShowEvent::Stock { product_id, variant_id: *variant_id, stock };
            if let Err(e) = crate::live::events::record(&state, &show_id, event).await {
                tracing::warn!(error = %e, "could not publish a stock event");
            }
        }
    }
    let refund = Refund {
        id: refund_id,
        order_number: order.number.clone(),
        amount_minor,
        currency: order.currency.clone(),
        lines: lines
            .iter()
            .map(|(variant_id, q)| RefundLine { variant_id: *variant_id, quantity: u32::try_from(*q).unwrap_or(0) })
            .collect(),
        restocked,
        created_at_ms: now_ms(),
        payment_status: after.payment_status,
        refunded_minor,
    };
    crate::shop::mail::refunded(&state, &after, &refund).await;
    Ok((StatusCode::CREATED, Json(refund)))
}

/// Asks the provider that took the order's money to give `amount_minor` back.
async fn give_back(
    state: &AppState,
    order: &vetrina_wire::Order,
    amount_minor: i64,
    key: &str,
) -> Result<String, String> {
    let provider = crate::shop::payments::provider_for(state, order.test).ok_or("no payment provider")?;
    let opened = store::payments::for_order(&mut *state.db.acquire().await.map_err(|e| e.to_string())?, &order.number)
        .await
        .map_err(|e| e.to_string())?;
    let intent = match opened {
        Some(p) => p.intent,
        // Paid by the test provider before payments were recorded: nothing to ask anyone.
        None if provider.name() == "test" => format!("test_{}", order.number),
        None => return Err("no payment recorded for this order".into()),
    };
    // The request's key, not the refund's row: a retry after a lost answer is the same refund at the provider.
    let digest = crate::util::fnv1a(key.as_bytes());
    provider.refund(&intent, amount_minor, &order.currency, &format!("{}-refund-{digest:016x}", order.number)).await
}
