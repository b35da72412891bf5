//! Flash drops: a variant at a lower price for a few seconds of the show,
//! capped in units overall and per buyer.
//!
//! The window is on the stream's clock, like pins: it starts when the drop
//! is made, and a viewer whose video runs behind live sees it later, for as
//! long. So a claim (adding the variant at the flash price) says where the
//! viewer's video is, and the server believes that only within
//! [`OFFER_MAX_LAG_MS`] behind now: a viewer at most that far behind gets the
//! same window as one at the live edge, and a made-up position gains nothing
//! beyond it. A claim holds the price on the cart line for [`OFFER_HOLD_MS`]
//! (time to check out); held and sold units together never pass the cap.
//! Test carts (the studio's sandbox) are refused exactly as real ones, but
//! their holds and orders use up nothing.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use sqlx::{AnyConnection, Row};
use vetrina_wire::{NewOffer, Offer, ShowEvent, OFFER_HOLD_MS, OFFER_MAX_LAG_MS};

use crate::error::{ApiError, ApiJson, ApiPath};
use crate::events::{authorize, record};
use crate::util::now_ms;
use crate::AppState;

/// How far ahead of the server's clock a claimed video position may be (the
/// stream's clock is the server's; this covers rounding and transit).
const AHEAD_MS: i64 = 2_000;

/// `POST /api/shows/{show}/offers` (creator): starts a flash drop now.
pub async fn create(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewOffer>,
) -> Result<Json<Offer>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    let mut tx = crate::db::begin_write(&state.writer).await?;
    let row = sqlx::query(
        "SELECT v.product_id, v.price_minor FROM variants v JOIN products p ON p.id = v.product_id
         WHERE v.id = $1 AND p.show_id = $2",
    )
    .bind(req.variant_id)
    .bind(&show_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("Variant {} is not part of this show.", req.variant_id)))?;
    let (product_id, regular): (i64, i64) = (row.get("product_id"), row.get("price_minor"));
    if let Some((field, message)) = req.problem(regular) {
        return Err(ApiError::invalid_field(field, message));
    }
    let now = now_ms();
    let running: Option<i64> = sqlx::query_scalar("SELECT id FROM offers WHERE variant_id = $1 AND ends_at_ms > $2")
        .bind(req.variant_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    if running.is_some() {
        return Err(ApiError::conflict("offer_running", "A flash drop on this variant is still running."));
    }
    let ends = now + i64::from(req.duration_s) * 1000;
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO offers (show_id, variant_id, price_minor, unit_cap, per_buyer, starts_at_ms, ends_at_ms,
                             created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&show_id)
    .bind(req.variant_id)
    .bind(req.price_minor)
    .bind(i64::from(req.unit_cap))
    .bind(i64::from(req.per_buyer))
    .bind(now)
    .bind(ends)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let offer = Offer {
        id,
        product_id,
        variant_id: req.variant_id,
        price_minor: req.price_minor,
        unit_cap: req.unit_cap,
        per_buyer: req.per_buyer,
        starts_at_ms: now,
        ends_at_ms: ends,
    };
    record(&state, &show_id, ShowEvent::from(&offer)).await?;
    tracing::info!(show = %show_id, offer = id, variant = offer.variant_id, "flash drop started");
    Ok(Json(offer))
}

fn offer_of(r: &sqlx::any::AnyRow) -> Offer {
    let units = |name: &str| u32::try_from(r.get::<i64, _>(name)).unwrap_or(0);
    Offer {
        id: r.get("id"),
        product_id: r.get("product_id"),
        variant_id: r.get("variant_id"),
        price_minor: r.get("price_minor"),
        unit_cap: units("unit_cap"),
        per_buyer: units("per_buyer"),
        starts_at_ms: r.get("starts_at_ms"),
        ends_at_ms: r.get("ends_at_ms"),
    }
}

const SELECT: &str = "SELECT o.id, v.product_id, o.variant_id, o.price_minor, o.unit_cap, o.per_buyer,
                             o.starts_at_ms, o.ends_at_ms
                      FROM offers o JOIN variants v ON v.id = o.variant_id";

/// The show's drops that some viewer's video may still be inside.
pub async fn current(conn: &mut AnyConnection, show_id: &str) -> Result<Vec<Offer>, ApiError> {
    let rows = sqlx::query(&format!("{SELECT} WHERE o.show_id = $1 AND o.ends_at_ms > $2 ORDER BY o.id"))
        .bind(show_id)
        .bind(now_ms() - OFFER_MAX_LAG_MS)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(offer_of).collect())
}

