//! The creator's session: checking a token (how the studio signs in),
//! replacing it (a token that leaked, or a moderator who left), and the
//! show's numbers while it runs.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use sqlx::Row;
use vetrina_wire::{CreatorSession, CreatorToken, ProductStats, ShowOrder, ShowStats};

use crate::error::{ApiError, ApiPath};
use crate::events::authorize;
use crate::util::{now_ms, random_id};
use crate::AppState;

/// How long a creator token works after it is issued.
pub const TOKEN_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;

/// `GET /api/shows/{show}/creator` (creator): whether the token works, and until when.
pub async fn session(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<CreatorSession>, ApiError> {
    let expires_at_ms = authorize(&state, &headers, &show_id).await?;
    Ok(Json(CreatorSession { show_id, expires_at_ms }))
}

/// `POST /api/shows/{show}/creator-token` (creator): a new token; the one
/// that asked stops working at once, as does every other copy of it.
pub async fn rotate(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<CreatorToken>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    let token = random_id();
    let expires_at_ms = now_ms() + TOKEN_LIFETIME_MS;
    let mut tx = crate::db::begin_write(&state.writer).await?;
    sqlx::query("UPDATE shows SET creator_token = $1, token_expires_at_ms = $2 WHERE id = $3")
        .bind(&token)
        .bind(expires_at_ms)
        .bind(&show_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(show = %show_id, "creator token rotated");
    Ok(Json(CreatorToken { token, expires_at_ms }))
}

/// `GET /api/shows/{show}/stats` (creator): who is watching, what viewers
/// tapped and added, and what sold (test orders left out).
pub async fn stats(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<ShowStats>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    let mut conn = state.db.acquire().await?;
    let totals = sqlx::query(
        "SELECT COUNT(*) AS orders, CAST(COALESCE(SUM(total_minor), 0) AS BIGINT) AS revenue FROM orders
         WHERE show_id = $1 AND payment_status = 'paid' AND test = 0",
    )
    .bind(&show_id)
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query(
        "WITH sales AS (
             SELECT v.product_id AS product, COUNT(DISTINCT o.id) AS orders, CAST(SUM(l.quantity) AS BIGINT) AS units,
                    CAST(SUM(l.line_total_minor) AS BIGINT) AS revenue
             FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN variants v ON v.id = l.variant_id
             WHERE o.show_id = $1 AND o.payment_status = 'paid' AND o.test = 0
             GROUP BY v.product_id)
         SELECT p.id AS product, COALESCE(g.taps, 0) AS taps, COALESCE(g.adds, 0) AS adds,
                COALESCE(s.orders, 0) AS orders, COALESCE(s.units, 0) AS units, COALESCE(s.revenue, 0) AS revenue
         FROM products p
         LEFT JOIN sales s ON s.product = p.id
         LEFT JOIN product_signals g ON g.show_id = p.show_id AND g.product_id = p.id
         WHERE p.show_id = $1 AND (s.product IS NOT NULL OR g.taps > 0 OR g.adds > 0)
         ORDER BY revenue DESC, adds DESC, taps DESC, product",
    )
    .bind(&show_id)
    .fetch_all(&mut *conn)
    .await?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(Json(ShowStats {
        watching: crate::events::watching(&state, &show_id).await?,
        orders: count(totals.get("orders")),
        revenue_minor: totals.get("revenue"),
        products: rows
            .iter()
            .map(|r| ProductStats {
                product_id: r.get("product"),
                taps: count(r.get("taps")),
                adds: count(r.get("adds")),
                orders: count(r.get("orders")),
                units: count(r.get("units")),
                revenue_minor: r.get("revenue"),
            })
            .collect(),
    }))
}

/// How many of the latest orders `GET /api/shows/{show}/orders` lists.
const LATEST_ORDERS: i64 = 50;

/// `GET /api/shows/{show}/orders` (creator): the show's latest orders, newest
/// first, with whether each one's confirmation has been sent.
pub async fn orders(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<ShowOrder>>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    let mut conn = state.db.acquire().await?;
    let rows = sqlx::query(
        "SELECT number, created_at_ms, payment_status, name, email, total_minor, currency, confirmation_sent_at_ms, test,
                (SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_lines WHERE order_id = o.id) AS items
         FROM orders o WHERE show_id = $1 ORDER BY created_at_ms DESC, id DESC LIMIT $2",
    )
    .bind(&show_id)
    .bind(LATEST_ORDERS)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Json(
        rows.iter()
            .map(|r| ShowOrder {
                number: r.get::<Option<String>, _>("number").unwrap_or_default(),
                created_at_ms: r.get("created_at_ms"),
                payment_status: crate::orders::payment_status(&r.get::<String, _>("payment_status")),
                name: r.get("name"),
                email: r.get("email"),
                items: u64::try_from(r.get::<i64, _>("items")).unwrap_or(0),
                total_minor: r.get("total_minor"),
                currency: r.get("currency"),
                confirmation_sent_at_ms: r.get("confirmation_sent_at_ms"),
                test: r.get::<i64, _>("test") != 0,
            })
            .collect(),
    ))
}

/// `POST /api/shows/{show}/taps` (public): a viewer tapped a product's card.
/// Counted, nothing else: it is the overlay's report, so it is only as honest
/// as the overlays sending it (a client address may report [`crate::TAP_RATE`]),
/// and it is never used for anything but the figure.
pub async fn tap(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    request: axum::extract::Request,
) -> Result<axum::http::StatusCode, ApiError> {
    let client = crate::net::client_ip(&request, &state.config);
    state.tap_limits.check(&client.to_string()).await.map_err(ApiError::TooManyRequests)?;
    let body = axum::body::to_bytes(request.into_body(), crate::idempotency::MAX_BODY)
        .await
        .map_err(|e| crate::idempotency::body_error(e, crate::idempotency::MAX_BODY))?;
    let req: vetrina_wire::Tap = crate::error::parse_json(&body)?;
    let mut tx = crate::db::begin_write(&state.writer).await?;
    let counted = sqlx::query(
        "INSERT INTO product_signals (show_id, product_id, taps)
         SELECT show_id, id, 1 FROM products WHERE id = $1 AND show_id = $2
         ON CONFLICT (show_id, product_id) DO UPDATE SET taps = product_signals.taps + 1",
    )
    .bind(req.product_id)
    .bind(&show_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if counted == 0 {
        return Err(ApiError::NotFound(format!("Product {} is not part of this show.", req.product_id)));
    }
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Counts an add to cart of `variant_id` (inside the cart's write transaction).
pub async fn count_add(conn: &mut sqlx::AnyConnection, variant_id: i64) -> Result<(), ApiError> {
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
