//! Orders, their lines and payment attempts; and the figures a creator sees
//! (totals per product, the latest orders).

use sqlx::Row;
use vetrina_wire::{Address, Order, OrderLine, PaymentStatus, ProductStats, ShowOrder, ShowOrderLine};

use super::{count, json_strings, json_text, Conn, Pool, Result};

/// How an order is looked up: by the store's id, or by the id the buyer holds.
#[derive(Clone, Copy)]
pub enum OrderKey<'a> {
    Internal(i64),
    Public(&'a str),
}

pub async fn load(conn: &mut Conn, key: OrderKey<'_>) -> Result<Option<Order>> {
    let select = "SELECT id, public_id, number, show_id, payment_status, email, name, currency, subtotal_minor,
                         shipping_minor, total_minor, created_at_ms, test, (SELECT CAST(COALESCE(SUM(amount_minor), 0)
                         AS BIGINT) FROM refunds WHERE order_id = orders.id AND status = 'succeeded') AS refunded
                  FROM orders";
    let row = match key {
        OrderKey::Internal(id) => {
            sqlx::query(&format!("{select} WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await?
        }
        OrderKey::Public(id) => {
            sqlx::query(&format!("{select} WHERE public_id = $1")).bind(id).fetch_optional(&mut *conn).await?
        }
    };
    let Some(row) = row else { return Ok(None) };
    let order_id: i64 = row.get("id");
    let lines = sqlx::query(
        "SELECT variant_id, title, options, unit_price_minor, quantity, line_total_minor FROM order_lines
         WHERE order_id = $1 ORDER BY rowid",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|l| OrderLine {
        variant_id: l.get("variant_id"),
        title: l.get("title"),
        options: json_strings(l.get("options")),
        unit_price_minor: l.get("unit_price_minor"),
        quantity: u32::try_from(l.get::<i64, _>("quantity")).unwrap_or(0),
        line_total_minor: l.get("line_total_minor"),
    })
    .collect();
    Ok(Some(Order {
        id: row.get("public_id"),
        number: row.get("number"),
        show_id: row.get("show_id"),
        payment_status: payment_status(
            &row.get::<String, _>("payment_status"),
            row.get("refunded"),
            row.get("total_minor"),
        ),
        email: row.get("email"),
        name: row.get("name"),
        currency: row.get("currency"),
        lines,
        subtotal_minor: row.get("subtotal_minor"),
        shipping_minor: row.get("shipping_minor"),
        total_minor: row.get("total_minor"),
        created_at_ms: row.get("created_at_ms"),
        test: row.get::<i64, _>("test") != 0,
    }))
}

/// An order's `payment_status` column, and what refunds gave back of its
/// total, as the wire says it.
fn payment_status(column: &str, refunded_minor: i64, total_minor: i64) -> PaymentStatus {
    match (column, refunded_minor) {
        ("paid", 0) => PaymentStatus::Paid,
        ("paid", r) if r >= total_minor => PaymentStatus::Refunded,
        ("paid", _) => PaymentStatus::PartiallyRefunded,
        _ => PaymentStatus::Pending,
    }
}

/// The order a checkout with this Idempotency-Key wrote for this cart, if any:
/// its id and whether it is paid.
pub async fn by_checkout_key(db: &Pool, cart_id: &str, key: &str) -> Result<Option<(i64, bool)>> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, payment_status FROM orders WHERE cart_id = $1 AND checkout_key = $2")
            .bind(cart_id)
            .bind(key)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id, status)| (id, status == "paid")))
}

pub async fn number_taken(conn: &mut Conn, number: &str) -> Result<bool> {
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM orders WHERE number = $1").bind(number).fetch_optional(&mut *conn).await?;
    Ok(taken.is_some())
}

/// A pending order to write.
pub struct NewOrder<'a> {
    pub cart_id: &'a str,
    pub show_id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub address: &'a Address,
    pub currency: &'a str,
    pub subtotal_minor: i64,
    pub shipping_minor: i64,
    pub total_minor: i64,
    pub created_at_ms: i64,
    pub public_id: &'a str,
    pub number: &'a str,
    /// The Idempotency-Key of the checkout that writes it.
    pub checkout_key: &'a str,
    pub test: bool,
    pub lines: Vec<NewLine<'a>>,
}

