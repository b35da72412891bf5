//! Carts and their lines. A line remembers the price the viewer saw when they
//! last changed it, and the flash drop it holds (until when).

use sqlx::Row;
use vetrina_wire::ShippingPolicy;

use super::{json_strings, Conn, Pool, Result};

pub async fn insert(conn: &mut Conn, cart_id: &str, show_id: &str, sandbox: bool, now_ms: i64) -> Result<()> {
    sqlx::query("INSERT INTO carts (id, show_id, created_at_ms, sandbox) VALUES ($1, $2, $3, $4)")
        .bind(cart_id)
        .bind(show_id)
        .bind(now_ms)
        .bind(i64::from(sandbox))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A cart as stored: the show's terms and the lines at the prices that apply now.
pub struct Stored {
    pub id: String,
    pub show_id: String,
    /// Not yet ordered.
    pub open: bool,
    /// A creator's test cart.
    pub sandbox: bool,
    pub currency: String,
    pub shipping: ShippingPolicy,
    pub lines: Vec<Line>,
}

pub struct Line {
    pub variant_id: i64,
    pub product_id: i64,
    pub title: String,
    pub options: Vec<String>,
    pub image_url: String,
    pub quantity: i64,
    /// The drop's price while the line holds one, else the variant's.
    pub unit_price_minor: i64,
    pub added_price_minor: Option<i64>,
    pub stock: i64,
    pub max_per_buyer: Option<i64>,
    /// The drop the line holds, and until when (only while it does).
    pub offer: Option<(i64, i64)>,
}

/// The cart without its lines (cheap: what every change checks first).
pub async fn head(conn: &mut Conn, cart_id: &str) -> Result<Option<(String, bool, bool)>> {
    let row = sqlx::query("SELECT show_id, status, sandbox FROM carts WHERE id = $1")
        .bind(cart_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| (r.get("show_id"), r.get::<String, _>("status") == "open", r.get::<i64, _>("sandbox") != 0)))
}

/// The cart and its lines, prices as of `now_ms`.
pub async fn load(conn: &mut Conn, cart_id: &str, now_ms: i64) -> Result<Option<Stored>> {
    let Some(cart) = sqlx::query(
        "SELECT c.id, c.show_id, c.status, c.sandbox, s.currency, s.shipping_flat_minor, s.shipping_free_from_minor
         FROM carts c JOIN shows s ON s.id = c.show_id WHERE c.id = $1",
    )
    .bind(cart_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
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
    .bind(now_ms)
    .bind(cart_id)
    .fetch_all(&mut *conn)
    .await?;
    let lines = rows
        .iter()
        .map(|r| Line {
            variant_id: r.get("variant_id"),
            product_id: r.get("product_id"),
            title: r.get("title"),
            options: json_strings(r.get("options")),
            image_url: r.get("image_url"),
            quantity: r.get("quantity"),
            unit_price_minor: r.get("price_minor"),
            added_price_minor: r.get("added_price_minor"),
            stock: r.get("stock"),
            max_per_buyer: r.get("max_per_buyer"),
            offer: r.get::<Option<i64>, _>("offer_id").zip(r.get::<Option<i64>, _>("held_until")),
        })
        .collect();
    Ok(Some(Stored {
        id: cart.get("id"),
        show_id: cart.get("show_id"),
        open: cart.get::<String, _>("status") == "open",
        sandbox: cart.get::<i64, _>("sandbox") != 0,
        currency: cart.get("currency"),
        shipping: ShippingPolicy {
            flat_minor: cart.get("shipping_flat_minor"),
            free_from_minor: cart.get("shipping_free_from_minor"),
        },
        lines,
    }))
}

/// A variant as a cart line sees it, if the cart's show sells it.
pub struct Offered {
    pub stock: i64,
    pub price_minor: i64,
    pub title: String,
    pub max_per_buyer: Option<i64>,
}

pub async fn offered(conn: &mut Conn, cart_id: &str, variant_id: i64) -> Result<Option<Offered>> {
    let row = sqlx::query(
        "SELECT v.stock, v.price_minor, p.title, p.max_per_buyer FROM variants v
         JOIN products p ON p.id = v.product_id
         JOIN carts c ON c.show_id = p.show_id
         WHERE v.id = $1 AND c.id = $2",
    )
    .bind(variant_id)
    .bind(cart_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| Offered {
        stock: r.get("stock"),
        price_minor: r.get("price_minor"),
        title: r.get("title"),
        max_per_buyer: r.get("max_per_buyer"),
    }))
}

