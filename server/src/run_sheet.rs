//! The creator's run sheet: the show's products in the order they will be
//! presented, each with a private note. The order is the catalogue's own, so
//! viewers' shelves follow it (from their next load: it is not an event);
//! notes never leave the creator's side of the API.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use vetrina_wire::{is_reordering, ProductNote, ProductOrder, RunSheetEntry, MAX_NOTE_CHARS};

use crate::error::{ApiError, ApiJson, ApiPath};
use crate::events::authorize;
use crate::AppState;

/// `GET /api/shows/{show}/run-sheet` (creator)
pub async fn get(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<RunSheetEntry>>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, note FROM products WHERE show_id = $1 ORDER BY position, id")
            .bind(&show_id)
            .fetch_all(&state.db)
            .await?;
    Ok(Json(rows.into_iter().map(|(product_id, note)| RunSheetEntry { product_id, note }).collect()))
}

/// `PUT /api/shows/{show}/products/{product}/note` (creator)
pub async fn set_note(
    State(state): State<AppState>,
    ApiPath((show_id, product_id)): ApiPath<(String, i64)>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ProductNote>,
) -> Result<Json<RunSheetEntry>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    let note = req.note.trim().to_string();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::invalid_field("note", format!("A note is at most {MAX_NOTE_CHARS} characters.")));
    }
    let mut tx = crate::db::begin_write(&state.writer).await?;
    let updated = sqlx::query("UPDATE products SET note = $1 WHERE id = $2 AND show_id = $3")
        .bind(&note)
        .bind(product_id)
        .bind(&show_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(ApiError::NotFound(format!("Product {product_id} is not part of this show.")));
    }
    tx.commit().await?;
    Ok(Json(RunSheetEntry { product_id, note }))
}

/// `PUT /api/shows/{show}/product-order` (creator)
pub async fn set_order(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ProductOrder>,
) -> Result<Json<ProductOrder>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    let mut tx = crate::db::begin_write(&state.writer).await?;
    // Read inside the write transaction: an import meanwhile cannot slip a
    // product past the check.
    let current: Vec<i64> = sqlx::query_scalar("SELECT id FROM products WHERE show_id = $1 ORDER BY position, id")
        .bind(&show_id)
        .fetch_all(&mut *tx)
        .await?;
    if !is_reordering(&current, &req.product_ids) {
        return Err(ApiError::unprocessable(
            "not_a_reordering",
            "The new order must name every product of the show exactly once (products may have been added \
             meanwhile: load the run sheet again).",
        ));
    }
    for (position, id) in req.product_ids.iter().enumerate() {
        sqlx::query("UPDATE products SET position = $1 WHERE id = $2")
            .bind(position as i64)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Json(req))
}
