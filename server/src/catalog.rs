//! Shows and their catalogue, read side: the snapshot a joining viewer loads first.

use axum::extract::State;
use axum::Json;
use sqlx::{Row, SqliteConnection};
use vetrina_wire::{Product, Show, ShowSnapshot, ShowStatus, Variant};

use crate::error::{ApiError, ApiPath};
use crate::AppState;

/// `GET /api/shows/{show}`: the show, its products, what is pinned now and the id
/// of the last event that state includes (the point to resume the stream from).
pub async fn snapshot(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
) -> Result<Json<ShowSnapshot>, ApiError> {
    // One read transaction so the pinned set and last_event_id agree with each other.
    let mut tx = state.db.begin().await?;
    let show = load_show(&mut tx, &show_id).await?;
    let products = load_products(&mut tx, &show_id).await?;
    let (pinned, last_event_id) = pinned_now(&mut tx, &show_id).await?;
    tx.commit().await?;
    Ok(Json(ShowSnapshot { show, products, pinned, last_event_id }))
}

pub async fn load_show(conn: &mut SqliteConnection, show_id: &str) -> Result<Show, ApiError> {
    let row = sqlx::query(
        "SELECT id, title, status, currency, locale, stream_url, started_at_ms FROM shows WHERE id = ?",
    )
    .bind(show_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("There is no show called '{show_id}'.")))?;
    let status = match row.get::<String, _>("status").as_str() {
        "scheduled" => ShowStatus::Scheduled,
        "live" => ShowStatus::Live,
        _ => ShowStatus::Ended,
    };
    Ok(Show {
        id: row.get("id"),
        title: row.get("title"),
        status,
        currency: row.get("currency"),
        locale: row.get("locale"),
        stream_url: row.get("stream_url"),
        started_at_ms: row.get("started_at_ms"),
    })
}

pub async fn load_products(conn: &mut SqliteConnection, show_id: &str) -> Result<Vec<Product>, ApiError> {
    let products = sqlx::query(
        "SELECT id, title, description, image_url, option_names FROM products
         WHERE show_id = ? ORDER BY position, id",
    )
    .bind(show_id)
    .fetch_all(&mut *conn)
    .await?;
    let variants = sqlx::query(
        "SELECT v.id, v.product_id, v.options, v.price_minor, v.compare_at_minor, v.stock
         FROM variants v JOIN products p ON p.id = v.product_id
         WHERE p.show_id = ? ORDER BY v.id",
    )
    .bind(show_id)
    .fetch_all(&mut *conn)
    .await?;

    let mut out: Vec<Product> = products
        .iter()
        .map(|row| Product {
            id: row.get("id"),
            title: row.get("title"),
            description: row.get("description"),
            image_url: row.get("image_url"),
            option_names: json_strings(row.get("option_names")),
            variants: Vec::new(),
        })
        .collect();
    for row in variants {
        let product_id: i64 = row.get("product_id");
        if let Some(p) = out.iter_mut().find(|p| p.id == product_id) {
            p.variants.push(Variant {
                id: row.get("id"),
                options: json_strings(row.get("options")),
                price_minor: row.get("price_minor"),
                compare_at_minor: row.get("compare_at_minor"),
                stock: row.get("stock"),
            });
        }
    }
    Ok(out)
}

/// Pinned product ids (latest pin first) and the newest event id of the show.
pub async fn pinned_now(conn: &mut SqliteConnection, show_id: &str) -> Result<(Vec<i64>, i64), ApiError> {
    // For each product its latest event; pinned if that event is a pin.
    let rows = sqlx::query(
        "SELECT e.product_id, e.kind, e.id FROM events e
         JOIN (SELECT product_id, MAX(id) AS id FROM events WHERE show_id = ? GROUP BY product_id) latest
           ON latest.id = e.id
         ORDER BY e.id DESC",
    )
    .bind(show_id)
    .fetch_all(&mut *conn)
    .await?;
    let pinned = rows
        .iter()
        .filter(|r| r.get::<String, _>("kind") == "pin")
        .map(|r| r.get::<i64, _>("product_id"))
        .collect();
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM events WHERE show_id = ?")
        .bind(show_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok((pinned, last.unwrap_or(0)))
}

/// Option lists are stored as JSON arrays; the server wrote them, so a bad one is
/// a corrupted row, shown as no options rather than failing the whole catalogue.
pub fn json_strings(text: String) -> Vec<String> {
    serde_json::from_str(&text).unwrap_or_else(|e| {
        tracing::warn!(%text, error = %e, "stored option list is not a JSON string array");
        Vec::new()
    })
}
