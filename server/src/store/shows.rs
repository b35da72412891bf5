//! Shows: their settings, the creator's token, the origins allowed to embed
//! them, and what viewers did with their products (taps, adds).

use sqlx::Row;
use vetrina_wire::{ShippingPolicy, Show, ShowStatus};

use super::{Conn, Pool, Result};

const SELECT: &str = "SELECT id, title, status, currency, locale, stream_url, started_at_ms, theme, poster_url,
                             scheduled_for_ms, shipping_flat_minor, shipping_free_from_minor,
                             shopify_store, checkout_on_store
                      FROM shows";

pub async fn load(conn: &mut Conn, show_id: &str) -> Result<Option<Show>> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1")).bind(show_id).fetch_optional(&mut *conn).await?;
    Ok(row.map(|row| Show {
        id: row.get("id"),
        title: row.get("title"),
        status: status_of(&row.get::<String, _>("status")),
        currency: row.get("currency"),
        locale: row.get("locale"),
        stream_url: row.get("stream_url"),
        started_at_ms: row.get("started_at_ms"),
        theme: serde_json::from_str(&row.get::<String, _>("theme")).unwrap_or_default(),
        shipping: ShippingPolicy {
            flat_minor: row.get("shipping_flat_minor"),
            free_from_minor: row.get("shipping_free_from_minor"),
        },
        poster_url: row.get("poster_url"),
        scheduled_for_ms: row.get("scheduled_for_ms"),
        shopify_store: row.get("shopify_store"),
        checkout_on_store: row.get::<i64, _>("checkout_on_store") != 0,
    }))
}

fn status_of(column: &str) -> ShowStatus {
    match column {
        "scheduled" => ShowStatus::Scheduled,
        "live" => ShowStatus::Live,
        _ => ShowStatus::Ended,
    }
}

fn status_name(status: ShowStatus) -> &'static str {
    match status {
        ShowStatus::Scheduled => "scheduled",
        ShowStatus::Live => "live",
        ShowStatus::Ended => "ended",
    }
}

/// A show to create.
pub struct NewShow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub status: ShowStatus,
    pub currency: &'a str,
    pub locale: &'a str,
    pub stream_url: &'a str,
    pub started_at_ms: i64,
    pub creator_token: &'a str,
    pub token_expires_at_ms: i64,
}

/// Creates the show; false if one of that id exists already (it is left as it is).
pub async fn insert(conn: &mut Conn, show: &NewShow<'_>) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO shows (id, title, status, currency, locale, stream_url, started_at_ms, creator_token, token_expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
    )
    .bind(show.id)
    .bind(show.title)
    .bind(status_name(show.status))
    .bind(show.currency)
    .bind(show.locale)
    .bind(show.stream_url)
    .bind(show.started_at_ms)
    .bind(show.creator_token)
    .bind(show.token_expires_at_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Settings to change; `None` leaves one as it is.
#[derive(Default)]
pub struct Changes<'a> {
    pub title: Option<&'a str>,
    pub stream_url: Option<&'a str>,
    pub poster_url: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub currency: Option<&'a str>,
    /// The theme, as JSON.
    pub theme: Option<&'a str>,
    pub shipping_flat_minor: Option<i64>,
    /// `Some(None)` clears it.
    pub shipping_free_from_minor: Option<Option<i64>>,
    /// `Some(None)` clears it.
    pub scheduled_for_ms: Option<Option<i64>>,
    /// `Some(None)` forgets it.
    pub shopify_store: Option<Option<&'a str>>,
    pub checkout_on_store: Option<bool>,
}

