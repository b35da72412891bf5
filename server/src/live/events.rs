//! Each show's event log: every pin, unpin, price, stock or status change is
//! first written to the show's log (the `events` table, whose ids increase
//! monotonically), and only then handed to the fan-out
//! ([`crate::state::fanout`]), which carries it to every viewer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use vetrina_wire::{EventEnvelope, PinRequest, ShowEvent};

use crate::http::auth::Creator;
use crate::http::error::{ApiError, ApiPath, Valid};
use crate::state::AppState;
use crate::store;
use crate::util::now_ms;

/// Records an event and broadcasts it: the one way anything reaches a show's
/// stream. Pins and unpins are checked against the current pin state first.
pub async fn record(state: &AppState, show_id: &str, event: ShowEvent) -> Result<EventEnvelope, ApiError> {
    let order = state.hub.write_order(show_id);
    let _order = order.lock().await;
    let mut tx = store::begin_locked(&state.writer, &[store::Lock::Show(show_id)]).await?;
    let started_at_ms = store::shows::started_at(&mut tx, show_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("There is no show called '{show_id}'.")))?;
    if let Some(product_id) = event.product_id() {
        let belongs = store::catalogue::has_product(&mut tx, show_id, product_id).await?;
        if !belongs {
            return Err(ApiError::NotFound(format!("Product {product_id} is not part of this show.")));
        }
    }
    if let ShowEvent::Pin { product_id } | ShowEvent::Unpin { product_id } = event {
        let pinned = store::events::is_pinned(&mut tx, show_id, product_id).await?;
        match (&event, pinned) {
            (ShowEvent::Pin { .. }, true) => {
                return Err(ApiError::conflict("already_pinned", "That product is already pinned."))
            }
            (ShowEvent::Unpin { .. }, false) => {
                return Err(ApiError::conflict("not_pinned", "That product is not pinned."))
            }
            _ => {}
        }
    }
    let prev = store::events::newest(&mut tx, show_id).await?;
    let now = now_ms();
    let stream_ms = (now - started_at_ms).max(0);
    let new = store::events::NewEvent {
        show_id,
        kind: event.kind(),
        product_id: event.product_id(),
        stream_ms,
        created_at_ms: now,
    };
    // Serialized once, here: the backlog and every live subscriber send these bytes.
    let (id, json) = store::events::append(&mut tx, &new, |id| {
        to_json(&EventEnvelope { id, show_id: show_id.to_string(), stream_ms, event: event.clone() })
    })
    .await?;
    let envelope = EventEnvelope { id, show_id: show_id.to_string(), stream_ms, event };
    tx.commit().await?;

    state.hub.publish(&state.db, show_id, prev, id, json).await;
    Ok(envelope)
}

fn to_json(envelope: &EventEnvelope) -> String {
    serde_json::to_string(envelope).unwrap_or_else(|_| unreachable!("wire types always serialize"))
}

/// Refuses a creator action beyond the show's pin rate.
async fn limit_pins(state: &AppState, show_id: &str) -> Result<(), ApiError> {
    state.pin_limits.check(show_id).await.map_err(ApiError::TooManyRequests)
}

/// `POST /api/shows/{show}/pins` (creator only).
pub async fn pin(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
    Valid(req): Valid<PinRequest>,
) -> Result<(StatusCode, Json<EventEnvelope>), ApiError> {
    limit_pins(&state, &show_id).await?;
    let envelope = record(&state, &show_id, ShowEvent::Pin { product_id: req.product_id }).await?;
    Ok((StatusCode::CREATED, Json(envelope)))
}

/// `DELETE /api/shows/{show}/pins/{product}` (creator only).
pub async fn unpin(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath((show_id, product_id)): ApiPath<(String, i64)>,
) -> Result<Json<EventEnvelope>, ApiError> {
    limit_pins(&state, &show_id).await?;
    let envelope = record(&state, &show_id, ShowEvent::Unpin { product_id }).await?;
    Ok(Json(envelope))
}
