//! What server instances sharing one database tell each other through it:
//! that they are alive, how many event streams each holds per show, and the
//! cluster's name (its NATS subject).

use super::{Pool, Result};

/// Records that `instance` was alive at `now_ms`.
pub async fn alive(db: &Pool, instance: &str, now_ms: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO instances (instance, seen_at_ms) VALUES ($1, $2)
         ON CONFLICT (instance) DO UPDATE SET seen_at_ms = excluded.seen_at_ms",
    )
    .bind(instance)
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// When `instance` last said it was alive.
pub async fn seen_at(db: &Pool, instance: &str) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT seen_at_ms FROM instances WHERE instance = $1").bind(instance).fetch_optional(db).await
}

/// Records how many streams of the show `instance` holds.
pub async fn report_streams(db: &Pool, instance: &str, show_id: &str, streams: u64, now_ms: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO stream_counts (instance, show_id, streams, at_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance, show_id) DO UPDATE SET streams = excluded.streams, at_ms = excluded.at_ms",
    )
    .bind(instance)
    .bind(show_id)
    .bind(i64::try_from(streams).unwrap_or(i64::MAX))
    .bind(now_ms)
    .execute(db)
    .await?;
    Ok(())
}

/// Streams of the show held by instances other than `instance`, as reported since `since_ms`.
pub async fn streams_elsewhere(db: &Pool, show_id: &str, instance: &str, since_ms: i64) -> Result<u64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(streams), 0) AS BIGINT) FROM stream_counts
         WHERE show_id = $1 AND instance <> $2 AND at_ms > $3",
    )
    .bind(show_id)
    .bind(instance)
    .bind(since_ms)
    .fetch_one(db)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The cluster's name: `candidate` if none was chosen before, else the one that was.
pub async fn name(db: &Pool, candidate: &str) -> Result<String> {
    sqlx::query("INSERT INTO cluster_name (singleton, name) VALUES (1, $1) ON CONFLICT DO NOTHING")
        .bind(candidate)
        .execute(db)
        .await?;
    sqlx::query_scalar("SELECT name FROM cluster_name").fetch_one(db).await
}
