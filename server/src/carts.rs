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
use sqlx::{AnyConnection, Row};
use vetrina_wire::{
    AddLine, Cart, CartLine, CheckoutRequest, CreateCart, SetQuantity, ShippingPolicy, ShowEvent,
    IDEMPOTENCY_KEY_HEADER, MAX_LINE_QUANTITY,
};

use crate::catalog::json_strings;
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::offers::{self, Ask};
use crate::orders::{self, OrderKey};
use crate::payments::{Charge, Outcome};
use crate::util::{now_ms, random_id};
use crate::AppState;

/// `POST /api/carts`; a sandbox cart needs the show's creator token.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CreateCart>,
) -> Result<(StatusCode, Json<Cart>), ApiError> {
    if req.sandbox {
        crate::events::authorize(&state, &headers, &req.show_id).await?;
    }
    let mut conn = state.writer.acquire().await?;
    crate::catalog::load_show(&mut conn, &req.show_id).await?;
    let id = random_id();
    sqlx::query("INSERT INTO carts (id, show_id, created_at_ms, sandbox) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(&req.show_id)
        .bind(now_ms())
        .bind(i64::from(req.sandbox))
        .execute(&mut *conn)
        .await?;
    Ok((StatusCode::CREATED, Json(load_cart(&mut conn, &id).await?)))
}

/// `GET /api/carts/{cart}`
pub async fn get(State(state): State<AppState>, ApiPath(cart_id): ApiPath<String>) -> Result<Json<Cart>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

/// `POST /api/carts/{cart}/lines`: adds to the line of that variant, or starts one.
pub async fn add_line(
    State(state): State<AppState>,
    ApiPath(cart_id): ApiPath<String>,
    ApiJson(req): ApiJson<AddLine>,
) -> Result<Json<Cart>, ApiError> {
    if req.quantity == 0 {
        return Err(ApiError::unprocessable("invalid_quantity", "Add at least one."));
    }
    let mut conn = state.writer.acquire().await?;
    let mut tx = crate::db::begin_write_on(&mut conn).await?;
    let (_, sandbox) = open_cart_show(&mut tx, &cart_id).await?;
    let current: Option<i64> =
        sqlx::query_scalar("SELECT quantity FROM cart_lines WHERE cart_id = $1 AND variant_id = $2")
            .bind(&cart_id)
            .bind(req.variant_id)
            .fetch_optional(&mut *tx)
            .await?;
    let wanted = current.unwrap_or(0) + i64::from(req.quantity);
    let claim = req.offer_id.map(|offer_id| Ask::Claim { offer_id, playhead_ms: req.playhead_ms });
    put_line(&mut tx, &cart_id, req.variant_id, wanted, claim).await?;
    if !sandbox {
        crate::creator::count_add(&mut tx, req.variant_id).await?;
    }
    tx.commit().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

/// `PUT /api/carts/{cart}/lines/{variant}`: sets the quantity; 0 removes the line.
pub async fn set_quantity(
    State(state): State<AppState>,
    ApiPath((cart_id, variant_id)): ApiPath<(String, i64)>,
    ApiJson(req): ApiJson<SetQuantity>,
) -> Result<Json<Cart>, ApiError> {
    let mut conn = state.writer.acquire().await?;
    let mut tx = crate::db::begin_write_on(&mut conn).await?;
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
    let mut tx = crate::db::begin_write_on(&mut conn).await?;
    open_cart_show(&mut tx, &cart_id).await?;
    delete_line(&mut tx, &cart_id, variant_id).await?;
    tx.commit().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

async fn delete_line(conn: &mut AnyConnection, cart_id: &str, variant_id: i64) -> Result<(), ApiError> {
    let deleted = sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id = $2")
        .bind(cart_id)
        .bind(variant_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Err(ApiError::NotFound("That item is not in the cart.".into()));
    }
    Ok(())
}

/// The show of an open cart, and whether it is a sandbox cart; errors for a
/// missing cart or one already ordered.
async fn open_cart_show(conn: &mut AnyConnection, cart_id: &str) -> Result<(String, bool), ApiError> {
    let row = sqlx::query("SELECT show_id, status, sandbox FROM carts WHERE id = $1")
        .bind(cart_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(cart_not_found)?;
    if row.get::<String, _>("status") != "open" {
        return Err(ApiError::conflict("cart_closed", "This cart has already been ordered."));
    }
    Ok((row.get("show_id"), row.get::<i64, _>("sandbox") != 0))
}

fn cart_not_found() -> ApiError {
    ApiError::NotFound("That cart does not exist.".into())
}

/// Sets a line to `quantity` after checking the variant is of the cart's show, the
/// per-line limit, the stock on hand now, and a flash drop's limits when the
/// line claims one (`claim`) or holds one already.
async fn put_line(
    conn: &mut AnyConnection,
    cart_id: &str,
    variant_id: i64,
    quantity: i64,
    claim: Option<Ask>,
) -> Result<(), ApiError> {
    let row = sqlx::query(
        "SELECT v.stock, v.price_minor, p.title, p.max_per_buyer FROM variants v
         JOIN products p ON p.id = v.product_id
         JOIN carts c ON c.show_id = p.show_id
         WHERE v.id = $1 AND c.id = $2",
    )
    .bind(variant_id)
    .bind(cart_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("Variant {variant_id} is not sold in this show.")))?;
    let stock: i64 = row.get("stock");
    let title: String = row.get("title");
    let limit = line_limit(row.get("max_per_buyer"));
    if quantity > limit {
        return Err(ApiError::unprocessable("quantity_limit", format!("You can buy up to {limit} of {title}.")));
    }
    if stock < quantity {
        return Err(short_of_stock(&title, stock));
    }
    // A line keeps the drop it holds while the hold lasts.
    let ask = match claim {
        Some(claim) => Some(claim),
        None => sqlx::query_as::<_, (Option<i64>, Option<i64>)>(
            "SELECT offer_id, offer_held_until_ms FROM cart_lines WHERE cart_id = $1 AND variant_id = $2",
        )
        .bind(cart_id)
        .bind(variant_id)
        .fetch_optional(&mut *conn)
        .await?
        .and_then(|(offer, until)| match (offer, until) {
            (Some(offer_id), Some(held_until_ms)) if held_until_ms > now_ms() => {
                Some(Ask::Keep { offer_id, held_until_ms })
            }
            _ => None,
        }),
    };
    let (price, offer_id, held_until) = match ask {
        Some(ask) => {
            let (offer, until) = offers::hold(conn, cart_id, variant_id, quantity, ask).await?;
            (offer.price_minor, Some(offer.id), Some(until))
        }
        None => (row.get::<i64, _>("price_minor"), None, None),
    };
    // The viewer sees the current price whenever they add or change a line, so
    // that is the price the line remembers.
    sqlx::query(
        "INSERT INTO cart_lines (cart_id, variant_id, quantity, added_at_ms, added_price_minor, offer_id,
                                 offer_held_until_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (cart_id, variant_id)
         DO UPDATE SET quantity = excluded.quantity, added_price_minor = excluded.added_price_minor,
                       offer_id = excluded.offer_id, offer_held_until_ms = excluded.offer_held_until_ms",
    )
    .bind(cart_id)
    .bind(variant_id)
    .bind(quantity)
    .bind(now_ms())
    .bind(price)
    .bind(offer_id)
    .bind(held_until)
    .execute(&mut *conn)
    .await?;
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

pub async fn load_cart(conn: &mut AnyConnection, cart_id: &str) -> Result<Cart, ApiError> {
    let cart = sqlx::query(
        "SELECT c.id, c.show_id, c.status, s.currency, s.shipping_flat_minor, s.shipping_free_from_minor
         FROM carts c JOIN shows s ON s.id = c.show_id WHERE c.id = $1",
    )
    .bind(cart_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(cart_not_found)?;
    if cart.get::<String, _>("status") != "open" {
        return Err(ApiError::NotFound("That cart has been ordered and is closed.".into()));
    }
    let rows = sqlx::query(
        "SELECT l.variant_id, l.quantity, l.added_price_minor, v.product_id, v.options, v.stock,
                p.title, p.image_url, p.max_per_buyer,
                CASE WHEN l.offer_held_until_ms > $1 THEN l.offer_id END AS offer_id,
                CASE WHEN l.offer_held_until_ms > $1 THEN l.offer_held_until_ms END AS held_until,
                CASE WHEN l.offer_held_until_ms > $1 THEN o.price_minor ELSE v.price_minor END AS price_minor
         FROM cart_lines l
         JOIN variants v ON v.id = l.variant_id
         JOIN products p ON p.id = v.product_id
         LEFT JOIN offers o ON o.id = l.offer_id
         WHERE l.cart_id = $2 ORDER BY l.added_at_ms, l.variant_id",
    )
    .bind(now_ms())
    .bind(cart_id)
    .fetch_all(&mut *conn)
    .await?;
    let lines: Vec<CartLine> = rows
        .iter()
        .map(|r| {
            let quantity: i64 = r.get("quantity");
            let unit: i64 = r.get("price_minor");
            CartLine {
                variant_id: r.get("variant_id"),
                product_id: r.get("product_id"),
                title: r.get("title"),
                options: json_strings(r.get("options")),
                image_url: r.get("image_url"),
                unit_price_minor: unit,
                quantity: u32::try_from(quantity).unwrap_or(0),
                // Prices and quantities are bounded (MAX_PRICE_MINOR, MAX_LINE_QUANTITY); saturate anyway.
                line_total_minor: unit.saturating_mul(quantity),
                available: r.get("stock"),
                added_price_minor: r.get("added_price_minor"),
                max_quantity: u32::try_from(line_limit(r.get("max_per_buyer"))).ok(),
                offer_id: r.get("offer_id"),
                offer_held_until_ms: r.get("held_until"),
            }
        })
        .collect();
    let subtotal: i64 = lines.iter().map(|l| l.line_total_minor).sum();
    // The show's policy, published in the show so viewers know the cost before they buy.
    let policy = ShippingPolicy {
        flat_minor: cart.get("shipping_flat_minor"),
        free_from_minor: cart.get("shipping_free_from_minor"),
    };
    let shipping = policy.shipping_for(subtotal);
    Ok(Cart {
        id: cart.get("id"),
        show_id: cart.get("show_id"),
        currency: cart.get("currency"),
        item_count: lines.iter().map(|l| l.quantity).sum(),
        lines,
        subtotal_minor: subtotal,
        shipping_minor: shipping,
        total_minor: subtotal + shipping,
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
    let client = crate::net::client_ip(&request, &state.config);
    state.checkout_limits.check(&client.to_string()).await.map_err(ApiError::TooManyRequests)?;
    let key = match request.headers().get(IDEMPOTENCY_KEY_HEADER).and_then(|k| k.to_str().ok()) {
        Some(key) => key.trim().to_string(),
        None => {
            return Err(ApiError::bad_request(
                "idempotency_key_required",
                "Checkout needs an Idempotency-Key header (1 to 255 characters).",
            ))
        }
    };
    let body = axum::body::to_bytes(request.into_body(), crate::idempotency::MAX_BODY)
        .await
        .map_err(|e| crate::idempotency::body_error(e, crate::idempotency::MAX_BODY))?;
    let req: CheckoutRequest = crate::error::parse_json(&body)?;
    req.validate().map_err(ApiError::Validation)?;

    // An order this key already wrote: the request ran before and its process
    // died (the idempotency layer let this retry take its claim over). Finish
    // that order rather than failing on a cart it has closed.
    let order_id = match orders::by_checkout_key(&state.db, &cart_id, &key).await? {
        Some((order_id, true)) => {
            let order = orders::load(&mut *state.db.acquire().await?, OrderKey::Internal(order_id)).await?;
            crate::mail::confirm(&state, order_id).await;
            return Ok(created(&order));
        }
        Some((order_id, false)) => order_id,
        None => reserve(&state, &cart_id, &req, &key).await?,
    };
    charge(&state, &cart_id, order_id, req.payment_token.trim()).await
}

/// Phase two: charges the pending order's total; an approval marks it paid and
/// sends the confirmation, a decline puts everything back.
async fn charge(state: &AppState, cart_id: &str, order_id: i64, token: &str) -> Result<Response, ApiError> {
    let pending = orders::load(&mut *state.db.acquire().await?, OrderKey::Internal(order_id)).await?;
    // The order number doubles as the provider's reference: a real provider
    // dedupes charges by it, so a resumed order is never charged twice.
    let charge = Charge {
        amount_minor: pending.total_minor,
        currency: pending.currency.clone(),
        token: token.to_string(),
        reference: pending.number.clone(),
    };
    // A test order never reaches a real provider: the test one approves or
    // declines by token, so every path of the checkout can be tried.
    let provider: &dyn crate::payments::PaymentProvider =
        if pending.test { &crate::payments::TestProvider } else { state.payments.as_ref() };
    let attempt =
        Attempt { cart_id, amount_minor: pending.total_minor, currency: &pending.currency, provider: provider.name() };
    match provider.charge(charge).await {
        Outcome::Approved { reference } => {
            // Only this order's rows: no need to queue behind other checkouts.
            let mut tx = crate::db::begin_own_rows(&state.writer).await?;
            sqlx::query("UPDATE orders SET payment_status = 'paid', payment_reference = $1 WHERE id = $2")
                .bind(&reference)
                .bind(order_id)
                .execute(&mut *tx)
                .await?;
            attempt.log(&mut tx, "approved", Some(&reference), None).await?;
            let order = orders::load(&mut tx, OrderKey::Internal(order_id)).await?;
            tx.commit().await?;
            if !order.test {
                publish_stock(state, &order).await;
            }
            crate::mail::confirm(state, order_id).await;
            Ok(created(&order))
        }
        Outcome::Declined { code, message } => {
            let mut tx = crate::db::begin_write(&state.writer).await?;
            orders::revert(&mut tx, order_id).await?;
            attempt.log(&mut tx, "declined", None, Some(&code)).await?;
            tx.commit().await?;
            Err(ApiError::PaymentDeclined { code, message })
        }
    }
}

fn created(order: &vetrina_wire::Order) -> Response {
    let body = serde_json::to_string(order).unwrap_or_else(|_| unreachable!("wire types always serialize"));
    (StatusCode::CREATED, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Phase one: takes the stock and writes a pending order, or changes nothing.
async fn reserve(state: &AppState, cart_id: &str, req: &CheckoutRequest, key: &str) -> Result<i64, ApiError> {
    let mut conn = state.writer.acquire().await?;
    let mut tx = crate::db::begin_write_on(&mut conn).await?;
    let (show_id, sandbox) = open_cart_show(&mut tx, cart_id).await?;
    let cart = load_cart(&mut tx, cart_id).await?;
    if cart.lines.is_empty() {
        return Err(ApiError::conflict("cart_empty", "The cart is empty."));
    }
    check_buyer_limits(&mut tx, cart_id, &req.email).await?;
    for line in &cart.lines {
        if let Some(offer) = line.offer_id {
            offers::check_buyer(&mut tx, offer, &req.email, i64::from(line.quantity)).await?;
        }
    }
    for line in &cart.lines {
        // A test order is refused exactly when a real one would be, but takes nothing.
        let take = if sandbox { 0 } else { i64::from(line.quantity) };
        let updated = sqlx::query("UPDATE variants SET stock = stock - $1 WHERE id = $2 AND stock >= $3")
            .bind(take)
            .bind(line.variant_id)
            .bind(i64::from(line.quantity))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if updated == 0 {
            // Dropping `tx` rolls back the decrements already made for earlier lines.
            return Err(short_of_stock(&line.title, line.available));
        }
    }
    let now = now_ms();
    let number = orders::new_number(&mut tx).await?;
    let order_id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO orders (cart_id, show_id, email, name, address, currency, subtotal_minor, shipping_minor,
                             total_minor, created_at_ms, public_id, payment_status, number, checkout_key, test)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13, $14) RETURNING id",
    )
    .bind(cart_id)
    .bind(&show_id)
    .bind(req.email.trim())
    .bind(req.name.trim())
    .bind(serde_json::to_string(&req.address).unwrap_or_default())
    .bind(&cart.currency)
    .bind(cart.subtotal_minor)
    .bind(cart.shipping_minor)
    .bind(cart.total_minor)
    .bind(now)
    .bind(random_id())
    .bind(&number)
    .bind(key)
    .bind(i64::from(sandbox))
    .fetch_one(&mut *tx)
    .await?;
    for line in &cart.lines {
        sqlx::query(
            "INSERT INTO order_lines (order_id, variant_id, title, options, unit_price_minor, quantity, line_total_minor,
                                      offer_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(order_id)
        .bind(line.variant_id)
        .bind(&line.title)
        .bind(serde_json::to_string(&line.options).unwrap_or_default())
        .bind(line.unit_price_minor)
        .bind(i64::from(line.quantity))
        .bind(line.line_total_minor)
        .bind(line.offer_id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE carts SET status = 'ordered' WHERE id = $1").bind(cart_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(order_id)
}

/// A product's per-buyer limit counts this cart plus what the same email bought
/// before (test orders bought nothing).
async fn check_buyer_limits(conn: &mut AnyConnection, cart_id: &str, email: &str) -> Result<(), ApiError> {
    let limited = sqlx::query(
        "SELECT p.id, p.title, p.max_per_buyer, CAST(SUM(l.quantity) AS BIGINT) AS quantity FROM cart_lines l
         JOIN variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
         WHERE l.cart_id = $1 AND p.max_per_buyer IS NOT NULL GROUP BY p.id",
    )
    .bind(cart_id)
    .fetch_all(&mut *conn)
    .await?;
    for row in limited {
        let (product_id, title): (i64, String) = (row.get("id"), row.get("title"));
        let (max, quantity): (i64, i64) = (row.get("max_per_buyer"), row.get("quantity"));
        let bought: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(ol.quantity), 0) AS BIGINT) FROM order_lines ol
             JOIN orders o ON o.id = ol.order_id JOIN variants v ON v.id = ol.variant_id
             WHERE v.product_id = $1 AND lower(o.email) = lower($2) AND o.test = 0",
        )
        .bind(product_id)
        .bind(email.trim())
        .fetch_one(&mut *conn)
        .await?;
        if bought + quantity > max {
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

/// What a payment attempt is logged with.
struct Attempt<'a> {
    cart_id: &'a str,
    amount_minor: i64,
    currency: &'a str,
    provider: &'static str,
}

impl Attempt<'_> {
    async fn log(
        &self,
        conn: &mut AnyConnection,
        outcome: &str,
        reference: Option<&str>,
        reason: Option<&str>,
    ) -> Result<(), ApiError> {
        sqlx::query(
            "INSERT INTO payment_attempts (cart_id, provider, amount_minor, currency, outcome, reference, reason,
                                           created_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(self.cart_id)
        .bind(self.provider)
        .bind(self.amount_minor)
        .bind(self.currency)
        .bind(outcome)
        .bind(reference)
        .bind(reason)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// Tells every viewer the new stock of what was just sold.
async fn publish_stock(state: &AppState, order: &vetrina_wire::Order) {
    for line in &order.lines {
        let row: Result<(i64, i64), _> = sqlx::query_as("SELECT product_id, stock FROM variants WHERE id = $1")
            .bind(line.variant_id)
            .fetch_one(&state.db)
            .await;
        let Ok((product_id, stock)) = row else { continue };
        let event = ShowEvent::Stock { product_id, variant_id: line.variant_id, stock };
        if let Err(e) = crate::events::record(state, &order.show_id, event).await {
            tracing::warn!(error = %e, "could not publish a stock event");
        }
    }
}
