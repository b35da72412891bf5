//! Payments opened at an outside provider, and the provider events handled.

use super::{Conn, Pool, Result};

/// A payment opened at a provider for an order.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderPayment {
    pub intent: String,
    pub provider: String,
    pub order_number: String,
    pub amount_minor: i64,
    pub currency: String,
}

/// Records `p` (once: a second call for the same order changes nothing).
pub async fn record(conn: &mut Conn, p: &ProviderPayment, at_ms: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO provider_payments (intent, provider, order_number, amount_minor, currency, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(&p.intent)
    .bind(&p.provider)
    .bind(&p.order_number)
    .bind(p.amount_minor)
    .bind(&p.currency)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

type Row = (String, String, String, i64, String);

fn from_row((intent, provider, order_number, amount_minor, currency): Row) -> ProviderPayment {
    ProviderPayment { intent, provider, order_number, amount_minor, currency }
}

/// The payment opened for the order numbered `number`.
pub async fn for_order(conn: &mut Conn, number: &str) -> Result<Option<ProviderPayment>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT intent, provider, order_number, amount_minor, currency FROM provider_payments WHERE order_number = $1",
    )
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(from_row))
}

/// The payment opened for the order `order_id`.
pub async fn for_order_id(conn: &mut Conn, order_id: i64) -> Result<Option<ProviderPayment>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT p.intent, p.provider, p.order_number, p.amount_minor, p.currency
         FROM provider_payments p JOIN orders o ON o.number = p.order_number WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(from_row))
}

/// The payment a provider knows as `intent`.
pub async fn by_intent(db: &Pool, intent: &str) -> Result<Option<ProviderPayment>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT intent, provider, order_number, amount_minor, currency FROM provider_payments WHERE intent = $1",
    )
    .bind(intent)
    .fetch_optional(db)
    .await?;
    Ok(row.map(from_row))
}

/// Whether the event `id` was handled already.
pub async fn handled(db: &Pool, id: &str) -> Result<bool> {
    let row: Option<String> =
        sqlx::query_scalar("SELECT id FROM webhook_events WHERE id = $1").bind(id).fetch_optional(db).await?;
    Ok(row.is_some())
}

/// Notes the event `id` as handled (once).
pub async fn mark_handled(conn: &mut Conn, id: &str, provider: &str, kind: &str, at_ms: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO webhook_events (id, provider, kind, received_at_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(provider)
    .bind(kind)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