pub struct NewLine<'a> {
    pub variant_id: i64,
    pub title: &'a str,
    pub options: &'a [String],
    pub unit_price_minor: i64,
    pub quantity: i64,
    pub line_total_minor: i64,
    pub offer_id: Option<i64>,
}

/// Writes the order (payment pending) and its lines; answers its id.
pub async fn insert(conn: &mut Conn, order: &NewOrder<'_>) -> Result<i64> {
    let order_id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO orders (cart_id, show_id, email, name, address, currency, subtotal_minor, shipping_minor,
                             total_minor, created_at_ms, public_id, payment_status, number, checkout_key, test, buyer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13, $14, $15) RETURNING id",
    )
    .bind(order.cart_id)
    .bind(order.show_id)
    .bind(order.email)
    .bind(order.name)
    .bind(serde_json::to_string(order.address).unwrap_or_default())
    .bind(order.currency)
    .bind(order.subtotal_minor)
    .bind(order.shipping_minor)
    .bind(order.total_minor)
    .bind(order.created_at_ms)
    .bind(order.public_id)
    .bind(order.number)
    .bind(order.checkout_key)
    .bind(i64::from(order.test))
    .bind(vetrina_wire::buyer_key(order.email))
    .fetch_one(&mut *conn)
    .await?;
    for line in &order.lines {
        sqlx::query(
            "INSERT INTO order_lines (order_id, variant_id, title, options, unit_price_minor, quantity, line_total_minor,
                                      offer_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(order_id)
        .bind(line.variant_id)
        .bind(line.title)
        .bind(json_text(line.options))
        .bind(line.unit_price_minor)
        .bind(line.quantity)
        .bind(line.line_total_minor)
        .bind(line.offer_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(order_id)
}

pub async fn mark_paid(conn: &mut Conn, order_id: i64, reference: &str) -> Result<()> {
    sqlx::query("UPDATE orders SET payment_status = 'paid', payment_reference = $1 WHERE id = $2")
        .bind(reference)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A pending order's cart and whether it is a test order; `None` if the order
/// is not pending (paid, or gone).
pub async fn pending(conn: &mut Conn, order_id: i64) -> Result<Option<(String, bool)>> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT cart_id, test FROM orders WHERE id = $1 AND payment_status = 'pending'")
            .bind(order_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(cart, test)| (cart, test != 0)))
}

/// Puts the order's units back on its variants' stock, one variant at a time
/// in id order (the order checkouts take stock in, so neither waits on the other).
pub async fn restock(conn: &mut Conn, order_id: i64) -> Result<()> {
    let units: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT variant_id, CAST(SUM(quantity) AS BIGINT) FROM order_lines WHERE order_id = $1
         GROUP BY variant_id ORDER BY variant_id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    for (variant_id, quantity) in units {
        sqlx::query("UPDATE variants SET stock = stock + $1 WHERE id = $2")
            .bind(quantity)
            .bind(variant_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn delete(conn: &mut Conn, order_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM order_lines WHERE order_id = $1").bind(order_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM orders WHERE id = $1").bind(order_id).execute(&mut *conn).await?;
    Ok(())
}

/// Orders still waiting for their payment that were placed before `cutoff_ms`.
pub async fn pending_since(db: &Pool, cutoff_ms: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM orders WHERE payment_status = 'pending' AND created_at_ms < $1")
        .bind(cutoff_ms)
        .fetch_all(db)
        .await
}

/// A payment attempt, for the record.
pub struct Attempt<'a> {
    pub cart_id: &'a str,
    pub provider: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub outcome: &'a str,
    pub reference: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub at_ms: i64,
}

pub async fn log_attempt(conn: &mut Conn, a: &Attempt<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO payment_attempts (cart_id, provider, amount_minor, currency, outcome, reference, reason,
                                       created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(a.cart_id)
    .bind(a.provider)
    .bind(a.amount_minor)
    .bind(a.currency)
    .bind(a.outcome)
    .bind(a.reference)
    .bind(a.reason)
    .bind(a.at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Units of the product the buyer (an email, see `vetrina_wire::buyer_key`)
/// has bought (test orders bought nothing).
pub async fn bought(conn: &mut Conn, product_id: i64, email: &str) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(ol.quantity), 0) AS BIGINT) FROM order_lines ol
         JOIN orders o ON o.id = ol.order_id JOIN variants v ON v.id = ol.variant_id
         WHERE v.product_id = $1 AND o.buyer = $2 AND o.test = 0",
    )
    .bind(product_id)
    .bind(vetrina_wire::buyer_key(email))
    .fetch_one(&mut *conn)
    .await
}

/// How many real (not test) orders the show has.
pub async fn real_orders(conn: &mut Conn, show_id: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE show_id = $1 AND test = 0")
        .bind(show_id)
        .fetch_one(&mut *conn)
        .await
}

/// Paid real orders of the show: how many, and their revenue net of refunds.
pub async fn totals(conn: &mut Conn, show_id: &str) -> Result<(u64, i64)> {
    let (orders, revenue): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*) AS orders,
                CAST(COALESCE(SUM(total_minor), 0) - COALESCE((SELECT SUM(r.amount_minor) FROM refunds r
                     JOIN orders o ON o.id = r.order_id WHERE o.show_id = $1 AND o.test = 0
                     AND o.payment_status = 'paid' AND r.status = 'succeeded'), 0) AS BIGINT) AS revenue
         FROM orders WHERE show_id = $1 AND payment_status = 'paid' AND test = 0",
    )
    .bind(show_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((count(orders), revenue))
}

