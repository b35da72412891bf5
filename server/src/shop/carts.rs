//! Carts and checkout.
//!
//! The client sends only ids and quantities; every price, total and stock figure
//! is read from the database here. Checkout runs in one `BEGIN IMMEDIATE`
//! transaction: it takes SQLite's write lock first, so concurrent checkouts queue
//! up and each sees the stock the previous one left. The decrement itself is
//! guarded (`stock >= quantity`) and the schema's CHECK forbids negative stock.
//! The payment is charged after that transaction commits; a decline reverts it.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use vetrina_wire::{
    AddLine, Cart, CartLine, CheckoutRequest, CreateCart, SetQuantity, IDEMPOTENCY_KEY_HEADER, MAX_LINE_QUANTITY,
};

use crate::http::error::{read_body, valid, ApiError, ApiPath, Valid};
use crate::shop::orders::{self, OrderKey};
use crate::show::offers::{self, Ask};
use crate::state::AppState;
use crate::store::{self, Lock};
use crate::util::{now_ms, random_id};

/// `POST /api/carts`; a sandbox cart needs the show's creator token.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Valid(req): Valid<CreateCart>,
) -> Result<(StatusCode, Json<Cart>), ApiError> {
    // A cart is a row anyone can make: how many, per client, is bounded.
    let client = crate::state::net::client_ip_of(&headers, &extensions, &state.config);
    state.cart_limits.check(&client.to_string()).await.map_err(ApiError::TooManyRequests)?;
    if req.sandbox {
        crate::http::auth::authorize(&state, &headers, &req.show_id).await?;
    }
    let mut conn = state.writer.acquire().await?;
    crate::live::shows::load_show(&mut conn, &req.show_id).await?;
    let id = random_id();
    store::carts::insert(&mut conn, &id, &req.show_id, req.sandbox, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(load_cart(&mut conn, &id).await?)))
}

/// How long a cart nobody comes back to is kept: a viewer who returns to a
/// replay within a month finds their cart.
pub const CART_RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;

/// Deletes the carts untouched for [`CART_RETENTION_MS`] that never became an
/// order; run periodically. Answers how many.
pub async fn purge_abandoned(db: &store::Pool, now_ms: i64) -> Result<u64, ApiError> {
    Ok(store::carts::purge_abandoned(db, now_ms - CART_RETENTION_MS).await?)
}

/// `GET /api/carts/{cart}`
pub async fn get(State(state): State<AppState>, ApiPath(cart_id): ApiPath<String>) -> Result<Json<Cart>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

/// `GET /api/carts/{cart}/handover`: the brand's Shopify store's cart
/// permalink for this cart, on a show that checks out on that store. The
/// address is built here from the show's own settings and the variants'
/// Shopify ids: nothing the caller sends chooses where the buyer goes.
pub async fn handover(
    State(state): State<AppState>,
    ApiPath(cart_id): ApiPath<String>,
) -> Result<Json<vetrina_wire::HandOver>, ApiError> {
    let mut conn = state.db.acquire().await?;
    let cart = load_cart(&mut conn, &cart_id).await?;
    let show = crate::live::shows::load_show(&mut conn, &cart.show_id).await?;
    let store = show
        .shopify_store
        .as_deref()
        .filter(|_| show.checkout_on_store)
        .and_then(|s| vetrina_wire::store_host(s).ok())
        .ok_or_else(|| {
            ApiError::conflict("not_on_store", "This show's checkout is here, not on a store of its own.")
        })?;
    if cart.lines.is_empty() {
        return Err(ApiError::conflict("empty_cart", "The cart is empty."));
    }
    let ids: Vec<i64> = cart.lines.iter().map(|l| l.variant_id).collect();
    let shopify = store::catalogue::shopify_ids(&mut conn, &ids).await?;
    let mut items = Vec::with_capacity(cart.lines.len());
    for line in &cart.lines {
        let Some(id) = shopify.get(&line.variant_id) else {
            return Err(ApiError::conflict(
                "not_on_store",
                format!("{} is not sold on {store}: remove it from the cart to pay there.", line.title),
            ));
        };
        items.push(format!("{id}:{}", line.quantity));
    }
    let url = format!("https://{store}/cart/{}", items.join(","));
    Ok(Json(vetrina_wire::HandOver { store, url }))
}

