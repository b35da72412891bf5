//! Shows and their catalogue: the snapshot a joining viewer loads first, and
//! the creator's controls during a show (status, prices, stock), each of which
//! reaches viewers as an event.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use vetrina_wire::{Product, Show, ShowEvent, ShowSnapshot, ShowStatus, ShowUpdate, Variant, VariantUpdate};

use crate::http::auth::Creator;
use crate::http::error::{ApiError, ApiPath, Valid};
use crate::live::events::record;
use crate::live::shows::{load_show, pinned_now};
use crate::state::AppState;
use crate::store;
use crate::util::now_ms;

/// `GET /api/shows/{show}`: the show, its products, what is pinned now and the id
/// of the last event that state includes (the point to resume the stream from).
pub async fn snapshot(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
) -> Result<Json<ShowSnapshot>, ApiError> {
    Ok(Json(snapshot_of(&state.db, &show_id, state.payments_mode()).await?))
}

/// A show's snapshot, read in one transaction so the pinned set and
/// last_event_id agree with each other; `payments` says who takes its orders.
pub async fn snapshot_of(
    db: &store::Pool,
    show_id: &str,
    (payments, stripe): (vetrina_wire::Payments, Option<vetrina_wire::StripeClient>),
) -> Result<ShowSnapshot, ApiError> {
    let mut tx = db.begin().await?;
    let show = load_show(&mut tx, show_id).await?;
    let products = load_products(&mut tx, show_id).await?;
    let (pinned, last_event_id) = pinned_now(&mut tx, show_id).await?;
    let offers = crate::show::offers::current(&mut tx, show_id).await?;
    tx.commit().await?;
    Ok(ShowSnapshot { show, products, pinned, last_event_id, offers, payments, stripe })
}

pub async fn load_products(conn: &mut store::Conn, show_id: &str) -> Result<Vec<Product>, ApiError> {
    Ok(store::catalogue::products(conn, show_id).await?)
}

/// `PATCH /api/shows/{show}` (creator): go live or end the show; change its
/// title, stream or locale.
pub async fn update_show(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
    Valid(req): Valid<ShowUpdate>,
) -> Result<Json<Show>, ApiError> {
    let mut tx = store::begin_write(&state.writer).await?;
    if req.currency.is_some() {
        // Hold the show's row, so no order is placed between counting the
        // orders and changing the currency (see `store::shows::hold`); other
        // edits leave checkouts alone.
        store::shows::hold(&mut tx, &show_id).await?;
    }
    let show = load_show(&mut tx, &show_id).await?;
    if req.currency.as_ref().is_some_and(|c| *c != show.currency) {
        let orders = store::orders::real_orders(&mut tx, &show_id).await?;
        if orders > 0 {
            return Err(ApiError::conflict(
                "currency_locked",
                "The currency cannot change once the show has orders: their amounts are in the old one.",
            ));
        }
    }
    // Checked already (`ShowUpdate::problem`); an empty one forgets the store.
    let store = req.shopify_store.as_deref().map(|typed| vetrina_wire::store_host(typed).ok());
    let has_store = store.clone().unwrap_or(show.shopify_store.clone()).is_some();
    if req.checkout_on_store.unwrap_or(show.checkout_on_store) && !has_store {
        return Err(ApiError::Validation(vec![vetrina_wire::FieldError::new(
            "checkout_on_store",
            "Give the Shopify store's address first: that is where buyers will pay.",
        )]));
    }
    let theme = req.theme.as_ref().map(|t| serde_json::to_string(t).unwrap_or_else(|_| "{}".into()));
    let (flat, free_from) = req.shipping.map_or((None, None), |p| (Some(p.flat_minor), Some(p.free_from_minor)));
    let changes = store::shows::Changes {
        title: req.title.as_deref().map(str::trim),
        stream_url: req.stream_url.as_deref(),
        locale: req.locale.as_deref(),
        currency: req.currency.as_deref(),
        theme: theme.as_deref(),
        shipping_flat_minor: flat,
        shipping_free_from_minor: free_from,
        scheduled_for_ms: req.scheduled_for_ms,
        shopify_store: store.as_ref().map(Option::as_deref),
        checkout_on_store: req.checkout_on_store,
        ..Default::default()
    };
    store::shows::update(&mut tx, &show_id, &changes).await?;
    let status = req.status.filter(|s| *s != show.status);
    if let Some(status) = status {
        // Going live starts the stream clock that pins are timed against.
        let started = if show.status == ShowStatus::Scheduled && status == ShowStatus::Live {
            now_ms()
        } else {
            show.started_at_ms
        };
        store::shows::set_status(&mut tx, &show_id, status, started).await?;
    }
    let updated = load_show(&mut tx, &show_id).await?;
    tx.commit().await?;
    if let Some(status) = status {
        record(&state, &show_id, ShowEvent::ShowStatus { status }).await?;
    }
    Ok(Json(updated))
}