pub async fn update(conn: &mut Conn, show_id: &str, changes: &Changes<'_>) -> Result<()> {
    sqlx::query(
        "UPDATE shows SET title = COALESCE($1, title), stream_url = COALESCE($2, stream_url),
                          locale = COALESCE($3, locale), currency = COALESCE($4, currency),
                          theme = COALESCE($5, theme),
                          shipping_flat_minor = COALESCE($6, shipping_flat_minor),
                          shipping_free_from_minor = CASE WHEN $7 THEN $8 ELSE shipping_free_from_minor END,
                          scheduled_for_ms = CASE WHEN $9 THEN $10 ELSE scheduled_for_ms END,
                          poster_url = COALESCE($11, poster_url),
                          shopify_store = CASE WHEN $12 THEN $13 ELSE shopify_store END,
                          checkout_on_store = COALESCE($14, checkout_on_store)
         WHERE id = $15",
    )
    .bind(changes.title)
    .bind(changes.stream_url)
    .bind(changes.locale)
    .bind(changes.currency)
    .bind(changes.theme)
    .bind(changes.shipping_flat_minor)
    .bind(changes.shipping_free_from_minor.is_some())
    .bind(changes.shipping_free_from_minor.flatten())
    .bind(changes.scheduled_for_ms.is_some())
    .bind(changes.scheduled_for_ms.flatten())
    .bind(changes.poster_url)
    .bind(changes.shopify_store.is_some())
    .bind(changes.shopify_store.flatten())
    .bind(changes.checkout_on_store.map(i64::from))
    .bind(show_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the show's Shopify store (a catalogue import from it).
pub async fn set_shopify_store(conn: &mut Conn, show_id: &str, store: &str) -> Result<()> {
    sqlx::query("UPDATE shows SET shopify_store = $1 WHERE id = $2")
        .bind(store)
        .bind(show_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Locks the show's row until the transaction ends, for a change that must
/// not cross a checkout (the currency). On Postgres `FOR UPDATE` conflicts
/// with the `FOR KEY SHARE` that inserting an order takes on its show (the
/// foreign key), so an order is either committed before this returns or waits
/// for the change; on SQLite the writing transaction is already alone.
pub async fn hold(conn: &mut Conn, show_id: &str) -> Result<()> {
    if super::Backend::of(conn) == super::Backend::Postgres {
        sqlx::query("SELECT id FROM shows WHERE id = $1 FOR UPDATE").bind(show_id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The show's currency as committed now.
pub async fn currency(conn: &mut Conn, show_id: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT currency FROM shows WHERE id = $1").bind(show_id).fetch_optional(&mut *conn).await
}

pub async fn set_status(conn: &mut Conn, show_id: &str, status: ShowStatus, started_at_ms: i64) -> Result<()> {
    sqlx::query("UPDATE shows SET status = $1, started_at_ms = $2 WHERE id = $3")
        .bind(status_name(status))
        .bind(started_at_ms)
        .bind(show_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The show's creator token and when it expires.
pub async fn creator_token(db: &Pool, show_id: &str) -> Result<Option<(String, i64)>> {
    sqlx::query_as("SELECT creator_token, token_expires_at_ms FROM shows WHERE id = $1")
        .bind(show_id)
        .fetch_optional(db)
        .await
}

pub async fn set_creator_token(conn: &mut Conn, show_id: &str, token: &str, expires_at_ms: i64) -> Result<()> {
    sqlx::query("UPDATE shows SET creator_token = $1, token_expires_at_ms = $2 WHERE id = $3")
        .bind(token)
        .bind(expires_at_ms)
        .bind(show_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// When the show began (the zero of its stream clock).
pub async fn started_at(conn: &mut Conn, show_id: &str) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT started_at_ms FROM shows WHERE id = $1").bind(show_id).fetch_optional(&mut *conn).await
}

/// The origins allowed to embed the show, sorted.
pub async fn embed_origins(db: &Pool, show_id: &str) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT origin FROM embed_origins WHERE show_id = $1 ORDER BY origin")
        .bind(show_id)
        .fetch_all(db)
        .await
}

/// Replaces the origins allowed to embed the show.
pub async fn set_embed_origins(conn: &mut Conn, show_id: &str, origins: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM embed_origins WHERE show_id = $1").bind(show_id).execute(&mut *conn).await?;
    for origin in origins {
        sqlx::query("INSERT INTO embed_origins (show_id, origin) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(show_id)
            .bind(origin)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Counts a tap on the product's card; false if the product is not the show's.
pub async fn count_tap(conn: &mut Conn, show_id: &str, product_id: i64) -> Result<bool> {
    let counted = sqlx::query(
        "INSERT INTO product_signals (show_id, product_id, taps)
         SELECT show_id, id, 1 FROM products WHERE id = $1 AND show_id = $2
         ON CONFLICT (show_id, product_id) DO UPDATE SET taps = product_signals.taps + 1",
    )
    .bind(product_id)
    .bind(show_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(counted > 0)
}

/// Counts an add to cart of the variant's product.
pub async fn count_add(conn: &mut Conn, variant_id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO product_signals (show_id, product_id, adds)
         SELECT p.show_id, p.id, 1 FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1
         ON CONFLICT (show_id, product_id) DO UPDATE SET adds = product_signals.adds + 1",
    )
    .bind(variant_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
