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
//! (time to check out).
//!
//! Only units *sold* count against the cap, checked again at checkout under
//! the drop's lock: a claim costs nothing to make (a cart is anonymous), so if
//! claims counted, anyone could empty a drop from a few hundred carts without
//! buying, and every real viewer would be told "sold out" by nobody's
//! purchase. So the units go to the first buyers to pay, and a claim made once
//! the drop has sold out is refused at once. Test carts (the studio's sandbox)
//! are refused exactly as real ones, but their orders use up nothing.

use axum::extract::State;
use axum::Json;
use vetrina_wire::{NewOffer, Offer, ShowEvent, OFFER_HOLD_MS, OFFER_MAX_LAG_MS};

use crate::http::auth::Creator;
use crate::http::error::{ApiError, ApiPath, Valid};
use crate::live::events::record;
use crate::state::AppState;
use crate::store;
use crate::util::now_ms;

/// How far ahead of the server's clock a claimed video position may be (the
/// stream's clock is the server's; this covers rounding and transit).
const AHEAD_MS: i64 = 2_000;

/// `POST /api/shows/{show}/offers` (creator): starts a flash drop now.
pub async fn create(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
    Valid(req): Valid<NewOffer>,
) -> Result<Json<Offer>, ApiError> {
    let mut tx = crate::store::begin_write(&state.writer).await?;
    let (product_id, variant) = store::catalogue::variant(&mut tx, &show_id, req.variant_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Variant {} is not part of this show.", req.variant_id)))?;
    if let Some(problem) = req.problem(variant.price_minor) {
        return Err(ApiError::Validation(vec![problem]));
    }
    let now = now_ms();
    if store::offers::running(&mut tx, req.variant_id, now).await? {
        return Err(ApiError::conflict("offer_running", "A flash drop on this variant is still running."));
    }
    let offer = Offer {
        id: 0,
        product_id,
        variant_id: req.variant_id,
        price_minor: req.price_minor,
        unit_cap: req.unit_cap,
        per_buyer: req.per_buyer,
        starts_at_ms: now,
        ends_at_ms: now + i64::from(req.duration_s) * 1000,
    };
    let offer = store::offers::insert(&mut tx, &show_id, offer, now).await?;
    tx.commit().await?;
    record(&state, &show_id, ShowEvent::from(&offer)).await?;
    tracing::info!(show = %show_id, offer = offer.id, variant = offer.variant_id, "flash drop started");
    Ok(Json(offer))
}

/// The show's drops that some viewer's video may still be inside.
pub async fn current(conn: &mut store::Conn, show_id: &str) -> Result<Vec<Offer>, ApiError> {
    Ok(store::offers::ending_after(conn, show_id, now_ms() - OFFER_MAX_LAG_MS).await?)
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
    conn: &mut store::Conn,
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
    // Claims on one drop take turns: each sees what the one before it took.
    store::lock(conn, store::Lock::Offer(offer_id)).await?;
    let offer = store::offers::for_cart(conn, offer_id, variant_id, cart_id)
        .await?
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
    if store::offers::sold(conn, offer.id).await? + quantity > i64::from(offer.unit_cap) {
        return Err(sold_out());
    }
    Ok((offer, held_until))
}

fn sold_out() -> ApiError {
    ApiError::conflict("offer_sold_out", "The flash drop has sold out.")
}

/// At checkout, under each drop's lock (taken here, in id order, after the
/// cart's and the buyer's): the cart's flash units still fit in what is left
/// of each drop. `lines` are (drop, units).
pub async fn check_left(conn: &mut store::Conn, lines: &[(i64, i64)]) -> Result<(), ApiError> {
    let mut lines = lines.to_vec();
    lines.sort_unstable();
    for (offer, quantity) in lines {
        store::lock(conn, store::Lock::Offer(offer)).await?;
        if store::offers::left(conn, offer).await? < quantity {
            return Err(sold_out());
        }
    }
    Ok(())
}

/// At checkout: a buyer (by email, across orders) buys at most `per_buyer`
/// of a drop.
pub async fn check_buyer(conn: &mut store::Conn, offer: i64, email: &str, quantity: i64) -> Result<(), ApiError> {
    let (limit, bought) = store::offers::bought(conn, offer, email.trim()).await?;
    if bought + quantity > limit {
        return Err(ApiError::unprocessable(
            "offer_limit",
            format!("You have already bought {bought} at the flash price; the limit is {limit} per person."),
        ));
    }
    Ok(())
}
