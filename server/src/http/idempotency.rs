//! `Idempotency-Key` for every mutating endpoint, with the semantics of Stripe
//! and the IETF draft (draft-ietf-httpapi-idempotency-key-header):
//!
//! - a key is scoped to its method, its path (which names the cart or show) and
//!   the caller's credential, if any;
//! - the first request with a key claims it, runs, and on success its response
//!   is stored: the same key and body then replays that response byte for byte
//!   (marked `Idempotent-Replayed: true`) without running anything;
//! - the same key with a different body answers 422; while the first request is
//!   still running, the retry waits for its answer (up to 5 s, then 409);
//! - once the server has a request's whole body, the request runs to its end
//!   whatever happens to the connection, and its answer is recorded: a phone
//!   that drops mid-request finds the finished result when it retries;
//! - a failed request changed nothing (handlers are transactional), so it is
//!   not stored and may be retried with the same key;
//! - records are kept for [`RETENTION`] (at least 24 hours), then purged;
//! - a record keeps no secret: the request is kept as a digest of its body
//!   (which may hold a payment token and an address), the caller as a digest
//!   of its credential, and an answer that holds a secret (a new token, marked
//!   [`Secret`]) is never stored, so never replayed: a retry runs again.
//!
//! Authorization comes first (see [`crate::http::auth::gate`]): a replay is only
//! ever given to a caller allowed to make the request now.
//!
//! Bodies are JSON, declared as such: a body of any other type (the
//! `text/plain` or form post another site's page can send without asking)
//! is refused with 415 before it is read.

use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::{self, claims, Pool};
use crate::util::now_ms;

pub const HEADER: &str = vetrina_wire::IDEMPOTENCY_KEY_HEADER;

/// How long a stored response is replayable (the IETF draft asks for at least 24 h).
pub const RETENTION: Duration = Duration::from_secs(48 * 3600);

/// A claim older than this whose request never finished (the process died
/// mid-request) may be taken over by a retry instead of answering 409 for ever.
/// A claim whose owner is known to have stopped is taken over at once: on
/// SQLite (one process) any other owner is an earlier run; on Postgres, an
/// instance that has not said it is alive for [`crate::state::fanout::REPORT_COUNTS_MS`].
const ABANDONED_MS: i64 = 60_000;

/// Largest request body the API takes (413 beyond)...
pub const MAX_BODY: usize = 64 * 1024;

/// ...but a catalogue file: a few hundred products with their descriptions
/// (`POST /api/shows/{show}/import`).
pub const MAX_IMPORT_BODY: usize = 8 * 1024 * 1024;

enum Claim {
    New,
    Replay(StatusCode, String),
    InFlight,
    Mismatch,
}

/// How long a retry waits for the first request with its key to finish before
/// answering 409: a phone that lost the answer to "Place order" and asks again
/// gets the order as soon as it exists, not an error to retry later.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(25);

/// Runs every mutating request to its end once the server has its whole body,
/// and gives `Idempotency-Key` its semantics (see the module docs).
///
/// Reading the body, claiming the key, the handler and the recording of its
/// answer run in a task of their own: a phone that enters a tunnel right after
/// "Place order" must still get its order, recorded under its key for the
/// retry, rather than a half-done write.
///
/// `limit` is the endpoint's largest body (see [`crate::Endpoint::body_limit`]);
/// the body must arrive within [`crate::state::Config::body_read_timeout`] (four times
/// that for a large one), so a client trickling a byte at a time holds nothing
/// for long.
pub async fn layer(State((state, limit)): State<(AppState, usize)>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    // Spawned before the body is read: hyper drops this future as soon as it
    // sees the client close, even with the whole body already in its buffer.
    match tokio::spawn(run_detached(state, limit, req, next)).await {
        Ok(response) => response,
        Err(e) => {
            // A panic: the claim stays open, so a retry after ABANDONED_MS takes it
            // over (and checkout resumes its pending order).
            tracing::error!(error = %e, "a request's task failed");
            ApiError::Internal("request task failed".into()).into_response()
        }
    }
}

/// An answer that holds a secret (a new token): its handler marks it so, and
/// it is never stored for replay.
#[derive(Clone, Copy)]
pub struct Secret;

/// Whether a request's declared body type is JSON (`application/json`, any parameters).
fn is_json(headers: &axum::http::HeaderMap) -> Option<bool> {
    let value = headers.get(axum::http::header::CONTENT_TYPE)?.to_str().unwrap_or("");
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    Some(essence == "application/json")
}

