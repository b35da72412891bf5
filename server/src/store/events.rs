//! A show's events: the log every pin, price, stock and status change is
//! written to before it is sent, so a stream can resume from any id and the
//! replay of an ended show is the log itself.

use sqlx::Row;

use super::{Conn, Pool, Result};

/// The newest event id of the show (0: none yet).
pub async fn newest(conn: &mut Conn, show_id: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events WHERE show_id = $1")
        .bind(show_id)
        .fetch_one(&mut *conn)
        .await
}

/// Whether the product's latest pin or unpin is a pin.
pub async fn is_pinned(conn: &mut Conn, show_id: &str, product_id: i64) -> Result<bool> {
    let latest: Option<String> = sqlx::query_scalar(
        "SELECT kind FROM events WHERE show_id = $1 AND product_id = $2 AND kind IN ('pin', 'unpin')
         ORDER BY id DESC LIMIT 1",
    )
    .bind(show_id)
    .bind(product_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(latest.as_deref() == Some("pin"))
}

/// Pinned product ids, latest pin first.
pub async fn pinned(conn: &mut Conn, show_id: &str) -> Result<Vec<i64>> {
    // For each product its latest event; pinned if that event is a pin.
    let rows = sqlx::query(
        "SELECT e.product_id, e.kind, e.id FROM events e
         JOIN (SELECT product_id, MAX(id) AS id FROM events
               WHERE show_id = $1 AND kind IN ('pin', 'unpin') GROUP BY product_id) latest
           ON latest.id = e.id
         ORDER BY e.id DESC",
    )
    .bind(show_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().filter(|r| r.get::<String, _>("kind") == "pin").map(|r| r.get("product_id")).collect())
}

/// An event to append to a show's log.
pub struct NewEvent<'a> {
    pub show_id: &'a str,
    pub kind: &'a str,
    pub product_id: Option<i64>,
    pub stream_ms: i64,
    pub created_at_ms: i64,
}

/// Appends the event; `data` makes its JSON from the id it was given.
pub async fn append(conn: &mut Conn, event: &NewEvent<'_>, data: impl FnOnce(i64) -> String) -> Result<(i64, String)> {
    let id: i64 = sqlx::query_scalar::<_, i64>(
        "INSERT INTO events (show_id, kind, product_id, stream_ms, data, created_at_ms)
         VALUES ($1, $2, $3, $4, '', $5) RETURNING id",
    )
    .bind(event.show_id)
    .bind(event.kind)
    .bind(event.product_id)
    .bind(event.stream_ms)
    .bind(event.created_at_ms)
    .fetch_one(&mut *conn)
    .await?;
    let json = data(id);
    sqlx::query("UPDATE events SET data = $1 WHERE id = $2").bind(&json).bind(id).execute(&mut *conn).await?;
    Ok((id, json))
}

/// The show's events after `after` and before `before`, oldest first, as
/// their ids and JSON.
pub async fn between(db: &Pool, show_id: &str, after: i64, before: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, data FROM events WHERE show_id = $1 AND id > $2 AND id < $3 ORDER BY id LIMIT $4")
        .bind(show_id)
        .bind(after)
        .bind(before)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// The show's pins and unpins, oldest first, as their JSON.
pub async fn pins(conn: &mut Conn, show_id: &str) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT data FROM events WHERE show_id = $1 AND kind IN ('pin', 'unpin') ORDER BY id")
        .bind(show_id)
        .fetch_all(&mut *conn)
        .await
}

/// A pin or unpin: its id, kind, product and when it was made.
pub type PinRow = (i64, String, i64, i64);

/// The show's pins and unpins, oldest first.
pub async fn pin_rows(db: &Pool, show_id: &str) -> Result<Vec<PinRow>> {
    sqlx::query_as(
        "SELECT id, kind, product_id, created_at_ms FROM events WHERE show_id = $1 AND kind IN ('pin', 'unpin')
         ORDER BY id",
    )
    .bind(show_id)
    .fetch_all(db)
    .await
}

/// When the show ended, if it has.
pub async fn ended_at(db: &Pool, show_id: &str) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT e.created_at_ms FROM events e JOIN shows s ON s.id = e.show_id
         WHERE e.show_id = $1 AND s.status = 'ended' AND e.kind = 'show_status' ORDER BY e.id DESC LIMIT 1",
    )
    .bind(show_id)
    .fetch_optional(db)
    .await
}
