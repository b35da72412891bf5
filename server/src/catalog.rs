//! Shows and their catalogue: the snapshot a joining viewer loads first, and
//! the creator's controls during a show (status, prices, stock), each of which
//! reaches viewers as an event.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use sqlx::{AnyConnection, Row};
use vetrina_wire::{Product, Show, ShowEvent, ShowSnapshot, ShowStatus, ShowUpdate, Variant, VariantUpdate};

use crate::error::{ApiError, ApiJson, ApiPath};
use crate::events::{authorize, record};
use crate::util::now_ms;
use crate::AppState;

/// `GET /api/shows/{show}`: the show, its products, what is pinned now and the id
/// of the last event that state includes (the point to resume the stream from).
pub async fn snapshot(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
) -> Result<Json<ShowSnapshot>, ApiError> {
    Ok(Json(snapshot_of(&state.db, &show_id).await?))
}

/// A show's snapshot, read in one transaction so the pinned set and
/// last_event_id agree with each other.
pub async fn snapshot_of(db: &sqlx::AnyPool, show_id: &str) -> Result<ShowSnapshot, ApiError> {
    let mut tx = db.begin().await?;
    let show = load_show(&mut tx, show_id).await?;
    let products = load_products(&mut tx, show_id).await?;
    let (pinned, last_event_id) = pinned_now(&mut tx, show_id).await?;
    let offers = crate::offers::current(&mut tx, show_id).await?;
    tx.commit().await?;
    Ok(ShowSnapshot { show, products, pinned, last_event_id, offers })
}

pub async fn load_show(conn: &mut AnyConnection, show_id: &str) -> Result<Show, ApiError> {
    let missing = || ApiError::NotFound(format!("There is no show called '{}'.", show_id.replace('\0', "\\0")));
    // No show id holds NUL (Postgres could not even look one up).
    if show_id.contains('\0') {
        return Err(missing());
    }
    let row = sqlx::query(
        "SELECT id, title, status, currency, locale, stream_url, started_at_ms, theme, poster_url, scheduled_for_ms,
                shipping_flat_minor, shipping_free_from_minor
         FROM shows WHERE id = $1",
    )
    .bind(show_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(missing)?;
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
        theme: serde_json::from_str(&row.get::<String, _>("theme")).unwrap_or_default(),
        shipping: vetrina_wire::ShippingPolicy {
            flat_minor: row.get("shipping_flat_minor"),
            free_from_minor: row.get("shipping_free_from_minor"),
        },
        poster_url: row.get("poster_url"),
        scheduled_for_ms: row.get("scheduled_for_ms"),
    })
}