/// `PATCH /api/shows/{show}/variants/{variant}` (creator): price or stock during the show.
pub async fn update_variant(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath((show_id, variant_id)): ApiPath<(String, i64)>,
    Valid(req): Valid<VariantUpdate>,
) -> Result<Json<Variant>, ApiError> {
    let mut tx = crate::store::begin_write(&state.writer).await?;
    let (product_id, before) = store::catalogue::variant(&mut tx, &show_id, variant_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Variant {variant_id} is not part of this show.")))?;
    let changes = store::catalogue::VariantChanges {
        price_minor: req.price_minor,
        compare_at_minor: req.compare_at_minor,
        stock: req.stock,
    };
    let after = store::catalogue::update_variant(&mut tx, variant_id, &changes).await?;
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
    if req.stock.is_some() && after.stock != before.stock {
        record(&state, &show_id, ShowEvent::Stock { product_id, variant_id, stock: after.stock }).await?;
    }
    Ok(Json(after))
}

/// `POST /api/shows` (operator): a new show and its creator token.
pub async fn create(
    State(state): State<AppState>,
    _operator: crate::http::auth::Operator,
    Valid(req): Valid<vetrina_wire::NewShowRequest>,
) -> Result<axum::response::Response, ApiError> {
    let days = crate::http::auth::TOKEN_LIFETIME_MS / (24 * 3600 * 1000);
    let token = create_show(
        &state.writer,
        ShowToCreate {
            id: &req.id,
            title: req.title.trim(),
            currency: &req.currency,
            locale: &req.locale,
            stream_url: req.stream_url.as_deref().unwrap_or(""),
            token_days: days,
        },
    )
    .await?;
    let (_, expires_at_ms) = store::shows::creator_token(&state.db, &req.id)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("show {} vanished as it was created", req.id)))?;
    let show = load_show(&mut *state.db.acquire().await?, &req.id).await?;
    tracing::info!(show = %req.id, "show created");
    let created = vetrina_wire::CreatedShow { show, creator_token: token, expires_at_ms };
    // The token is shown this once: kept nowhere, not even for an idempotent replay.
    let mut response = (axum::http::StatusCode::CREATED, Json(created)).into_response();
    response.extensions_mut().insert(crate::http::idempotency::Secret);
    Ok(response)
}

/// A new show for a brand, with a fresh creator token (returned) valid for `token_days`.
pub struct ShowToCreate<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub currency: &'a str,
    pub locale: &'a str,
    pub stream_url: &'a str,
    pub token_days: i64,
}

pub async fn create_show(db: &store::Pool, show: ShowToCreate<'_>) -> Result<String, ApiError> {
    if !crate::util::is_show_id(show.id) {
        return Err(ApiError::bad_request("invalid_show_id", "A show id is 1 to 64 letters, digits, '-' or '_'."));
    }
    if show.currency.len() != 3 || !show.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::bad_request("invalid_currency", "The currency must be an ISO 4217 code like EUR."));
    }
    let token = crate::util::random_id();
    let now = now_ms();
    let new = store::shows::NewShow {
        id: show.id,
        title: show.title,
        status: ShowStatus::Scheduled,
        currency: show.currency,
        locale: show.locale,
        stream_url: show.stream_url,
        started_at_ms: now,
        creator_token: &crate::http::auth::token_digest(&token),
        token_expires_at_ms: now + show.token_days * 24 * 3600 * 1000,
    };
    let inserted = store::shows::insert(&mut *db.acquire().await?, &new).await?;
    if !inserted {
        return Err(ApiError::conflict("show_exists", format!("A show called '{}' exists already.", show.id)));
    }
    Ok(token)
}
