//! Idempotency records: who claimed a key, for which request, and (once it
//! finished well) the answer to replay.

use sqlx::Row;

use super::{Pool, Result};

/// A key's record.
pub struct Record {
    /// The request it was claimed for (method, path, credential, body digest).
    pub request: String,
    /// The answer's status; 0 while the request runs.
    pub status: i64,
    pub response: String,
    pub claimed_at_ms: i64,
    /// The instance running it (none on records older than owners).
    pub owner: Option<String>,
}

/// Claims the key for `request`; false if it has a record already.
pub async fn insert(db: &Pool, scope: &str, key: &str, request: &str, owner: &str, now_ms: i64) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, request, status, response, created_at_ms, owner)
         VALUES ($1, $2, $3, 0, '', $4, $5) ON CONFLICT (scope, key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(request)
    .bind(now_ms)
    .bind(owner)
    .execute(db)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

pub async fn get(db: &Pool, scope: &str, key: &str) -> Result<Option<Record>> {
    let row = sqlx::query(
        "SELECT request, status, response, created_at_ms, owner FROM idempotency_keys WHERE scope = $1 AND key = $2",
    )
    .bind(scope)
    .bind(key)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Record {
        request: r.get("request"),
        status: r.get("status"),
        response: r.get("response"),
        claimed_at_ms: r.get("created_at_ms"),
        owner: r.get("owner"),
    }))
}

/// The answer's status (0: still running), if the key has a record.
pub async fn status(db: &Pool, scope: &str, key: &str) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT status FROM idempotency_keys WHERE scope = $1 AND key = $2")
        .bind(scope)
        .bind(key)
        .fetch_optional(db)
        .await
}

/// Takes over an unfinished claim made at `claimed_at_ms`; false if it has
/// finished or someone else took it over meanwhile.
pub async fn take_over(
    db: &Pool,
    scope: &str,
    key: &str,
    claimed_at_ms: i64,
    owner: &str,
    now_ms: i64,
) -> Result<bool> {
    let taken = sqlx::query(
        "UPDATE idempotency_keys SET created_at_ms = $1, owner = $2
         WHERE scope = $3 AND key = $4 AND status = 0 AND created_at_ms = $5",
    )
    .bind(now_ms)
    .bind(owner)
    .bind(scope)
    .bind(key)
    .bind(claimed_at_ms)
    .execute(db)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// Stores the answer to replay.
pub async fn finish(db: &Pool, scope: &str, key: &str, status: u16, response: &str) -> Result<()> {
    sqlx::query("UPDATE idempotency_keys SET status = $1, response = $2 WHERE scope = $3 AND key = $4")
        .bind(i64::from(status))
        .bind(response)
        .bind(scope)
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets an unfinished claim (its request failed and changed nothing).
pub async fn release(db: &Pool, scope: &str, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status = 0")
        .bind(scope)
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes records claimed before `cutoff_ms`.
pub async fn purge(db: &Pool, cutoff_ms: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at_ms < $1")
        .bind(cutoff_ms)
        .execute(db)
        .await?
        .rows_affected())
}
