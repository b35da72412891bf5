//! Idempotency-Key on every mutating endpoint, as the IETF draft describes it.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use axum::http::StatusCode;
use common::{auth, call, seeded};
use vetrina_server::http::idempotency;

#[tokio::test]
async fn any_mutation_replays_for_the_same_key_and_body() {
    let s = seeded().await;
    let key = [("idempotency-key", "create-1")];
    let first = call(&s.router, "POST", "/api/carts", &key, Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = call(&s.router, "POST", "/api/carts", &key, Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body, "the same cart, not a second one");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let carts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM carts").fetch_one(&s.state.db).await.unwrap();
    assert_eq!(carts, 1);

    let other = call(&s.router, "POST", "/api/carts", &key, Some(r#"{"show_id":"demo" }"#)).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.json()["code"], "idempotency_key_reused");

    // Adding a line twice with one key adds it once.
    let cart = first.json()["id"].as_str().unwrap().to_string();
    let path = format!("/api/carts/{cart}/lines");
    let add_key = [("idempotency-key", "add-1")];
    for _ in 0..3 {
        let r = call(&s.router, "POST", &path, &add_key, Some(r#"{"variant_id":13,"quantity":1}"#)).await;
        assert_eq!(r.json()["item_count"], 1);
    }
    // The same key on another path is another operation.
    let (k, v) = auth();
    let r = call(
        &s.router,
        "POST",
        "/api/shows/demo/pins",
        &[(k, &v), ("idempotency-key", "add-1")],
        Some(r#"{"product_id":1}"#),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn failures_are_not_stored_and_a_running_request_is_409() {
    let s = seeded().await;
    let key = [("idempotency-key", "k")];
    let r = call(&s.router, "POST", "/api/carts", &key, Some(r#"{"show_id":"nope"}"#)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys").fetch_one(&s.state.db).await.unwrap();
    assert_eq!(rows, 0, "a failure leaves no record");

    // A claim whose request is still running (status 0) answers 409 with Retry-After.
    let now = vetrina_server::util::now_ms();
    let claim = |key: &'static str, owner: String| {
        let db = s.state.db.clone();
        async move {
            // A record keeps its request as a digest of the body.
            let body = r#"{"show_id":"demo"}"#;
            let request = format!("sha256:{}:{}", vetrina_server::util::sha256_hex(body.as_bytes()), body.len());
            sqlx::query(
                "INSERT INTO idempotency_keys (scope, key, request, status, response, created_at_ms, owner)
                 VALUES ('POST /api/carts', $1, $4, 0, '', $2, $3)",
            )
            .bind(key)
            .bind(now)
            .bind(owner)
            .bind(request)
            .execute(&db)
            .await
            .unwrap();
        }
    };
    // Claimed by this very process, just now.
    claim("busy", s.state.instance.to_string()).await;
    let r = call(&s.router, "POST", "/api/carts", &[("idempotency-key", "busy")], Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "idempotency_in_flight");
    assert_eq!(r.headers["retry-after"], "1");
    // One abandoned long ago (the process died mid-request) is taken over.
    sqlx::query("UPDATE idempotency_keys SET created_at_ms = $1 WHERE key = 'busy'")
        .bind(now - 120_000)
        .execute(&s.state.db)
        .await
        .unwrap();
    let r = call(&s.router, "POST", "/api/carts", &[("idempotency-key", "busy")], Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // One claimed just now by a process that has since stopped (on SQLite any
    // other process; in a cluster, one that stopped saying it is alive) is taken
    // over at once: a buyer whose checkout died with its server need not wait.
    claim("orphan", "stopped-instance".to_string()).await;
    if vetrina_server::store::Backend::of_pool(&s.state.db) == vetrina_server::store::Backend::Postgres {
        sqlx::query("INSERT INTO instances (instance, seen_at_ms) VALUES ('stopped-instance', $1)")
            .bind(now - 60_000)
            .execute(&s.state.db)
            .await
            .unwrap();
    }
    let r =
        call(&s.router, "POST", "/api/carts", &[("idempotency-key", "orphan")], Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let r = call(&s.router, "POST", "/api/carts", &[("idempotency-key", "")], Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let long = "x".repeat(256);
    let r = call(&s.router, "POST", "/api/carts", &[("idempotency-key", &long)], Some(r#"{"show_id":"demo"}"#)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn records_are_kept_at_least_a_day() {
    let s = seeded().await;
    let now = vetrina_server::util::now_ms();
    let hour = 3_600_000;
    for (key, age) in [("fresh", 1), ("a-day", 25), ("old", 49)] {
        sqlx::query(
            "INSERT INTO idempotency_keys (scope, key, request, status, response, created_at_ms)
             VALUES ('POST /api/carts', $1, '{}', 201, '{}', $2)",
        )
        .bind(key)
        .bind(now - age * hour)
        .execute(&s.state.db)
        .await
        .unwrap();
    }
    assert_eq!(idempotency::purge(&s.state.db, now).await.unwrap(), 1);
    let left: Vec<String> =
        sqlx::query_scalar("SELECT key FROM idempotency_keys ORDER BY key").fetch_all(&s.state.db).await.unwrap();
    assert_eq!(left, ["a-day", "fresh"]);
    assert!(idempotency::RETENTION.as_secs() >= 24 * 3600);
}
