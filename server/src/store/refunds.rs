//! Refunds of paid orders and the units they give back.

use sqlx::Row;

use super::{Conn, Result};

/// One variant of an order: what was paid for its units, and how many of
/// them refunds (pending or given) already cover.
#[derive(Debug, Clone, PartialEq)]
pub struct Refundable {
    pub variant_id: i64,
    pub bought: i64,
    pub paid_minor: i64,
    pub refunded: i64,
}

pub async fn refundable(conn: &mut Conn, order_id: i64) -> Result<Vec<Refundable>> {
    let rows = sqlx::query(
        "SELECT l.variant_id AS variant_id, CAST(SUM(l.quantity) AS BIGINT) AS bought,
                CAST(SUM(l.line_total_minor) AS BIGINT) AS paid,
                CAST(COALESCE((SELECT SUM(rl.quantity) FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
                               WHERE r.order_id = $1 AND rl.variant_id = l.variant_id), 0) AS BIGINT) AS refunded
         FROM order_lines l WHERE l.order_id = $1 GROUP BY l.variant_id ORDER BY l.variant_id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Refundable {
            variant_id: r.get("variant_id"),
            bought: r.get("bought"),
            paid_minor: r.get("paid"),
            refunded: r.get("refunded"),
        })
        .collect())
}

/// Money refunds of the order cover, pending ones included.
pub async fn covered_minor(conn: &mut Conn, order_id: i64) -> Result<i64> {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM refunds WHERE order_id = $1")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await
}

/// Money given back on the order.
pub async fn given_minor(conn: &mut Conn, order_id: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM refunds WHERE order_id = $1 AND status = 'succeeded'",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await
}

/// Writes a pending refund and its lines (variant, units); its id.
pub async fn insert_pending(
    conn: &mut Conn,
    order_id: i64,
    amount_minor: i64,
    restock: bool,
    reason: &str,
    lines: &[(i64, i64)],
    at_ms: i64,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO refunds (order_id, amount_minor, status, restock, reason, created_at_ms)
         VALUES ($1, $2, 'pending', $3, $4, $5) RETURNING id",
    )
    .bind(order_id)
    .bind(amount_minor)
    .bind(i64::from(restock))
    .bind(reason)
    .bind(at_ms)
    .fetch_one(&mut *conn)
    .await?;
    for (variant_id, quantity) in lines {
        sqlx::query("INSERT INTO refund_lines (refund_id, variant_id, quantity) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(variant_id)
            .bind(quantity)
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

pub async fn mark_succeeded(conn: &mut Conn, id: i64, provider_ref: &str) -> Result<()> {
    sqlx::query("UPDATE refunds SET status = 'succeeded', provider_ref = $1 WHERE id = $2")
        .bind(provider_ref)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets a pending refund the provider did not make.
pub async fn delete(conn: &mut Conn, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM refund_lines WHERE refund_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM refunds WHERE id = $1 AND status = 'pending'").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Puts `lines` (variant, units) back on their variants' stock, in variant order.
pub async fn restock(conn: &mut Conn, lines: &[(i64, i64)]) -> Result<()> {
    let mut sorted = lines.to_vec();
    sorted.sort_unstable();
    for (variant_id, quantity) in sorted {
        sqlx::query("UPDATE variants SET stock = stock + $1 WHERE id = $2")
            .bind(quantity)
            .bind(variant_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
