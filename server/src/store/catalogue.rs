//! A show's products and their variants (prices, stock), in the run sheet's
//! order, with the creator's private notes.

use sqlx::Row;
use vetrina_wire::{Product, Variant};

use super::{json_strings, json_text, Conn, Pool, Result};

/// The show's products with their variants, in the run sheet's order.
pub async fn products(conn: &mut Conn, show_id: &str) -> Result<Vec<Product>> {
    let products = sqlx::query(
        "SELECT id, title, description, image_url, option_names, max_per_buyer FROM products
         WHERE show_id = $1 ORDER BY position, id",
    )
    .bind(show_id)
    .fetch_all(&mut *conn)
    .await?;
    let variants = sqlx::query(
        "SELECT v.id, v.product_id, v.options, v.price_minor, v.compare_at_minor, v.stock
         FROM variants v JOIN products p ON p.id = v.product_id
         WHERE p.show_id = $1 ORDER BY v.id",
    )
    .bind(show_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<Product> = products
        .iter()
        .map(|row| Product {
            id: row.get("id"),
            title: row.get("title"),
            description: row.get("description"),
            image_url: row.get("image_url"),
            option_names: json_strings(row.get("option_names")),
            variants: Vec::new(),
            max_per_buyer: row.get::<Option<i64>, _>("max_per_buyer").and_then(|m| u32::try_from(m).ok()),
        })
        .collect();
    // By id, not by scanning: a show of many products stays linear.
    let index: std::collections::HashMap<i64, usize> = out.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    for row in variants {
        let product_id: i64 = row.get("product_id");
        if let Some(p) = index.get(&product_id).and_then(|i| out.get_mut(*i)) {
            p.variants.push(Variant {
                id: row.get("id"),
                options: json_strings(row.get("options")),
                price_minor: row.get("price_minor"),
                compare_at_minor: row.get("compare_at_minor"),
                stock: row.get("stock"),
            });
        }
    }
    Ok(out)
}

/// How many products the show has.
pub async fn count(conn: &mut Conn, show_id: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE show_id = $1").bind(show_id).fetch_one(&mut *conn).await
}

/// The variant, if it is sold in the show, with its product's id.
pub async fn variant(conn: &mut Conn, show_id: &str, variant_id: i64) -> Result<Option<(i64, Variant)>> {
    let row = sqlx::query(
        "SELECT v.product_id, v.options, v.price_minor, v.compare_at_minor, v.stock FROM variants v
         JOIN products p ON p.id = v.product_id WHERE v.id = $1 AND p.show_id = $2",
    )
    .bind(variant_id)
    .bind(show_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|row| {
        let variant = Variant {
            id: variant_id,
            options: json_strings(row.get("options")),
            price_minor: row.get("price_minor"),
            compare_at_minor: row.get("compare_at_minor"),
            stock: row.get("stock"),
        };
        (row.get("product_id"), variant)
    }))
}

/// Changes to a variant; `None` leaves a field as it is.
pub struct VariantChanges {
    pub price_minor: Option<i64>,
    /// `Some(None)` clears it.
    pub compare_at_minor: Option<Option<i64>>,
    pub stock: Option<i64>,
}

/// Writes only the fields given, in one statement (a checkout taking stock
/// meanwhile is not undone by a price change); answers the variant after.
pub async fn update_variant(conn: &mut Conn, variant_id: i64, changes: &VariantChanges) -> Result<Variant> {
    let row = sqlx::query(
        "UPDATE variants SET price_minor = COALESCE($1, price_minor),
                             compare_at_minor = CASE WHEN $2 THEN $3 ELSE compare_at_minor END,
                             stock = COALESCE($4, stock)
         WHERE id = $5 RETURNING options, price_minor, compare_at_minor, stock",
    )
    .bind(changes.price_minor)
    .bind(changes.compare_at_minor.is_some())
    .bind(changes.compare_at_minor.flatten())
    .bind(changes.stock)
    .bind(variant_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Variant {
        id: variant_id,
        options: json_strings(row.get("options")),
        price_minor: row.get("price_minor"),
        compare_at_minor: row.get("compare_at_minor"),
        stock: row.get("stock"),
    })
}

/// The variant's product and its stock now.
pub async fn stock(db: &Pool, variant_id: i64) -> Result<Option<(i64, i64)>> {
    sqlx::query_as("SELECT product_id, stock FROM variants WHERE id = $1").bind(variant_id).fetch_optional(db).await
}