/// The line of the variant: its quantity, and the drop it holds and until when
/// (whether or not the hold has run out).
pub async fn line(conn: &mut Conn, cart_id: &str, variant_id: i64) -> Result<Option<(i64, Option<(i64, i64)>)>> {
    let row: Option<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT quantity, offer_id, offer_held_until_ms FROM cart_lines WHERE cart_id = $1 AND variant_id = $2",
    )
    .bind(cart_id)
    .bind(variant_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(quantity, offer, until)| (quantity, offer.zip(until))))
}

/// What a line is set to.
pub struct SetLine<'a> {
    pub cart_id: &'a str,
    pub variant_id: i64,
    pub quantity: i64,
    pub now_ms: i64,
    /// The price the viewer sees now, which the line remembers.
    pub price_minor: i64,
    pub offer: Option<(i64, i64)>,
}

/// Starts the line or replaces it.
pub async fn put_line(conn: &mut Conn, line: &SetLine<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO cart_lines (cart_id, variant_id, quantity, added_at_ms, added_price_minor, offer_id,
                                 offer_held_until_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (cart_id, variant_id)
         DO UPDATE SET quantity = excluded.quantity, added_price_minor = excluded.added_price_minor,
                       offer_id = excluded.offer_id, offer_held_until_ms = excluded.offer_held_until_ms",
    )
    .bind(line.cart_id)
    .bind(line.variant_id)
    .bind(line.quantity)
    .bind(line.now_ms)
    .bind(line.price_minor)
    .bind(line.offer.map(|(offer, _)| offer))
    .bind(line.offer.map(|(_, until)| until))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes the line; false if there was none.
pub async fn delete_line(conn: &mut Conn, cart_id: &str, variant_id: i64) -> Result<bool> {
    let deleted = sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id = $2")
        .bind(cart_id)
        .bind(variant_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(deleted > 0)
}

/// Marks the cart ordered (`open` false) or open again.
pub async fn set_open(conn: &mut Conn, cart_id: &str, open: bool) -> Result<()> {
    sqlx::query("UPDATE carts SET status = $1 WHERE id = $2")
        .bind(if open { "open" } else { "ordered" })
        .bind(cart_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A product with a per-buyer limit, and how many of it the cart holds.
pub struct Limited {
    pub product_id: i64,
    pub title: String,
    pub max_per_buyer: i64,
    pub quantity: i64,
}

/// The cart's products that have a per-buyer limit.
pub async fn limited(conn: &mut Conn, cart_id: &str) -> Result<Vec<Limited>> {
    let rows = sqlx::query(
        "SELECT p.id, p.title, p.max_per_buyer, CAST(SUM(l.quantity) AS BIGINT) AS quantity FROM cart_lines l
         JOIN variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
         WHERE l.cart_id = $1 AND p.max_per_buyer IS NOT NULL GROUP BY p.id",
    )
    .bind(cart_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Limited {
            product_id: r.get("id"),
            title: r.get("title"),
            max_per_buyer: r.get("max_per_buyer"),
            quantity: r.get("quantity"),
        })
        .collect())
}

/// Deletes the open carts made before `before_ms` whose lines were all added
/// before it, and that no order or payment attempt names (with their lines);
/// answers how many.
pub async fn purge_abandoned(db: &Pool, before_ms: i64) -> Result<u64> {
    const ABANDONED: &str = "SELECT c.id FROM carts c WHERE c.status = 'open' AND c.created_at_ms < $1
           AND NOT EXISTS (SELECT 1 FROM cart_lines l WHERE l.cart_id = c.id AND l.added_at_ms >= $1)
           AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.cart_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM payment_attempts a WHERE a.cart_id = c.id)";
    let mut tx = db.begin().await?;
    sqlx::query(&format!("DELETE FROM cart_lines WHERE cart_id IN ({ABANDONED})"))
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
    let purged = sqlx::query(&format!("DELETE FROM carts WHERE id IN ({ABANDONED})"))
        .bind(before_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(purged)
}
