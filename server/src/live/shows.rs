//! The show a request names: read, or answered 404, for every layer above.
//! The one place the show-id rule guards a lookup.

use vetrina_wire::Show;

use crate::http::error::ApiError;
use crate::store;

/// The show called `show_id`, or a 404 that names it.
pub async fn load_show(conn: &mut store::Conn, show_id: &str) -> Result<Show, ApiError> {
    let missing = || ApiError::NotFound(format!("There is no show called '{}'.", show_id.escape_debug()));
    // Not a show id at all (a NUL, which Postgres could not even look up, or
    // kilobytes of text): no lookup.
    if !crate::util::is_show_id(show_id) {
        return Err(missing());
    }
    store::shows::load(conn, show_id).await?.ok_or_else(missing)
}

/// Pinned product ids (latest pin first) and the newest event id of the show.
pub async fn pinned_now(conn: &mut store::Conn, show_id: &str) -> Result<(Vec<i64>, i64), ApiError> {
    let pinned = store::events::pinned(conn, show_id).await?;
    let last = store::events::newest(conn, show_id).await?;
    Ok((pinned, last))
}
