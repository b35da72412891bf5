//! Orders: lookup by unguessable id, and putting back an order whose payment
//! failed or never finished.

use axum::extract::State;
use axum::Json;
use vetrina_wire::Order;

use crate::http::error::{ApiError, ApiPath};
use crate::state::AppState;
use crate::store;
pub use crate::store::orders::OrderKey;
use crate::util::now_ms;

/// How long an order may wait for its payment before its stock is released.
pub const PENDING_TIMEOUT_MS: i64 = 15 * 60 * 1000;

/// `GET /api/orders/{order}`
pub async fn get(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Json<Order>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load(&mut conn, OrderKey::Public(&id)).await?))
}

pub async fn load(conn: &mut store::Conn, key: OrderKey<'_>) -> Result<Order, ApiError> {
    store::orders::load(conn, key).await?.ok_or_else(|| ApiError::NotFound("There is no such order.".into()))
}

/// The order a checkout with this Idempotency-Key wrote for this cart, if any:
/// its id and whether it is paid.
pub async fn by_checkout_key(db: &store::Pool, cart_id: &str, key: &str) -> Result<Option<(i64, bool)>, ApiError> {
    Ok(store::orders::by_checkout_key(db, cart_id, key).await?)
}

/// Letters and digits a buyer can read back on the phone: no 0/O, 1/I/L.
const NUMBER_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A fresh order number such as `VT-7K4M-Q2XD`: random, so it says nothing of
/// how many orders a shop takes (31^8, about 8.5e11, of them). Called inside the
/// order's write transaction, so the check for a clash cannot race.
pub async fn new_number(conn: &mut store::Conn) -> Result<String, ApiError> {
    loop {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("random source: {e}")))?;
        // 256 is not a multiple of 31: reject the top values so each letter is equally likely.
        if bytes.iter().any(|b| usize::from(*b) >= 248) {
            continue;
        }
        let c: Vec<char> = bytes.iter().map(|b| char::from(NUMBER_ALPHABET[usize::from(*b) % 31])).collect();
        let number = format!("VT-{}-{}", c[..4].iter().collect::<String>(), c[4..].iter().collect::<String>());
        if !store::orders::number_taken(conn, &number).await? {
            return Ok(number);
        }
    }
}

/// Undoes a pending order: its stock goes back (a test order took none), its
/// cart reopens, the order goes.
pub async fn revert(conn: &mut store::Conn, order_id: i64) -> Result<(), ApiError> {
    let (cart_id, test) = store::orders::pending(conn, order_id)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("order {order_id} is not pending")))?;
    if !test {
        store::orders::restock(conn, order_id).await?;
    }
    store::orders::delete(conn, order_id).await?;
    store::carts::set_open(conn, &cart_id, true).await?;
    Ok(())
}

/// Settles the orders whose payment never completed (the buyer left during
/// 3-D Secure, the process stopped between taking stock and charging, the
/// provider never answered): each is paid if its provider says so, otherwise
/// cancelled there and its stock released. Run periodically.
pub async fn release_abandoned(state: &crate::state::AppState) -> Result<u64, ApiError> {
    let cutoff = now_ms() - PENDING_TIMEOUT_MS;
    let ids = store::orders::pending_since(&state.db, cutoff).await?;
    let mut settled = 0;
    for id in &ids {
        let Some((cart_id, test)) = store::orders::pending(&mut *state.db.acquire().await?, *id).await? else {
            continue;
        };
        if crate::shop::payments::settle_abandoned(state, *id, &cart_id, test).await? {
            settled += 1;
        }
    }
    Ok(settled)
}