/// Takes `take` units of the variant if at least `needed` are on hand;
/// otherwise takes nothing and answers how many are (`Some`).
pub async fn take_stock(conn: &mut Conn, variant_id: i64, take: i64, needed: i64) -> Result<Option<i64>> {
    let mut left = 0;
    // The conditional UPDATE waits for the row's other writers and sees what
    // they left. Refused, a fresh read says how many are left, unless units
    // came back meanwhile (a declined payment): then it tries again.
    for _ in 0..3 {
        let updated = sqlx::query("UPDATE variants SET stock = stock - $1 WHERE id = $2 AND stock >= $3")
            .bind(take)
            .bind(variant_id)
            .bind(needed)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if updated == 1 {
            return Ok(None);
        }
        left = sqlx::query_scalar("SELECT stock FROM variants WHERE id = $1")
            .bind(variant_id)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(0);
        if left < needed {
            break;
        }
    }
    Ok(Some(left.min(needed - 1)))
}

/// Whether the product is one of the show's.
pub async fn has_product(conn: &mut Conn, show_id: &str, product_id: i64) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE id = $1 AND show_id = $2")
        .bind(product_id)
        .bind(show_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// The show's product ids in the run sheet's order.
pub async fn product_ids(conn: &mut Conn, show_id: &str) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM products WHERE show_id = $1 ORDER BY position, id")
        .bind(show_id)
        .fetch_all(&mut *conn)
        .await
}

/// Puts the products in this order (each id the show's).
pub async fn set_order(conn: &mut Conn, product_ids: &[i64]) -> Result<()> {
    for (position, id) in product_ids.iter().enumerate() {
        sqlx::query("UPDATE products SET position = $1 WHERE id = $2")
            .bind(position as i64)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Each product's note, in the run sheet's order.
pub async fn notes(db: &Pool, show_id: &str) -> Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, note FROM products WHERE show_id = $1 ORDER BY position, id")
        .bind(show_id)
        .fetch_all(db)
        .await
}

/// Sets the product's note; false if the product is not the show's.
pub async fn set_note(conn: &mut Conn, show_id: &str, product_id: i64, note: &str) -> Result<bool> {
    let updated = sqlx::query("UPDATE products SET note = $1 WHERE id = $2 AND show_id = $3")
        .bind(note)
        .bind(product_id)
        .bind(show_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(updated == 1)
}

/// A product to add, with its variants.
pub struct NewProduct<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub image_url: &'a str,
    pub option_names: &'a [String],
    pub max_per_buyer: Option<i64>,
    pub variants: Vec<NewVariant<'a>>,
}

pub struct NewVariant<'a> {
    pub options: &'a [String],
    pub price_minor: i64,
    pub compare_at_minor: Option<i64>,
    pub stock: i64,
    /// Its id on the brand's Shopify store, when it came from there.
    pub shopify_variant_id: Option<i64>,
}

/// Appends the products to the end of the show's run sheet; answers their ids.
pub async fn append(conn: &mut Conn, show_id: &str, products: &[NewProduct<'_>]) -> Result<Vec<i64>> {
    let mut position: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(position) + 1, 0) FROM products WHERE show_id = $1")
            .bind(show_id)
            .fetch_one(&mut *conn)
            .await?;
    let mut ids = Vec::with_capacity(products.len());
    for p in products {
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO products (show_id, position, title, description, image_url, option_names, max_per_buyer)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(show_id)
        .bind(position)
        .bind(p.title)
        .bind(p.description)
        .bind(p.image_url)
        .bind(json_text(p.option_names))
        .bind(p.max_per_buyer)
        .fetch_one(&mut *conn)
        .await?;
        position += 1;
        for v in &p.variants {
            sqlx::query(
                "INSERT INTO variants (product_id, options, price_minor, compare_at_minor, stock, shopify_variant_id)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(json_text(v.options))
            .bind(v.price_minor)
            .bind(v.compare_at_minor)
            .bind(v.stock)
            .bind(v.shopify_variant_id)
            .execute(&mut *conn)
            .await?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// The Shopify id of each of `variant_ids` that has one.
pub async fn shopify_ids(conn: &mut Conn, variant_ids: &[i64]) -> Result<std::collections::HashMap<i64, i64>> {
    let mut ids = std::collections::HashMap::new();
    for &id in variant_ids {
        let shopify: Option<Option<i64>> = sqlx::query_scalar("SELECT shopify_variant_id FROM variants WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(Some(shopify)) = shopify {
            ids.insert(id, shopify);
        }
    }
    Ok(ids)
}
