//! Orders: lookup by unguessable id, and putting back an order whose payment
//! failed or never finished.

use axum::extract::State;
use axum::Json;
use sqlx::{AnyConnection, Row};
use vetrina_wire::{Order, OrderLine, PaymentStatus};

use crate::catalog::json_strings;
use crate::error::{ApiError, ApiPath};
use crate::util::now_ms;
use crate::AppState;

/// How long an order may wait for its payment before its stock is released.
pub const PENDING_TIMEOUT_MS: i64 = 15 * 60 * 1000;

pub enum OrderKey<'a> {
    Internal(i64),
    Public(&'a str),
}

/// `GET /api/orders/{order}`
pub async fn get(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Json<Order>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load(&mut conn, OrderKey::Public(&id)).await?))
}

pub async fn load(conn: &mut AnyConnection, key: OrderKey<'_>) -> Result<Order, ApiError> {
    let select = "SELECT id, public_id, number, show_id, payment_status, email, name, currency, subtotal_minor,
                         shipping_minor, total_minor, created_at_ms, test FROM orders";
    let (by_internal, by_public) = (format!("{select} WHERE id = $1"), format!("{select} WHERE public_id = $1"));
    let row = match key {
        OrderKey::Internal(id) => sqlx::query(&by_internal).bind(id).fetch_optional(&mut *conn).await?,
        OrderKey::Public(id) => sqlx::query(&by_public).bind(id).fetch_optional(&mut *conn).await?,
    }
    .ok_or_else(|| ApiError::NotFound("There is no such order.".into()))?;
    let order_id: i64 = row.get("id");
    let lines = sqlx::query(
        "SELECT variant_id, title, options, unit_price_minor, quantity, line_total_minor FROM order_lines
         WHERE order_id = $1 ORDER BY rowid",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|l| OrderLine {
        variant_id: l.get("variant_id"),
        title: l.get("title"),
        options: json_strings(l.get("options")),
        unit_price_minor: l.get("unit_price_minor"),
        quantity: u32::try_from(l.get::<i64, _>("quantity")).unwrap_or(0),
        line_total_minor: l.get("line_total_minor"),
    })
    .collect();
    Ok(Order {
        id: row.get("public_id"),
        number: row.get("number"),
        show_id: row.get("show_id"),
        payment_status: payment_status(&row.get::<String, _>("payment_status")),
        email: row.get("email"),
        name: row.get("name"),
        currency: row.get("currency"),
        lines,
        subtotal_minor: row.get("subtotal_minor"),
        shipping_minor: row.get("shipping_minor"),
        total_minor: row.get("total_minor"),
        created_at_ms: row.get("created_at_ms"),
        test: row.get::<i64, _>("test") != 0,
    })
}

/// An order's `payment_status` column as the wire says it.
pub fn payment_status(column: &str) -> PaymentStatus {
    if column == "paid" {
        PaymentStatus::Paid
    } else {
        PaymentStatus::Pending
    }
}

/// The order a checkout with this Idempotency-Key wrote for this cart, if any:
/// its id and whether it is paid.
pub async fn by_checkout_key(db: &sqlx::AnyPool, cart_id: &str, key: &str) -> Result<Option<(i64, bool)>, ApiError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, payment_status FROM orders WHERE cart_id = $1 AND checkout_key = $2")
            .bind(cart_id)
            .bind(key)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id, status)| (id, status == "paid")))
}

/// Letters and digits a buyer can read back on the phone: no 0/O, 1/I/L.
const NUMBER_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A fresh order number such as `VT-7K4M-Q2XD`: random, so it says nothing of
/// how many orders a shop takes (31^8, about 8.5e11, of them). Called inside the
/// order's write transaction, so the check for a clash cannot race.
pub async fn new_number(conn: &mut AnyConnection) -> Result<String, ApiError> {
    loop {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("random source: {e}")))?;
        // 256 is not a multiple of 31: reject the top values so each letter is equally likely.
        if bytes.iter().any(|b| usize::from(*b) >= 248) {
            continue;
        }
        let c: Vec<char> = bytes.iter().map(|b| char::from(NUMBER_ALPHABET[usize::from(*b) % 31])).collect();
        let number = format!("VT-{}-{}", c[..4].iter().collect::<String>(), c[4..].iter().collect::<String>());
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE number = $1")
            .bind(&number)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_none() {
            return Ok(number);
        }
    }
}

/// Undoes a pending order: its stock goes back (a test order took none), its
/// cart reopens, the order goes.
pub async fn revert(conn: &mut AnyConnection, order_id: i64) -> Result<(), ApiError> {
    let (cart_id, test): (String, i64) =
        sqlx::query_as("SELECT cart_id, test FROM orders WHERE id = $1 AND payment_status = 'pending'")
            .bind(order_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| ApiError::Internal(format!("order {order_id} is not pending")))?;
    if test == 0 {
        sqlx::query(
            "UPDATE variants SET stock = stock + (SELECT SUM(quantity) FROM order_lines ol
                                               WHERE ol.order_id = $1 AND ol.variant_id = variants.id)
         WHERE id IN (SELECT variant_id FROM order_lines WHERE order_id = $2)",
        )
        .bind(order_id)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM order_lines WHERE order_id = $1").bind(order_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM orders WHERE id = $1").bind(order_id).execute(&mut *conn).await?;
    sqlx::query("UPDATE carts SET status = 'open' WHERE id = $1").bind(&cart_id).execute(&mut *conn).await?;
    Ok(())
}

/// Releases the stock of orders whose payment never completed (the process
/// stopped between taking stock and charging). Run periodically.
pub async fn release_abandoned(db: &sqlx::AnyPool) -> Result<u64, ApiError> {
    let cutoff = now_ms() - PENDING_TIMEOUT_MS;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM orders WHERE payment_status = 'pending' AND created_at_ms < $1")
            .bind(cutoff)
            .fetch_all(db)
            .await?;
    for id in &ids {
        let mut tx = crate::db::begin_write(db).await?;
        revert(&mut tx, *id).await?;
        tx.commit().await?;
    }
    Ok(ids.len() as u64)
}