pub async fn load_products(conn: &mut AnyConnection, show_id: &str) -> Result<Vec<Product>, ApiError> {
    let products = sqlx::query(
        "SELECT id, title, description, image_url, option_names, max_per_buyer FROM products
         WHERE show_id = $1 ORDER BY position, id",
    )
    .bind(show_id)
    .fetch_all(&mut *conn)
    .await?;
    let variants = sqlx::query(
        "SELECT v.id, v.product_id, v.options, v.price_minor, v.compare_at_minor, v.stock
         FROM variants v JOIN products p ON p.id = v.product_id
         WHERE p.show_id = $1 ORDER BY v.id",
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
            max_per_buyer: row.get::<Option<i64>, _>("max_per_buyer").and_then(|m| u32::try_from(m).ok()),
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
pub async fn pinned_now(conn: &mut AnyConnection, show_id: &str) -> Result<(Vec<i64>, i64), ApiError> {
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
    let pinned =
        rows.iter().filter(|r| r.get::<String, _>("kind") == "pin").map(|r| r.get::<i64, _>("product_id")).collect();
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(id) FROM events WHERE show_id = $1").bind(show_id).fetch_one(&mut *conn).await?;
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

fn status_name(status: ShowStatus) -> &'static str {
    match status {
        ShowStatus::Scheduled => "scheduled",
        ShowStatus::Live => "live",
        ShowStatus::Ended => "ended",
    }
}

/// `PATCH /api/shows/{show}` (creator): go live or end the show; change its
/// title, stream or locale.
pub async fn update_show(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ShowUpdate>,
) -> Result<Json<Show>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    if let Some((field, message)) = req.problem() {
        return Err(ApiError::invalid_field(field, message));
    }
    let mut conn = state.writer.acquire().await?;
    let show = load_show(&mut conn, &show_id).await?;
    if req.currency.as_ref().is_some_and(|c| *c != show.currency) {
        let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE show_id = $1 AND test = 0")
            .bind(&show_id)
            .fetch_one(&mut *conn)
            .await?;
        if orders > 0 {
            return Err(ApiError::conflict(
                "currency_locked",
                "The currency cannot change once the show has orders: their amounts are in the old one.",
            ));
        }
    }
    let theme = req.theme.as_ref().map(|t| serde_json::to_string(t).unwrap_or_else(|_| "{}".into()));
    let (flat, free_from) = req.shipping.map_or((None, None), |p| (Some(p.flat_minor), Some(p.free_from_minor)));
    sqlx::query(
        "UPDATE shows SET title = COALESCE($1, title), stream_url = COALESCE($2, stream_url),
                          locale = COALESCE($3, locale), currency = COALESCE($4, currency),
                          theme = COALESCE($5, theme),
                          shipping_flat_minor = COALESCE($6, shipping_flat_minor),
                          shipping_free_from_minor = CASE WHEN $7 THEN $8 ELSE shipping_free_from_minor END,
                          scheduled_for_ms = CASE WHEN $9 THEN $10 ELSE scheduled_for_ms END
         WHERE id = $11",
    )
    .bind(req.title.as_deref().map(str::trim))
    .bind(&req.stream_url)
    .bind(&req.locale)
    .bind(&req.currency)
    .bind(theme)
    .bind(flat)
    .bind(free_from.is_some())
    .bind(free_from.flatten())
    .bind(req.scheduled_for_ms.is_some())
    .bind(req.scheduled_for_ms.flatten())
    .bind(&show_id)
    .execute(&mut *conn)
    .await?;
    if let Some(status) = req.status.filter(|s| *s != show.status) {
        // Going live starts the stream clock that pins are timed against.
        let started = if show.status == ShowStatus::Scheduled && status == ShowStatus::Live {
            now_ms()
        } else {
            show.started_at_ms
        };
        sqlx::query("UPDATE shows SET status = $1, started_at_ms = $2 WHERE id = $3")
            .bind(status_name(status))
            .bind(started)
            .bind(&show_id)
            .execute(&mut *conn)
            .await?;
        drop(conn);
        record(&state, &show_id, ShowEvent::ShowStatus { status }).await?;
        conn = state.db.acquire().await?;
    }
    Ok(Json(load_show(&mut conn, &show_id).await?))
}

/// `PATCH /api/shows/{show}/variants/{variant}` (creator): price or stock during the show.
pub async fn update_variant(
    State(state): State<AppState>,
    ApiPath((show_id, variant_id)): ApiPath<(String, i64)>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<VariantUpdate>,
) -> Result<Json<Variant>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    let negative = req.price_minor.is_some_and(|p| p < 0)
        || req.stock.is_some_and(|s| s < 0)
        || req.compare_at_minor.flatten().is_some_and(|c| c < 0);
    if negative {
        return Err(ApiError::unprocessable("negative_value", "Prices and stock cannot be negative."));
    }
    let too_large = req.price_minor.is_some_and(|p| p > vetrina_wire::MAX_PRICE_MINOR)
        || req.compare_at_minor.flatten().is_some_and(|c| c > vetrina_wire::MAX_PRICE_MINOR)
        || req.stock.is_some_and(|s| s > vetrina_wire::MAX_STOCK);
    if too_large {
        return Err(ApiError::unprocessable("out_of_range", "That price or stock is larger than a variant may have."));
    }
    let mut tx = crate::db::begin_write(&state.writer).await?;
    let row = sqlx::query(
        "SELECT v.product_id, v.options, v.price_minor, v.compare_at_minor, v.stock FROM variants v
         JOIN products p ON p.id = v.product_id WHERE v.id = $1 AND p.show_id = $2",
    )
    .bind(variant_id)
    .bind(&show_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("Variant {variant_id} is not part of this show.")))?;
    let product_id: i64 = row.get("product_id");
    let before = Variant {
        id: variant_id,
        options: json_strings(row.get("options")),
        price_minor: row.get("price_minor"),
        compare_at_minor: row.get("compare_at_minor"),
        stock: row.get("stock"),
    };
    let after = Variant {
        price_minor: req.price_minor.unwrap_or(before.price_minor),
        compare_at_minor: req.compare_at_minor.unwrap_or(before.compare_at_minor),
        stock: req.stock.unwrap_or(before.stock),
        ..before.clone()
    };
    sqlx::query("UPDATE variants SET price_minor = $1, compare_at_minor = $2, stock = $3 WHERE id = $4")
        .bind(after.price_minor)
        .bind(after.compare_at_minor)
        .bind(after.stock)
        .bind(variant_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if (after.price_minor, after.compare_at_minor) != (before.price_minor, before.compare_at_minor) {
        let event = ShowEvent::Price {
            product_id,
            variant_id,
            price_minor: after.price_minor,
            compare_at_minor: after.compare_at_minor,
        };
        record(&state, &show_id, event).await?;
    }
    if after.stock != before.stock {
        record(&state, &show_id, ShowEvent::Stock { product_id, variant_id, stock: after.stock }).await?;
    }
    Ok(Json(after))
}