/// Units of a drop taken: held on open (non-test) carts other than
/// `except_cart`, plus sold in (non-test) orders.
async fn taken(conn: &mut AnyConnection, offer_id: i64, except_cart: &str) -> Result<i64, ApiError> {
    let held: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM cart_lines l JOIN carts c ON c.id = l.cart_id
         WHERE l.offer_id = $1 AND l.offer_held_until_ms > $2 AND c.status = 'open' AND c.sandbox = 0
               AND l.cart_id != $3",
    )
    .bind(offer_id)
    .bind(now_ms())
    .bind(except_cart)
    .fetch_one(&mut *conn)
    .await?;
    let sold: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(ol.quantity), 0) AS BIGINT) FROM order_lines ol JOIN orders o ON o.id = ol.order_id
         WHERE ol.offer_id = $1 AND o.test = 0",
    )
    .bind(offer_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(held + sold)
}

/// What a cart line asks of a drop: a new claim, or keeping the one it holds.
pub enum Ask {
    Claim { offer_id: i64, playhead_ms: Option<i64> },
    Keep { offer_id: i64, held_until_ms: i64 },
}

/// Checks that `quantity` of the line may be at the drop's price, and
/// answers the drop and until when the price is held. Called inside the
/// cart's write transaction, so the cap check cannot race another claim.
pub async fn hold(
    conn: &mut AnyConnection,
    cart_id: &str,
    variant_id: i64,
    quantity: i64,
    ask: Ask,
) -> Result<(Offer, i64), ApiError> {
    let now = now_ms();
    let (offer_id, held_until) = match ask {
        Ask::Claim { offer_id, .. } => (offer_id, now + OFFER_HOLD_MS),
        Ask::Keep { offer_id, held_until_ms } => (offer_id, held_until_ms),
    };
    let offer = sqlx::query(&format!(
        "{SELECT} JOIN carts c ON c.show_id = o.show_id WHERE o.id = $1 AND o.variant_id = $2 AND c.id = $3"
    ))
    .bind(offer_id)
    .bind(variant_id)
    .bind(cart_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| offer_of(&r))
    .ok_or_else(|| ApiError::NotFound("That flash drop is not on this item.".into()))?;
    if let Ask::Claim { playhead_ms, .. } = ask {
        // Believed within bounds: at most OFFER_MAX_LAG_MS behind now, not ahead of it.
        let at = playhead_ms.unwrap_or(now).clamp(now - OFFER_MAX_LAG_MS, now + AHEAD_MS);
        if at < offer.starts_at_ms {
            return Err(ApiError::conflict("offer_not_started", "This flash drop has not started yet."));
        }
        if !offer.runs_at(at) {
            return Err(ApiError::conflict("offer_ended", "The flash drop has ended; the regular price applies."));
        }
    }
    if quantity > i64::from(offer.per_buyer) {
        return Err(ApiError::unprocessable(
            "offer_limit",
            format!("You can buy up to {} at the flash price.", offer.per_buyer),
        ));
    }
    if taken(conn, offer.id, cart_id).await? + quantity > i64::from(offer.unit_cap) {
        return Err(ApiError::conflict("offer_sold_out", "The flash drop has sold out."));
    }
    Ok((offer, held_until))
}

/// At checkout: a buyer (by email, across orders) buys at most `per_buyer`
/// of a drop.
pub async fn check_buyer(conn: &mut AnyConnection, offer: i64, email: &str, quantity: i64) -> Result<(), ApiError> {
    let row = sqlx::query(
        "SELECT o.per_buyer,
                (SELECT CAST(COALESCE(SUM(ol.quantity), 0) AS BIGINT) FROM order_lines ol JOIN orders r ON r.id = ol.order_id
                 WHERE ol.offer_id = o.id AND lower(r.email) = lower($1) AND r.test = 0) AS bought
         FROM offers o WHERE o.id = $2",
    )
    .bind(email.trim())
    .bind(offer)
    .fetch_one(&mut *conn)
    .await?;
    let (limit, bought): (i64, i64) = (row.get("per_buyer"), row.get("bought"));
    if bought + quantity > limit {
        return Err(ApiError::unprocessable(
            "offer_limit",
            format!("You have already bought {bought} at the flash price; the limit is {limit} per person."),
        ));
    }
    Ok(())
}
