//! Flash drops, and the units of each sold.

use sqlx::Row;
use vetrina_wire::Offer;

use super::{Conn, Result};

const SELECT: &str = "SELECT o.id, v.product_id, o.variant_id, o.price_minor, o.unit_cap, o.per_buyer,
                             o.starts_at_ms, o.ends_at_ms
                      FROM offers o JOIN variants v ON v.id = o.variant_id";

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

/// Whether a drop on the variant ends after `now_ms`.
pub async fn running(conn: &mut Conn, variant_id: i64, now_ms: i64) -> Result<bool> {
    let running: Option<i64> = sqlx::query_scalar("SELECT id FROM offers WHERE variant_id = $1 AND ends_at_ms > $2")
        .bind(variant_id)
        .bind(now_ms)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(running.is_some())
}

/// Writes the drop (its `id` is ignored); answers it with its id.
pub async fn insert(conn: &mut Conn, show_id: &str, offer: Offer, created_at_ms: i64) -> Result<Offer> {
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO offers (show_id, variant_id, price_minor, unit_cap, per_buyer, starts_at_ms, ends_at_ms,
                             created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(show_id)
    .bind(offer.variant_id)
    .bind(offer.price_minor)
    .bind(i64::from(offer.unit_cap))
    .bind(i64::from(offer.per_buyer))
    .bind(offer.starts_at_ms)
    .bind(offer.ends_at_ms)
    .bind(created_at_ms)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Offer { id, ..offer })
}

/// The show's drops that end after `after_ms`, oldest first.
pub async fn ending_after(conn: &mut Conn, show_id: &str, after_ms: i64) -> Result<Vec<Offer>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE o.show_id = $1 AND o.ends_at_ms > $2 ORDER BY o.id"))
        .bind(show_id)
        .bind(after_ms)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(offer_of).collect())
}

/// The drop, if it is on this variant of the cart's show.
pub async fn for_cart(conn: &mut Conn, offer_id: i64, variant_id: i64, cart_id: &str) -> Result<Option<Offer>> {
    let row = sqlx::query(&format!(
        "{SELECT} JOIN carts c ON c.show_id = o.show_id WHERE o.id = $1 AND o.variant_id = $2 AND c.id = $3"
    ))
    .bind(offer_id)
    .bind(variant_id)
    .bind(cart_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.as_ref().map(offer_of))
}

/// Units of a drop sold in real orders (a pending order's included: its stock
/// is taken; a declined one is deleted).
pub async fn sold(conn: &mut Conn, offer_id: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(ol.quantity), 0) AS BIGINT) FROM order_lines ol JOIN orders o ON o.id = ol.order_id
         WHERE ol.offer_id = $1 AND o.test = 0",
    )
    .bind(offer_id)
    .fetch_one(&mut *conn)
    .await
}

/// Units of the drop not yet sold (0 for no such drop), in one statement.
pub async fn left(conn: &mut Conn, offer_id: i64) -> Result<i64> {
    let left: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(o.unit_cap - (SELECT COALESCE(SUM(ol.quantity), 0) FROM order_lines ol
                                   JOIN orders r ON r.id = ol.order_id WHERE ol.offer_id = o.id AND r.test = 0)
                     AS BIGINT)
         FROM offers o WHERE o.id = $1",
    )
    .bind(offer_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(left.unwrap_or(0))
}

/// The drop's per-buyer limit, and how many of it the email has bought in real orders.
pub async fn bought(conn: &mut Conn, offer_id: i64, email: &str) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT o.per_buyer,
                (SELECT CAST(COALESCE(SUM(ol.quantity), 0) AS BIGINT) FROM order_lines ol JOIN orders r ON r.id = ol.order_id
                 WHERE ol.offer_id = o.id AND r.buyer = $1 AND r.test = 0) AS bought
         FROM offers o WHERE o.id = $2",
    )
    .bind(vetrina_wire::buyer_key(email))
    .bind(offer_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.get("per_buyer"), row.get("bought")))
}