async fn run_detached(state: AppState, limit: usize, req: Request, next: Next) -> Response {
    if is_json(req.headers()) == Some(false) {
        return ApiError::UnsupportedMediaType.into_response();
    }
    let key = match req.headers().get(HEADER).map(|k| k.to_str().map(str::trim)) {
        None => None,
        Some(Ok(k)) if !k.is_empty() && k.len() <= 255 => Some(k.to_string()),
        Some(_) => {
            return ApiError::bad_request(
                "invalid_idempotency_key",
                "An Idempotency-Key must be 1 to 255 visible characters.",
            )
            .into_response()
        }
    };
    let (parts, body) = req.into_parts();
    // The full path (the API is nested under /api, which axum strips from `uri`).
    let path = parts.extensions.get::<axum::extract::OriginalUri>().map_or(parts.uri.path(), |o| o.0.path());
    let patience = state.config.body_read_timeout * if limit > MAX_BODY { 4 } else { 1 };
    let bytes = match tokio::time::timeout(patience, to_bytes(body, limit)).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return body_error(e, limit).into_response(),
        Err(_) => return ApiError::BodyTimeout.into_response(),
    };
    // A body without a declared type is not taken either.
    if !bytes.is_empty() && is_json(&parts.headers).is_none() {
        return ApiError::UnsupportedMediaType.into_response();
    }
    // A key belongs to its caller too: a request without the creator's token
    // must not replay (or be refused for) what the creator's request stored.
    let scope = match parts.headers.get(axum::http::header::AUTHORIZATION) {
        Some(auth) => format!("{} {} as {}", parts.method, path, &crate::util::sha256_hex(auth.as_bytes())[..32]),
        None => format!("{} {}", parts.method, path),
    };
    // What a retry's body is compared with: its digest, never the body itself.
    let request_text = format!("sha256:{}:{}", crate::util::sha256_hex(&bytes), bytes.len());

    let record = match key {
        None => None,
        Some(key) => match claim_or_wait(&state, &scope, &key, &request_text).await {
            Ok(Claim::New) => Some((scope, key)),
            Ok(Claim::Replay(status, body)) => {
                let mut r = (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response();
                r.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
                return r;
            }
            Ok(Claim::InFlight) => {
                let mut r = ApiError::conflict(
                    "idempotency_in_flight",
                    "A request with this Idempotency-Key is still being processed. Retry shortly.",
                )
                .into_response();
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from_static("1"));
                return r;
            }
            Ok(Claim::Mismatch) => {
                return ApiError::unprocessable(
                    "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different request.",
                )
                .into_response()
            }
            Err(e) => return e.into_response(),
        },
    };

    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    if let Some((scope, key)) = record {
        // An answer with a secret in it is forgotten like a failure: a retry runs anew.
        let keep = parts.status.is_success() && parts.extensions.get::<Secret>().is_none();
        finish(&state.writer, &scope, &key, keep.then_some((parts.status, &body[..]))).await;
    }
    Response::from_parts(parts, Body::from(body))
}

/// Stores an answer for replay (a success without a secret); or, with none,
/// forgets the claim (a failure changed nothing).
async fn finish(db: &Pool, scope: &str, key: &str, answer: Option<(StatusCode, &[u8])>) {
    let outcome = match answer {
        Some((status, body)) => claims::finish(db, scope, key, status.as_u16(), &String::from_utf8_lossy(body)).await,
        None => claims::release(db, scope, key).await,
    };
    if let Err(e) = outcome {
        // The request itself succeeded or failed cleanly; only its record is lost.
        tracing::error!(error = %e, %scope, "could not record the idempotent response");
    }
}

/// A body over `limit` is the client's to shrink (413); any other failure
/// to read it means the connection broke before the request was whole, so
/// nothing was run.
pub fn body_error(e: axum::Error, limit: usize) -> ApiError {
    let inner = e.into_inner();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&*inner);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return ApiError::PayloadTooLarge(limit);
        }
        source = err.source();
    }
    ApiError::bad_request("body_incomplete", "The request body did not arrive whole.")
}

/// Claims the key; if its first request is still running, waits up to
/// [`WAIT_FOR_FIRST`] for its answer (watching through the readers, so waiting
/// does not queue on the writer).
async fn claim_or_wait(state: &AppState, scope: &str, key: &str, request: &str) -> Result<Claim, ApiError> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        match claim(&state.writer, &state.instance, scope, key, request).await? {
            Claim::InFlight if tokio::time::Instant::now() < deadline => loop {
                tokio::time::sleep(POLL).await;
                let status = claims::status(&state.db, scope, key).await?;
                if status != Some(0) || tokio::time::Instant::now() >= deadline {
                    break;
                }
            },
            other => return Ok(other),
        }
    }
}

async fn claim(db: &Pool, me: &str, scope: &str, key: &str, request: &str) -> Result<Claim, ApiError> {
    let now = now_ms();
    if claims::insert(db, scope, key, request, me, now).await? {
        return Ok(Claim::New);
    }
    // Purged between the two statements: claim it afresh.
    let Some(record) = claims::get(db, scope, key).await? else {
        return Box::pin(claim(db, me, scope, key, request)).await;
    };
    if record.request != request {
        return Ok(Claim::Mismatch);
    }
    if record.status != 0 {
        let status = StatusCode::from_u16(record.status as u16).unwrap_or(StatusCode::OK);
        return Ok(Claim::Replay(status, record.response));
    }
    let owner_gone = match record.owner.as_deref() {
        Some(owner) if owner != me => stopped(db, owner, now).await?,
        _ => false,
    };
    if (owner_gone || now - record.claimed_at_ms > ABANDONED_MS)
        && claims::take_over(db, scope, key, record.claimed_at_ms, me, now).await?
    {
        return Ok(Claim::New);
    }
    Ok(Claim::InFlight)
}

/// Whether the server process `owner` (not this one) has stopped. On SQLite
/// only one process uses the database, so another owner was an earlier run; on
/// Postgres, an instance that has not reported itself alive lately (every
/// server on Postgres reports, see [`crate::state::fanout::start_reports`]; an owner
/// never seen, as in tests without reports, is not known to have stopped).
async fn stopped(db: &Pool, owner: &str, now: i64) -> Result<bool, store::Error> {
    if crate::store::Backend::of_pool(db) == crate::store::Backend::Sqlite {
        return Ok(true);
    }
    let seen = crate::store::cluster::seen_at(db, owner).await?;
    Ok(seen.is_some_and(|seen| now - seen > crate::state::fanout::REPORT_COUNTS_MS))
}

/// Deletes records older than [`RETENTION`]; run periodically.
pub async fn purge(db: &Pool, now_ms: i64) -> Result<u64, store::Error> {
    claims::purge(db, now_ms - RETENTION.as_millis() as i64).await
}