/// `POST /api/shows` (operator): a new show and its creator token.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<vetrina_wire::NewShowRequest>,
) -> Result<(axum::http::StatusCode, Json<vetrina_wire::CreatedShow>), ApiError> {
    let allowed = match (&state.config.operator_token, crate::events::bearer(&headers)) {
        (Some(token), Some(presented)) => crate::util::constant_time_eq(token.as_bytes(), presented.as_bytes()),
        _ => false,
    };
    if !allowed {
        return Err(ApiError::OperatorOnly);
    }
    if let Some((field, message)) = req.problem() {
        return Err(ApiError::invalid_field(field, message));
    }
    let days = crate::creator::TOKEN_LIFETIME_MS / (24 * 3600 * 1000);
    let token = create_show(
        &state.writer,
        NewShow {
            id: &req.id,
            title: req.title.trim(),
            currency: &req.currency,
            locale: &req.locale,
            stream_url: req.stream_url.as_deref().unwrap_or(""),
            token_days: days,
        },
    )
    .await?;
    let mut conn = state.db.acquire().await?;
    let show = load_show(&mut conn, &req.id).await?;
    let expires_at_ms: i64 = sqlx::query_scalar("SELECT token_expires_at_ms FROM shows WHERE id = $1")
        .bind(&req.id)
        .fetch_one(&mut *conn)
        .await?;
    tracing::info!(show = %req.id, "show created");
    Ok((axum::http::StatusCode::CREATED, Json(vetrina_wire::CreatedShow { show, creator_token: token, expires_at_ms })))
}

/// A new show for a brand, with a fresh creator token (returned) valid for `token_days`.
pub struct NewShow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub currency: &'a str,
    pub locale: &'a str,
    pub stream_url: &'a str,
    pub token_days: i64,
}

pub async fn create_show(db: &sqlx::AnyPool, show: NewShow<'_>) -> Result<String, ApiError> {
    let valid_id = !show.id.is_empty()
        && show.id.len() <= 64
        && show.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid_id {
        return Err(ApiError::bad_request("invalid_show_id", "A show id is 1 to 64 letters, digits, '-' or '_'."));
    }
    if show.currency.len() != 3 || !show.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::bad_request("invalid_currency", "The currency must be an ISO 4217 code like EUR."));
    }
    let token = crate::util::random_id();
    let now = now_ms();
    let inserted = sqlx::query(
        "INSERT INTO shows (id, title, status, currency, locale, stream_url, started_at_ms, creator_token, token_expires_at_ms)
         VALUES ($1, $2, 'scheduled', $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
    )
    .bind(show.id)
    .bind(show.title)
    .bind(show.currency)
    .bind(show.locale)
    .bind(show.stream_url)
    .bind(now)
    .bind(&token)
    .bind(now + show.token_days * 24 * 3600 * 1000)
    .execute(db)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(ApiError::conflict("show_exists", format!("A show called '{}' exists already.", show.id)));
    }
    Ok(token)
}