/// `POST /api/carts/{cart}/lines`: adds to the line of that variant, or starts one.
pub async fn add_line(
    State(state): State<AppState>,
    ApiPath(cart_id): ApiPath<String>,
    Valid(req): Valid<AddLine>,
) -> Result<Json<Cart>, ApiError> {
    let mut conn = state.writer.acquire().await?;
    let mut tx = store::begin_locked_on(&mut conn, &[Lock::Cart(&cart_id)]).await?;
    let (_, sandbox) = open_cart_show(&mut tx, &cart_id).await?;
    let current = store::carts::line(&mut tx, &cart_id, req.variant_id).await?.map_or(0, |(quantity, _)| quantity);
    let wanted = current + i64::from(req.quantity);
    let claim = req.offer_id.map(|offer_id| Ask::Claim { offer_id, playhead_ms: req.playhead_ms });
    put_line(&mut tx, &cart_id, req.variant_id, wanted, claim).await?;
    if !sandbox {
        store::shows::count_add(&mut tx, req.variant_id).await?;
    }
    tx.commit().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

/// `PUT /api/carts/{cart}/lines/{variant}`: sets the quantity; 0 removes the line.
pub async fn set_quantity(
    State(state): State<AppState>,
    ApiPath((cart_id, variant_id)): ApiPath<(String, i64)>,
    Valid(req): Valid<SetQuantity>,
) -> Result<Json<Cart>, ApiError> {
    let mut conn = state.writer.acquire().await?;
    let mut tx = store::begin_locked_on(&mut conn, &[Lock::Cart(&cart_id)]).await?;
    open_cart_show(&mut tx, &cart_id).await?;
    if req.quantity == 0 {
        delete_line(&mut tx, &cart_id, variant_id).await?;
    } else {
        put_line(&mut tx, &cart_id, variant_id, i64::from(req.quantity), None).await?;
    }
    tx.commit().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

/// `DELETE /api/carts/{cart}/lines/{variant}`
pub async fn remove_line(
    State(state): State<AppState>,
    ApiPath((cart_id, variant_id)): ApiPath<(String, i64)>,
) -> Result<Json<Cart>, ApiError> {
    let mut conn = state.writer.acquire().await?;
    let mut tx = store::begin_locked_on(&mut conn, &[Lock::Cart(&cart_id)]).await?;
    open_cart_show(&mut tx, &cart_id).await?;
    delete_line(&mut tx, &cart_id, variant_id).await?;
    tx.commit().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

async fn delete_line(conn: &mut store::Conn, cart_id: &str, variant_id: i64) -> Result<(), ApiError> {
    if !store::carts::delete_line(conn, cart_id, variant_id).await? {
        return Err(ApiError::NotFound("That item is not in the cart.".into()));
    }
    Ok(())
}

/// The show of an open cart, and whether it is a sandbox cart; errors for a
/// missing cart or one already ordered.
async fn open_cart_show(conn: &mut store::Conn, cart_id: &str) -> Result<(String, bool), ApiError> {
    let (show_id, open, sandbox) = store::carts::head(conn, cart_id).await?.ok_or_else(cart_not_found)?;
    if !open {
        return Err(ApiError::conflict("cart_closed", "This cart has already been ordered."));
    }
    Ok((show_id, sandbox))
}

fn cart_not_found() -> ApiError {
    ApiError::NotFound("That cart does not exist.".into())
}

/// Sets a line to `quantity` after checking the variant is of the cart's show, the
/// per-line limit, the stock on hand now, and a flash drop's limits when the
/// line claims one (`claim`) or holds one already.
async fn put_line(
    conn: &mut store::Conn,
    cart_id: &str,
    variant_id: i64,
    quantity: i64,
    claim: Option<Ask>,
) -> Result<(), ApiError> {
    let variant = store::carts::offered(conn, cart_id, variant_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Variant {variant_id} is not sold in this show.")))?;
    let (stock, title) = (variant.stock, &variant.title);
    let limit = line_limit(variant.max_per_buyer);
    if quantity > limit {
        return Err(ApiError::unprocessable("quantity_limit", format!("You can buy up to {limit} of {title}.")));
    }
    if stock < quantity {
        return Err(short_of_stock(title, stock));
    }
    // A line keeps the drop it holds while the hold lasts.
    let ask = match claim {
        Some(claim) => Some(claim),
        None => match store::carts::line(conn, cart_id, variant_id).await? {
            Some((_, Some((offer_id, held_until_ms)))) if held_until_ms > now_ms() => {
                Some(Ask::Keep { offer_id, held_until_ms })
            }
            _ => None,
        },
    };
    let (price, offer) = match ask {
        Some(ask) => {
            let (offer, until) = offers::hold(conn, cart_id, variant_id, quantity, ask).await?;
            (offer.price_minor, Some((offer.id, until)))
        }
        None => (variant.price_minor, None),
    };
    // The viewer sees the current price whenever they add or change a line, so
    // that is the price the line remembers.
    let line = store::carts::SetLine { cart_id, variant_id, quantity, now_ms: now_ms(), price_minor: price, offer };
    store::carts::put_line(conn, &line).await?;
    Ok(())
}

/// The most one cart line may hold: the product's per-buyer limit, capped by
/// the general per-line maximum.
fn line_limit(max_per_buyer: Option<i64>) -> i64 {
    max_per_buyer.map_or(i64::from(MAX_LINE_QUANTITY), |m| m.min(i64::from(MAX_LINE_QUANTITY)))
}

fn short_of_stock(title: &str, left: i64) -> ApiError {
    if left <= 0 {
        ApiError::conflict("sold_out", format!("{title} is sold out."))
    } else {
        ApiError::conflict("insufficient_stock", format!("Only {left} of {title} left."))
    }
}

pub async fn load_cart(conn: &mut store::Conn, cart_id: &str) -> Result<Cart, ApiError> {
    let cart = store::carts::load(conn, cart_id, now_ms()).await?.ok_or_else(cart_not_found)?;
    if !cart.open {
        return Err(ApiError::NotFound("That cart has been ordered and is closed.".into()));
    }
    let lines: Vec<CartLine> = cart
        .lines
        .into_iter()
        .map(|l| CartLine {
            variant_id: l.variant_id,
            product_id: l.product_id,
            title: l.title,
            options: l.options,
            image_url: l.image_url,
            unit_price_minor: l.unit_price_minor,
            quantity: u32::try_from(l.quantity).unwrap_or(0),
            // Prices and quantities are bounded (MAX_PRICE_MINOR, MAX_LINE_QUANTITY); saturate anyway.
            line_total_minor: l.unit_price_minor.saturating_mul(l.quantity),
            available: l.stock,
            added_price_minor: l.added_price_minor,
            max_quantity: u32::try_from(line_limit(l.max_per_buyer)).ok(),
            offer_id: l.offer.map(|(offer, _)| offer),
            offer_held_until_ms: l.offer.map(|(_, until)| until),
        })
        .collect();
    // Checked sums, as everywhere money or units add up: saturating, never a panic.
    let subtotal = lines.iter().fold(0i64, |sum, l| sum.saturating_add(l.line_total_minor));
    // The show's policy, published in the show so viewers know the cost before they buy.
    let shipping = cart.shipping.shipping_for(subtotal);
    Ok(Cart {
        id: cart.id,
        show_id: cart.show_id,
        currency: cart.currency,
        item_count: lines.iter().fold(0u32, |sum, l| sum.saturating_add(l.quantity)),
        lines,
        subtotal_minor: subtotal,
        shipping_minor: shipping,
        total_minor: subtotal.saturating_add(shipping),
    })
}

/// `POST /api/carts/{cart}/checkout`, with an `Idempotency-Key` header (the
/// idempotency layer makes retries safe; here we only insist the key is there).
///
/// Two phases, so no database lock is held while the payment provider works:
/// first stock is taken and a pending order written, in one `BEGIN IMMEDIATE`
/// transaction; then the payment token is charged. A decline puts everything
/// back (stock, cart) and places no order.
pub async fn checkout(
    State(state): State<AppState>,
    ApiPath(cart_id): ApiPath<String>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let client = crate::state::net::client_ip(&request, &state.config);
    state.checkout_limits.check(&client.to_string()).await.map_err(ApiError::TooManyRequests)?;
    if state.payments.is_none() {
        // Only a studio preview's test orders, which the test provider charges.
        let head = store::carts::head(&mut *state.db.acquire().await?, &cart_id).await?;
        if !head.ok_or_else(cart_not_found)?.2 {
            return Err(checkout_unavailable());
        }
    }
    let key = match request.headers().get(IDEMPOTENCY_KEY_HEADER).and_then(|k| k.to_str().ok()) {
        Some(key) => key.trim().to_string(),
        None => {
            return Err(ApiError::bad_request(
                "idempotency_key_required",
                "Checkout needs an Idempotency-Key header (1 to 255 characters).",
            ))
        }
    };
    let req = valid(read_body::<CheckoutRequest>(request).await?.without_controls())?;

    // An order this key already wrote: the request ran before and its process
    // died (the idempotency layer let this retry take its claim over). Finish
    // that order rather than failing on a cart it has closed.
    let order_id = match orders::by_checkout_key(&state.db, &cart_id, &key).await? {
        Some((order_id, true)) => {
            let order = orders::load(&mut *state.db.acquire().await?, OrderKey::Internal(order_id)).await?;
            crate::shop::mail::confirm(&state, order_id).await;
            return Ok(created(&order));
        }
        Some((order_id, false)) => order_id,
        None => reserve(&state, &cart_id, &req, &key).await?,
    };
    charge(&state, &cart_id, order_id, req.payment_token.trim()).await
}

/// Phase two: charges the pending order's total ([`crate::shop::payments`]),
/// and answers the buyer with what came of it.
async fn charge(state: &AppState, cart_id: &str, order_id: i64, token: &str) -> Result<Response, ApiError> {
    use crate::shop::payments::Settled;
    match crate::shop::payments::pay(state, cart_id, order_id, token).await? {
        Settled::Paid(order) => Ok(created(&order)),
        Settled::Declined { code, message } => Err(ApiError::PaymentDeclined { code, message }),
        Settled::Action { order, client_secret } => {
            // Not kept for replay (it holds the payment's client secret): the
            // retry after the buyer's authentication asks the provider again.
            let body = vetrina_wire::PaymentAction { order, client_secret };
            let mut response = (StatusCode::ACCEPTED, Json(body)).into_response();
            response.extensions_mut().insert(crate::http::idempotency::Secret);
            Ok(response)
        }
        Settled::Unavailable(why) => {
            tracing::warn!(cart = %cart_id, %why, "a payment could not be confirmed");
            Err(ApiError::PaymentUnavailable)
        }
        Settled::Mismatch => Err(ApiError::conflict(
            "payment_mismatch",
            "The payment did not match the order, so it was not accepted. Contact the shop.",
        )),
    }
}

/// No payment provider is configured (see [`crate::state::AppState::payments`]).
pub fn checkout_unavailable() -> ApiError {
    ApiError::conflict(
        "checkout_unavailable",
        "This shop is not taking orders yet: no payment provider is set up. Nothing was ordered.",
    )
}

fn created(order: &vetrina_wire::Order) -> Response {
    let body = serde_json::to_string(order).unwrap_or_else(|_| unreachable!("wire types always serialize"));
    (StatusCode::CREATED, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Phase one: takes the stock and writes a pending order, or changes nothing.
async fn reserve(state: &AppState, cart_id: &str, req: &CheckoutRequest, key: &str) -> Result<i64, ApiError> {
    let mut conn = state.writer.acquire().await?;
    let mut tx = store::begin_locked_on(&mut conn, &[Lock::Cart(cart_id), Lock::Buyer(&req.email)]).await?;
    let (show_id, sandbox) = open_cart_show(&mut tx, cart_id).await?;
    let cart = load_cart(&mut tx, cart_id).await?;
    if cart.lines.is_empty() {
        return Err(ApiError::conflict("cart_empty", "The cart is empty."));
    }
    check_buyer_limits(&mut tx, cart_id, &req.email).await?;
    let flash: Vec<(i64, i64)> =
        cart.lines.iter().filter_map(|line| Some((line.offer_id?, i64::from(line.quantity)))).collect();
    for (offer, quantity) in &flash {
        offers::check_buyer(&mut tx, *offer, &req.email, *quantity).await?;
    }
    // The units go to the first to pay (see offers.rs): what is left is read
    // under each drop's lock, held until this order is written.
    offers::check_left(&mut tx, &flash).await?;
    // What the cart already shows as short fails at once; the stock itself is
    // taken last (below).
    if let Some(line) = cart.lines.iter().find(|line| line.available < i64::from(line.quantity)) {
        return Err(short_of_stock(&line.title, line.available));
    }
    let now = now_ms();
    let number = orders::new_number(&mut tx).await?;
    let order = store::orders::NewOrder {
        cart_id,
        show_id: &show_id,
        email: req.email.trim(),
        name: req.name.trim(),
        address: &req.address,
        currency: &cart.currency,
        subtotal_minor: cart.subtotal_minor,
        shipping_minor: cart.shipping_minor,
        total_minor: cart.total_minor,
        created_at_ms: now,
        public_id: &random_id(),
        number: &number,
        checkout_key: key,
        test: sandbox,
        lines: cart
            .lines
            .iter()
            .map(|line| store::orders::NewLine {
                variant_id: line.variant_id,
                title: &line.title,
                options: &line.options,
                unit_price_minor: line.unit_price_minor,
                quantity: i64::from(line.quantity),
                line_total_minor: line.line_total_minor,
                offer_id: line.offer_id,
            })
            .collect(),
    };
    let order_id = store::orders::insert(&mut tx, &order).await?;
    // The order now holds its show's row against a currency change (see
    // `store::shows::hold`); one that committed while the cart was read is
    // seen here, and the amounts read in the old currency are not kept.
    if store::shows::currency(&mut tx, &show_id).await?.is_some_and(|c| c != cart.currency) {
        return Err(ApiError::conflict(
            "currency_changed",
            "The show's currency changed while you were checking out; nothing was ordered. Reload to see the new prices.",
        ));
    }
    store::carts::set_open(&mut tx, cart_id, false).await?;
    // Last, so a variant's row is locked only from here to the commit: the
    // buyers of a hot variant take turns for two statements, not seven. In
    // variant order, as every transaction taking stock does, so two checkouts
    // sharing variants never wait for each other in a circle.
    let mut by_variant: Vec<&CartLine> = cart.lines.iter().collect();
    by_variant.sort_by_key(|line| line.variant_id);
    for line in by_variant {
        // A test order is refused exactly when a real one would be, but takes nothing.
        let take = if sandbox { 0 } else { i64::from(line.quantity) };
        if let Some(left) =
            store::catalogue::take_stock(&mut tx, line.variant_id, take, i64::from(line.quantity)).await?
        {
            // Dropping `tx` rolls back the order and the stock taken for earlier lines.
            return Err(short_of_stock(&line.title, left));
        }
    }
    tx.commit().await?;
    Ok(order_id)
}

/// A product's per-buyer limit counts this cart plus what the same email bought
/// before (test orders bought nothing).
async fn check_buyer_limits(conn: &mut store::Conn, cart_id: &str, email: &str) -> Result<(), ApiError> {
    for limited in store::carts::limited(conn, cart_id).await? {
        let (max, title) = (limited.max_per_buyer, &limited.title);
        let bought = store::orders::bought(conn, limited.product_id, email.trim()).await?;
        if bought + limited.quantity > max {
            let message = if bought == 0 {
                format!("You can buy up to {max} of {title}.")
            } else {
                format!("You have already bought {bought} of {title}; the limit is {max} per person.")
            };
            return Err(ApiError::unprocessable("buyer_limit", message));
        }
    }
    Ok(())
}
