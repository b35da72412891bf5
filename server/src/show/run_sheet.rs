//! The creator's run sheet: the show's products in the order they will be
//! presented, each with a private note. The order is the catalogue's own, so
//! viewers' shelves follow it (from their next load: it is not an event);
//! notes never leave the creator's side of the API.

use axum::extract::State;
use axum::Json;
use vetrina_wire::{is_reordering, ProductNote, ProductOrder, RunSheetEntry};

use crate::http::auth::Creator;
use crate::http::error::{ApiError, ApiPath, Valid};
use crate::state::AppState;
use crate::store;

/// `GET /api/shows/{show}/run-sheet` (creator)
pub async fn get(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
) -> Result<Json<Vec<RunSheetEntry>>, ApiError> {
    let rows = store::catalogue::notes(&state.db, &show_id).await?;
    Ok(Json(rows.into_iter().map(|(product_id, note)| RunSheetEntry { product_id, note }).collect()))
}

/// `PUT /api/shows/{show}/products/{product}/note` (creator)
pub async fn set_note(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath((show_id, product_id)): ApiPath<(String, i64)>,
    Valid(req): Valid<ProductNote>,
) -> Result<Json<RunSheetEntry>, ApiError> {
    let note = req.note.trim().to_string();
    let mut tx = crate::store::begin_write(&state.writer).await?;
    let updated = store::catalogue::set_note(&mut tx, &show_id, product_id, &note).await?;
    if !updated {
        return Err(ApiError::NotFound(format!("Product {product_id} is not part of this show.")));
    }
    tx.commit().await?;
    Ok(Json(RunSheetEntry { product_id, note }))
}

/// `PUT /api/shows/{show}/product-order` (creator)
pub async fn set_order(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
    Valid(req): Valid<ProductOrder>,
) -> Result<Json<ProductOrder>, ApiError> {
    let mut tx = crate::store::begin_write(&state.writer).await?;
    // Read inside the write transaction: an import meanwhile cannot slip a
    // product past the check.
    let current = store::catalogue::product_ids(&mut tx, &show_id).await?;
    if !is_reordering(&current, &req.product_ids) {
        return Err(ApiError::unprocessable(
            "not_a_reordering",
            "The new order must name every product of the show exactly once (products may have been added \
             meanwhile: load the run sheet again).",
        ));
    }
    store::catalogue::set_order(&mut tx, &req.product_ids).await?;
    tx.commit().await?;
    Ok(Json(req))
}
