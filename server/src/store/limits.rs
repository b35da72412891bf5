//! Rate-limit buckets shared by every instance (Postgres only: one SQLite
//! process keeps its buckets in memory).

use super::{Pool, Result};

/// A token bucket's rate.
pub struct Bucket<'a> {
    pub scope: &'a str,
    pub key: &'a str,
    pub burst: f64,
    pub per_second: f64,
}

/// Refills the bucket to `now_ms` and takes a token if there is one, in one
/// statement (so instances racing on one bucket cannot both take its last
/// token). Answers whether one was taken and the tokens left.
pub async fn take(db: &Pool, bucket: &Bucket<'_>, now_ms: i64) -> Result<(bool, f64)> {
    let (tokens, granted): (f64, i64) = sqlx::query_as(
        "INSERT INTO rate_buckets AS b (scope, key, tokens, at_ms, granted) VALUES ($1, $2, $3 - 1, $4, 1)
         ON CONFLICT (scope, key) DO UPDATE SET
           tokens = LEAST($3, b.tokens + GREATEST(0, $4 - b.at_ms) * $5 / 1000.0)
                    - CASE WHEN LEAST($3, b.tokens + GREATEST(0, $4 - b.at_ms) * $5 / 1000.0) >= 1 THEN 1 ELSE 0 END,
           granted = CASE WHEN LEAST($3, b.tokens + GREATEST(0, $4 - b.at_ms) * $5 / 1000.0) >= 1 THEN 1 ELSE 0 END,
           at_ms = GREATEST(b.at_ms, $4)
         RETURNING tokens, granted",
    )
    .bind(bucket.scope)
    .bind(bucket.key)
    .bind(bucket.burst)
    .bind(now_ms)
    .bind(bucket.per_second)
    .fetch_one(db)
    .await?;
    Ok((granted == 1, tokens))
}