/// Per product touched: taps, adds, and what sold (paid real orders, net of
/// the units refunds gave back), best sellers first.
pub async fn product_stats(conn: &mut Conn, show_id: &str) -> Result<Vec<ProductStats>> {
    let rows = sqlx::query(
        "WITH back AS (
             SELECT r.order_id AS order_id, rl.variant_id AS variant_id, SUM(rl.quantity) AS units
             FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id WHERE r.status = 'succeeded'
             GROUP BY r.order_id, rl.variant_id),
         sales AS (
             SELECT v.product_id AS product, COUNT(DISTINCT o.id) AS orders,
                    CAST(SUM(l.quantity) - COALESCE(SUM(b.units), 0) AS BIGINT) AS units,
                    CAST(SUM(l.line_total_minor) - COALESCE(SUM(b.units * l.unit_price_minor), 0) AS BIGINT) AS revenue
             FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN variants v ON v.id = l.variant_id
             LEFT JOIN back b ON b.order_id = l.order_id AND b.variant_id = l.variant_id
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
    .bind(show_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| ProductStats {
            product_id: r.get("product"),
            taps: count(r.get("taps")),
            adds: count(r.get("adds")),
            orders: count(r.get("orders")),
            units: count(r.get("units")),
            revenue_minor: r.get("revenue"),
        })
        .collect())
}

