//! Carts and checkout.
//!
//! The client sends only ids and quantities; every price, total and stock figure
//! is read from the database here. Checkout runs in one `BEGIN IMMEDIATE`
//! transaction: it takes SQLite's write lock first, so concurrent checkouts queue
//! up and each sees the stock the previous one left. The decrement itself is
//! guarded (`stock >= quantity`) and the schema's CHECK forbids negative stock.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sqlx::{Acquire, Row, SqliteConnection};
use vetrina_wire::{
    AddLine, Cart, CartLine, CheckoutRequest, CreateCart, Order, OrderLine, SetQuantity, IDEMPOTENCY_KEY_HEADER,
    MAX_LINE_QUANTITY,
};

use crate::catalog::json_strings;
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::util::{now_ms, random_id};
use crate::AppState;

/// Orders at or above this subtotal ship free; below it, a flat rate.
pub const FREE_SHIPPING_FROM_MINOR: i64 = 5000;
pub const FLAT_SHIPPING_MINOR: i64 = 490;

pub fn shipping_for(subtotal_minor: i64) -> i64 {
    if subtotal_minor == 0 || subtotal_minor >= FREE_SHIPPING_FROM_MINOR {
        0
    } else {
        FLAT_SHIPPING_MINOR
    }
}

/// `POST /api/carts`
pub async fn create(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<CreateCart>,
) -> Result<(StatusCode, Json<Cart>), ApiError> {
    let mut conn = state.db.acquire().await?;
    crate::catalog::load_show(&mut conn, &req.show_id).await?;
    let id = random_id();
    sqlx::query("INSERT INTO carts (id, show_id, created_at_ms) VALUES (?, ?, ?)")
        .bind(&id)
        .bind(&req.show_id)
        .bind(now_ms())
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
    let mut conn = state.db.acquire().await?;
    let mut tx = conn.begin().await?;
    open_cart_show(&mut tx, &cart_id).await?;
    let current: Option<i64> = sqlx::query_scalar("SELECT quantity FROM cart_lines WHERE cart_id = ? AND variant_id = ?")
        .bind(&cart_id)
        .bind(req.variant_id)
        .fetch_optional(&mut *tx)
        .await?;
    let wanted = current.unwrap_or(0) + i64::from(req.quantity);
    put_line(&mut tx, &cart_id, req.variant_id, wanted).await?;
    tx.commit().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

/// `PUT /api/carts/{cart}/lines/{variant}`: sets the quantity; 0 removes the line.
pub async fn set_quantity(
    State(state): State<AppState>,
    ApiPath((cart_id, variant_id)): ApiPath<(String, i64)>,
    ApiJson(req): ApiJson<SetQuantity>,
) -> Result<Json<Cart>, ApiError> {
    let mut conn = state.db.acquire().await?;
    let mut tx = conn.begin().await?;
    open_cart_show(&mut tx, &cart_id).await?;
    if req.quantity == 0 {
        delete_line(&mut tx, &cart_id, variant_id).await?;
    } else {
        put_line(&mut tx, &cart_id, variant_id, i64::from(req.quantity)).await?;
    }
    tx.commit().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

/// `DELETE /api/carts/{cart}/lines/{variant}`
pub async fn remove_line(
    State(state): State<AppState>,
    ApiPath((cart_id, variant_id)): ApiPath<(String, i64)>,
) -> Result<Json<Cart>, ApiError> {
    let mut conn = state.db.acquire().await?;
    let mut tx = conn.begin().await?;
    open_cart_show(&mut tx, &cart_id).await?;
    delete_line(&mut tx, &cart_id, variant_id).await?;
    tx.commit().await?;
    Ok(Json(load_cart(&mut conn, &cart_id).await?))
}

async fn delete_line(conn: &mut SqliteConnection, cart_id: &str, variant_id: i64) -> Result<(), ApiError> {
    let deleted = sqlx::query("DELETE FROM cart_lines WHERE cart_id = ? AND variant_id = ?")
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

/// The show of an open cart; errors for a missing cart or one already ordered.
async fn open_cart_show(conn: &mut SqliteConnection, cart_id: &str) -> Result<String, ApiError> {
    let row = sqlx::query("SELECT show_id, status FROM carts WHERE id = ?")
        .bind(cart_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(cart_not_found)?;
    if row.get::<String, _>("status") != "open" {
        return Err(ApiError::conflict("cart_closed", "This cart has already been ordered."));
    }
    Ok(row.get("show_id"))
}

fn cart_not_found() -> ApiError {
    ApiError::NotFound("That cart does not exist.".into())
}

/// Sets a line to `quantity` after checking the variant is of the cart's show, the
/// per-line limit, and the stock on hand now.
async fn put_line(conn: &mut SqliteConnection, cart_id: &str, variant_id: i64, quantity: i64) -> Result<(), ApiError> {
    let row = sqlx::query(
        "SELECT v.stock, p.title FROM variants v
         JOIN products p ON p.id = v.product_id
         JOIN carts c ON c.show_id = p.show_id
         WHERE v.id = ? AND c.id = ?",
    )
    .bind(variant_id)
    .bind(cart_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("Variant {variant_id} is not sold in this show.")))?;
    let stock: i64 = row.get("stock");
    let title: String = row.get("title");
    if quantity > i64::from(MAX_LINE_QUANTITY) {
        return Err(ApiError::unprocessable(
            "quantity_limit",
            format!("You can buy up to {MAX_LINE_QUANTITY} of {title}."),
        ));
    }
    if stock < quantity {
        return Err(short_of_stock(&title, stock));
    }
    sqlx::query(
        "INSERT INTO cart_lines (cart_id, variant_id, quantity, added_at_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = excluded.quantity",
    )
    .bind(cart_id)
    .bind(variant_id)
    .bind(quantity)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn short_of_stock(title: &str, left: i64) -> ApiError {
    if left <= 0 {
        ApiError::conflict("sold_out", format!("{title} is sold out."))
    } else {
        ApiError::conflict("insufficient_stock", format!("Only {left} of {title} left."))
    }
}

pub async fn load_cart(conn: &mut SqliteConnection, cart_id: &str) -> Result<Cart, ApiError> {
    let cart = sqlx::query(
        "SELECT c.id, c.show_id, c.status, s.currency FROM carts c JOIN shows s ON s.id = c.show_id WHERE c.id = ?",
    )
    .bind(cart_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(cart_not_found)?;
    if cart.get::<String, _>("status") != "open" {
        return Err(ApiError::NotFound("That cart has been ordered and is closed.".into()));
    }
    let rows = sqlx::query(
        "SELECT l.variant_id, l.quantity, v.product_id, v.options, v.price_minor, v.stock, p.title, p.image_url
         FROM cart_lines l
         JOIN variants v ON v.id = l.variant_id
         JOIN products p ON p.id = v.product_id
         WHERE l.cart_id = ? ORDER BY l.added_at_ms, l.variant_id",
    )
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
                line_total_minor: unit * quantity,
                available: r.get("stock"),
            }
        })
        .collect();
    let subtotal: i64 = lines.iter().map(|l| l.line_total_minor).sum();
    let shipping = shipping_for(subtotal);
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

/// `POST /api/carts/{cart}/checkout`, with an `Idempotency-Key` header.
///
/// A successful answer is stored under (cart, key): the same key with the same
/// body replays it byte for byte, with another body it is refused. Failures are
/// not stored, so a retry after, say, removing a sold-out line is judged afresh.
pub async fn checkout(
    State(state): State<AppState>,
    ApiPath(cart_id): ApiPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let key = headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            ApiError::bad_request("idempotency_key_required", "Checkout needs an Idempotency-Key header (1 to 255 characters).")
        })?
        .to_string();
    let req: CheckoutRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("The request body is not valid: {e}")))?;
    req.validate().map_err(ApiError::Validation)?;
    let request_text = String::from_utf8_lossy(&body).into_owned();

    let mut conn = state.db.acquire().await?;
    let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;

    let stored = sqlx::query("SELECT request, status, response FROM idempotency_keys WHERE scope = ? AND key = ?")
        .bind(&cart_id)
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(row) = stored {
        if row.get::<String, _>("request") != request_text {
            return Err(ApiError::unprocessable(
                "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request.",
            ));
        }
        let status = StatusCode::from_u16(row.get::<i64, _>("status") as u16).unwrap_or(StatusCode::OK);
        return Ok(json_response(status, row.get("response")));
    }

    let show_id = match open_cart_show(&mut tx, &cart_id).await {
        Ok(show_id) => show_id,
        Err(ApiError::Conflict { code: "cart_closed", .. }) => {
            return Err(ApiError::conflict(
                "cart_closed",
                "This cart has already been ordered (with a different Idempotency-Key).",
            ))
        }
        Err(e) => return Err(e),
    };
    let cart = load_cart(&mut tx, &cart_id).await?;
    if cart.lines.is_empty() {
        return Err(ApiError::conflict("cart_empty", "The cart is empty."));
    }
    for line in &cart.lines {
        let updated = sqlx::query("UPDATE variants SET stock = stock - ? WHERE id = ? AND stock >= ?")
            .bind(i64::from(line.quantity))
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
    let order_id = sqlx::query(
        "INSERT INTO orders (cart_id, show_id, email, name, address, currency, subtotal_minor, shipping_minor, total_minor, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&cart_id)
    .bind(&show_id)
    .bind(req.email.trim())
    .bind(req.name.trim())
    .bind(serde_json::to_string(&req.address).unwrap_or_default())
    .bind(&cart.currency)
    .bind(cart.subtotal_minor)
    .bind(cart.shipping_minor)
    .bind(cart.total_minor)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .last_insert_rowid();
    let number = format!("VT-{order_id:06}");
    sqlx::query("UPDATE orders SET number = ? WHERE id = ?")
        .bind(&number)
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
    for line in &cart.lines {
        sqlx::query(
            "INSERT INTO order_lines (order_id, variant_id, title, options, unit_price_minor, quantity, line_total_minor)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(order_id)
        .bind(line.variant_id)
        .bind(&line.title)
        .bind(serde_json::to_string(&line.options).unwrap_or_default())
        .bind(line.unit_price_minor)
        .bind(i64::from(line.quantity))
        .bind(line.line_total_minor)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE carts SET status = 'ordered' WHERE id = ?")
        .bind(&cart_id)
        .execute(&mut *tx)
        .await?;

    let order = Order {
        number,
        email: req.email.trim().to_string(),
        name: req.name.trim().to_string(),
        currency: cart.currency.clone(),
        lines: cart
            .lines
            .iter()
            .map(|l| OrderLine {
                variant_id: l.variant_id,
                title: l.title.clone(),
                options: l.options.clone(),
                unit_price_minor: l.unit_price_minor,
                quantity: l.quantity,
                line_total_minor: l.line_total_minor,
            })
            .collect(),
        subtotal_minor: cart.subtotal_minor,
        shipping_minor: cart.shipping_minor,
        total_minor: cart.total_minor,
        created_at_ms: now,
    };
    let response = serde_json::to_string(&order).unwrap_or_else(|_| unreachable!("wire types always serialize"));
    sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, request, status, response, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&cart_id)
    .bind(&key)
    .bind(&request_text)
    .bind(i64::from(StatusCode::CREATED.as_u16()))
    .bind(&response)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(json_response(StatusCode::CREATED, response))
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response()
}