/// The show's latest `limit` orders, newest first.
pub async fn latest(conn: &mut Conn, show_id: &str, limit: i64) -> Result<Vec<ShowOrder>> {
    let rows = sqlx::query(
        "SELECT id, number, created_at_ms, payment_status, name, email, total_minor, currency, confirmation_sent_at_ms, test,
                (SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_lines WHERE order_id = o.id) AS items,
                (SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM refunds
                 WHERE order_id = o.id AND status = 'succeeded') AS refunded
         FROM orders o WHERE show_id = $1 ORDER BY created_at_ms DESC, id DESC LIMIT $2",
    )
    .bind(show_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    let mut orders: Vec<ShowOrder> = rows
        .iter()
        .map(|r| ShowOrder {
            number: r.get::<Option<String>, _>("number").unwrap_or_default(),
            created_at_ms: r.get("created_at_ms"),
            payment_status: payment_status(
                &r.get::<String, _>("payment_status"),
                r.get("refunded"),
                r.get("total_minor"),
            ),
            name: r.get("name"),
            email: r.get("email"),
            items: count(r.get("items")),
            total_minor: r.get("total_minor"),
            refunded_minor: r.get("refunded"),
            currency: r.get("currency"),
            confirmation_sent_at_ms: r.get("confirmation_sent_at_ms"),
            test: r.get::<i64, _>("test") != 0,
            lines: Vec::new(),
        })
        .collect();
    // Their lines, in one query: what each holds and what refunds gave back.
    let lines = sqlx::query(
        "SELECT l.order_id AS order_id, l.variant_id AS variant_id, MIN(l.title) AS title, MIN(l.options) AS options,
                CAST(SUM(l.quantity) AS BIGINT) AS quantity,
                CAST(COALESCE((SELECT SUM(rl.quantity) FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id
                               WHERE r.order_id = l.order_id AND rl.variant_id = l.variant_id), 0) AS BIGINT) AS refunded
         FROM order_lines l
         WHERE l.order_id IN (SELECT id FROM orders WHERE show_id = $1 ORDER BY created_at_ms DESC, id DESC LIMIT $2)
         GROUP BY l.order_id, l.variant_id ORDER BY l.order_id, l.variant_id",
    )
    .bind(show_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    for (id, order) in ids.iter().zip(orders.iter_mut()) {
        order.lines = lines
            .iter()
            .filter(|l| l.get::<i64, _>("order_id") == *id)
            .map(|l| ShowOrderLine {
                variant_id: l.get("variant_id"),
                title: l.get("title"),
                options: json_strings(l.get("options")),
                quantity: u32::try_from(l.get::<i64, _>("quantity")).unwrap_or(0),
                refunded: u32::try_from(l.get::<i64, _>("refunded")).unwrap_or(0),
            })
            .collect();
    }
    Ok(orders)
}

/// What an order's confirmation needs beyond the order itself.
pub struct ToConfirm {
    pub paid: bool,
    pub sent: bool,
    /// As stored; the rule reading it decides what a bad one means.
    pub address: String,
    pub locale: String,
    pub show_title: String,
    /// Paid by the built-in test provider (no money moved).
    pub test_payment: bool,
}

pub async fn to_confirm(db: &Pool, order_id: i64) -> Result<Option<ToConfirm>> {
    let row = sqlx::query(
        "SELECT o.address, o.confirmation_sent_at_ms, o.payment_status, o.payment_reference, s.locale, s.title
         FROM orders o JOIN shows s ON s.id = o.show_id WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| ToConfirm {
        paid: r.get::<String, _>("payment_status") == "paid",
        sent: r.get::<Option<i64>, _>("confirmation_sent_at_ms").is_some(),
        address: r.get("address"),
        locale: r.get("locale"),
        show_title: r.get("title"),
        test_payment: r.get::<Option<String>, _>("payment_reference").is_none_or(|p| p.starts_with("test_")),
    }))
}

pub async fn mark_confirmed(db: &Pool, order_id: i64, at_ms: i64) -> Result<()> {
    sqlx::query("UPDATE orders SET confirmation_sent_at_ms = $1 WHERE id = $2 AND confirmation_sent_at_ms IS NULL")
        .bind(at_ms)
        .bind(order_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Paid orders placed before `cutoff_ms` whose confirmation has not gone.
pub async fn unconfirmed(db: &Pool, cutoff_ms: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM orders WHERE payment_status = 'paid' AND confirmation_sent_at_ms IS NULL
         AND created_at_ms < $1 ORDER BY id",
    )
    .bind(cutoff_ms)
    .fetch_all(db)
    .await
}

/// The order numbered `number`: its id and cart, if it exists.
pub async fn by_number(conn: &mut Conn, number: &str) -> Result<Option<(i64, String)>> {
    sqlx::query_as("SELECT id, cart_id FROM orders WHERE number = $1").bind(number).fetch_optional(&mut *conn).await
}
