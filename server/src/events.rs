//! The pin timeline of each show and its Server-Sent Event stream.
//!
//! Every pin or unpin is first written to the `events` table, whose ids increase
//! monotonically, and only then broadcast. A viewer's stream is the backlog after
//! the id it already has (from `Last-Event-ID`, or `?since=` on first connect)
//! followed by live events, so a reconnect replays exactly what was missed.
//!
//! Each event is serialized once and the same bytes are shared by every
//! subscriber: fan-out costs a clone of an `Arc`, not a `serde_json` call per viewer.
//!
//! Several server processes on one Postgres database each hold their own
//! viewers. An event is written once, by whichever process took the request,
//! and published once on NATS (`--nats`); every other process delivers it to its
//! own viewers. Each event names the show's previous event (`prev`): a process
//! that sees a `prev` it never delivered (a message lost while NATS was away)
//! first reads the missing events from the database, so its viewers get every
//! event, in order, once. Writers are serialized (see [`crate::db`]), so ids are
//! committed in the order they are handed out and "everything up to this id" is
//! in the database when the id is published. A viewer who reconnects to another
//! process resumes from its `Last-Event-ID` out of the same database.
//!
//! Why NATS and not Postgres' LISTEN/NOTIFY: NOTIFY serializes committing
//! transactions on one global lock, the checkout's hot path under a drop; NATS
//! is a separate, small process (Debian's `nats-server`) that fans a message out
//! to every instance in well under a millisecond, and its edge servers can carry
//! the same subjects further out (README: one million viewers).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::{self, StreamExt};
use serde::Deserialize;
use sqlx::Row;
use tokio::sync::broadcast;
use vetrina_wire::{EventEnvelope, PinRequest, ShowEvent};

use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::util::{constant_time_eq, now_ms};
use crate::AppState;

/// An event ready to send: its id and its JSON, serialized once.
#[derive(Debug)]
pub struct Frame {
    pub id: i64,
    pub json: String,
}

impl Frame {
    /// The event as Server-Sent Events lines.
    pub fn sse(&self) -> String {
        format!("id: {}\ndata: {}\n\n", self.id, self.json)
    }
}

/// Per-show broadcast channels, plus the lock that keeps "write to the database"
/// and "broadcast" in the same order for every event (so no subscriber can see
/// id 6 before id 5 and then wrongly drop 5 as already seen).
#[derive(Clone, Default)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, Channel>>>,
    write_order: Arc<tokio::sync::Mutex<()>>,
    /// Where events are published for the other server processes; None: this
    /// process is the only one.
    pub nats: Option<async_nats::Client>,
    /// The NATS subject of this database's events (see [`join_cluster`]).
    subject: Arc<str>,
}

struct Channel {
    tx: broadcast::Sender<Arc<Frame>>,
    /// The show's parked streams (see [`crate::rooms`]); None until the first.
    room: Option<crate::rooms::Room>,
    /// The last event id broadcast here (every earlier one was broadcast, or is
    /// in every subscriber's backlog). None until the show's first subscriber.
    last: Option<i64>,
}

/// An event on its way to the other server processes.
#[derive(serde::Serialize, Deserialize)]
struct Published {
    show: String,
    /// The show's event before this one (0: none).
    prev: i64,
    id: i64,
    json: String,
}

/// How many events a slow subscriber may fall behind before its stream is closed
/// (it then reconnects and catches up from the database).
const CHANNEL_CAPACITY: usize = 256;

impl Hub {
    fn with_channel<T>(&self, show_id: &str, f: impl FnOnce(&mut Channel) -> T) -> T {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        let channel = channels.entry(show_id.to_string()).or_insert_with(|| Channel {
            tx: broadcast::channel(CHANNEL_CAPACITY).0,
            room: None,
            last: None,
        });
        f(channel)
    }

    pub fn subscribe(&self, show_id: &str) -> broadcast::Receiver<Arc<Frame>> {
        self.with_channel(show_id, |c| c.tx.subscribe())
    }

    /// A new subscriber has read the show's events up to `id` from the database:
    /// the first one tells the channel where it stands.
    fn seen(&self, show_id: &str, id: i64) {
        self.with_channel(show_id, |c| {
            c.last.get_or_insert(id);
        });
    }

    /// The show's room for parked streams, opened on first use.
    fn room(&self, show_id: &str, heartbeat: std::time::Duration) -> crate::rooms::Room {
        self.with_channel(show_id, |c| c.room.get_or_insert_with(|| crate::rooms::Room::open(heartbeat)).clone())
    }

    /// Every show with streams open here, and how many.
    fn open_streams(&self) -> Vec<(String, usize)> {
        let shows: Vec<String> = self.channels.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect();
        shows.into_iter().map(|show| (show.clone(), self.watching(&show))).collect()
    }

    /// How many event streams of the show are open now (on this process).
    pub fn watching(&self, show_id: &str) -> usize {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.get(show_id).map_or(0, |c| c.tx.receiver_count() + c.room.as_ref().map_or(0, |r| r.len()))
    }
}

/// Broadcasts `frame` (whose show's previous event is `prev`) to this process's
/// subscribers, after any events between that it never broadcast (read from the
/// database), and only once. Called with `write_order` held.
async fn deliver(state: &AppState, show_id: &str, prev: i64, frame: Frame) {
    let last = state.hub.with_channel(show_id, |c| c.last);
    let mut frames = Vec::new();
    match last {
        Some(last) if frame.id <= last => return,
        Some(last) if prev > last => match between(&state.db, show_id, last, frame.id).await {
            Ok(missed) => frames = missed,
            Err(e) => {
                tracing::warn!(error = %e, show_id, "could not read missed events; viewers will catch up on reconnect")
            }
        },
        _ => {}
    }
    frames.push(Arc::new(frame));
    state.hub.with_channel(show_id, |c| {
        for frame in frames {
            c.last = Some(frame.id);
            if let Some(room) = &c.room {
                room.send(frame.clone());
            }
            // No subscribers is fine: the event is in the database for whoever comes later.
            let _ = c.tx.send(frame);
        }
    });
}

/// How often an instance reports itself alive and the streams it holds, and how
/// long a report counts.
const REPORT_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
pub const REPORT_COUNTS_MS: i64 = 15_000;

/// Every few seconds: says this instance is alive (`instances`, see
/// [`crate::idempotency`]) and writes its open streams per show (`stream_counts`).
async fn report(state: AppState) {
    let instance = state.instance.clone();
    let mut every = tokio::time::interval(REPORT_EVERY);
    loop {
        every.tick().await;
        let alive = sqlx::query(
            "INSERT INTO instances (instance, seen_at_ms) VALUES ($1, $2)
             ON CONFLICT (instance) DO UPDATE SET seen_at_ms = excluded.seen_at_ms",
        )
        .bind(&*instance)
        .bind(now_ms())
        .execute(&state.db)
        .await;
        if let Err(e) = alive {
            tracing::warn!(error = %e, "could not report this instance alive");
        }
        for (show, streams) in state.hub.open_streams() {
            let written = sqlx::query(
                "INSERT INTO stream_counts (instance, show_id, streams, at_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (instance, show_id) DO UPDATE SET streams = excluded.streams, at_ms = excluded.at_ms",
            )
            .bind(&*instance)
            .bind(&show)
            .bind(i64::try_from(streams).unwrap_or(i64::MAX))
            .bind(now_ms())
            .execute(&state.db)
            .await;
            if let Err(e) = written {
                tracing::warn!(error = %e, "could not report this instance's open streams");
            }
        }
    }
}

/// Event streams of the show open now: on this process, plus (in a cluster)
/// what the other instances reported in the last few seconds.
pub async fn watching(state: &AppState, show_id: &str) -> Result<u64, ApiError> {
    let here = state.hub.watching(show_id) as u64;
    if state.hub.nats.is_none() {
        return Ok(here);
    }
    let others: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(streams), 0) AS BIGINT) FROM stream_counts
         WHERE show_id = $1 AND instance <> $2 AND at_ms > $3",
    )
    .bind(show_id)
    .bind(&*state.instance)
    .bind(now_ms() - REPORT_COUNTS_MS)
    .fetch_one(&state.db)
    .await?;
    Ok(here + u64::try_from(others).unwrap_or(0))
}

/// The show's events after `after` and before `before`, oldest first: a new
/// stream's backlog (`before`: none), or the gap an instance missed.
async fn between<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    show_id: &str,
    after: i64,
    before: i64,
) -> Result<Vec<Arc<Frame>>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, data FROM events WHERE show_id = $1 AND id > $2 AND id < $3 ORDER BY id")
        .bind(show_id)
        .bind(after)
        .bind(before)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|row| Arc::new(Frame { id: row.get("id"), json: row.get("data") })).collect())
}

/// Connects to NATS at `url`: this process's events are published there, and
/// every other process's events reach this one's viewers.
pub async fn join_cluster(state: &mut AppState, url: &str) -> Result<(), async_nats::ConnectError> {
    // no_echo: this process delivers its own events as it records them.
    let client = async_nats::ConnectOptions::new().no_echo().connect(url).await?;
    // One subject per database: two deployments (or test runs) sharing a NATS
    // server must not deliver each other's events. The name is made once, by
    // the first instance, and kept in the database.
    let named = async {
        sqlx::query("INSERT INTO cluster_name (singleton, name) VALUES (1, $1) ON CONFLICT DO NOTHING")
            .bind(crate::util::random_id())
            .execute(&state.db)
            .await?;
        sqlx::query_scalar::<_, String>("SELECT name FROM cluster_name").fetch_one(&state.db).await
    };
    let name = named.await.map_err(|e| std::io::Error::other(format!("naming the cluster: {e}")))?;
    state.hub.subject = format!("vetrina.{name}.events").into();
    let mut messages = match client.subscribe(state.hub.subject.to_string()).await {
        Ok(subscriber) => subscriber,
        Err(e) => return Err(std::io::Error::other(e.to_string()).into()),
    };
    state.hub.nats = Some(client);
    tokio::spawn(report(state.clone()));
    let state = state.clone();
    tokio::spawn(async move {
        while let Some(message) = messages.next().await {
            let Ok(p) = serde_json::from_slice::<Published>(&message.payload) else {
                tracing::warn!("dropped a malformed event from NATS");
                continue;
            };
            let _order = state.hub.write_order.lock().await;
            deliver(&state, &p.show, p.prev, Frame { id: p.id, json: p.json }).await;
        }
        tracing::error!("the NATS subscription ended: events from other instances no longer arrive");
    });
    Ok(())
}

/// Records an event and broadcasts it: the one way anything reaches a show's
/// stream. Pins and unpins are checked against the current pin state first.
pub async fn record(state: &AppState, show_id: &str, event: ShowEvent) -> Result<EventEnvelope, ApiError> {
    let _order = state.hub.write_order.lock().await;
    let mut tx = crate::db::begin_write(&state.writer).await?;
    let started_at_ms: i64 = sqlx::query_scalar("SELECT started_at_ms FROM shows WHERE id = $1")
        .bind(show_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("There is no show called '{show_id}'.")))?;
    if let Some(product_id) = event.product_id() {
        let belongs: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE id = $1 AND show_id = $2")
            .bind(product_id)
            .bind(show_id)
            .fetch_optional(&mut *tx)
            .await?;
        if belongs.is_none() {
            return Err(ApiError::NotFound(format!("Product {product_id} is not part of this show.")));
        }
    }
    if let ShowEvent::Pin { product_id } | ShowEvent::Unpin { product_id } = event {
        let latest: Option<String> = sqlx::query_scalar(
            "SELECT kind FROM events WHERE show_id = $1 AND product_id = $2 AND kind IN ('pin', 'unpin')
             ORDER BY id DESC LIMIT 1",
        )
        .bind(show_id)
        .bind(product_id)
        .fetch_optional(&mut *tx)
        .await?;
        let pinned = latest.as_deref() == Some("pin");
        match (&event, pinned) {
            (ShowEvent::Pin { .. }, true) => {
                return Err(ApiError::conflict("already_pinned", "That product is already pinned."))
            }
            (ShowEvent::Unpin { .. }, false) => {
                return Err(ApiError::conflict("not_pinned", "That product is not pinned."))
            }
            _ => {}
        }
    }
    let prev: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events WHERE show_id = $1")
        .bind(show_id)
        .fetch_one(&mut *tx)
        .await?;
    let now = now_ms();
    let stream_ms = (now - started_at_ms).max(0);
    let id: i64 = sqlx::query_scalar::<_, i64>(
        "INSERT INTO events (show_id, kind, product_id, stream_ms, data, created_at_ms) VALUES ($1, $2, $3, $4, '', $5) RETURNING id",
    )
    .bind(show_id)
    .bind(event.kind())
    .bind(event.product_id())
    .bind(stream_ms)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let envelope = EventEnvelope { id, show_id: show_id.to_string(), stream_ms, event };
    // Serialized once, here: the backlog and every live subscriber send these bytes.
    let json = to_json(&envelope);
    sqlx::query("UPDATE events SET data = $1 WHERE id = $2").bind(&json).bind(id).execute(&mut *tx).await?;
    tx.commit().await?;

    if let Some(nats) = &state.hub.nats {
        let published = Published { show: show_id.to_string(), prev, id, json: json.clone() };
        let payload = serde_json::to_vec(&published).unwrap_or_default();
        if let Err(e) = nats.publish(state.hub.subject.to_string(), payload.into()).await {
            // The other instances fill the gap from the database at the show's next event.
            tracing::warn!(error = %e, show_id, id, "could not publish an event to NATS");
        }
    }
    deliver(state, show_id, prev, Frame { id, json }).await;
    Ok(envelope)
}

fn to_json(envelope: &EventEnvelope) -> String {
    serde_json::to_string(envelope).unwrap_or_else(|_| unreachable!("wire types always serialize"))
}

/// Refuses a creator action beyond the show's pin rate.
async fn limit_pins(state: &AppState, show_id: &str) -> Result<(), ApiError> {
    state.pin_limits.check(show_id).await.map_err(ApiError::TooManyRequests)
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Checks `Authorization: Bearer <token>` against the show's creator token and
/// its expiry; answers when the token expires.
pub async fn authorize(state: &AppState, headers: &HeaderMap, show_id: &str) -> Result<i64, ApiError> {
    let presented = bearer(headers).ok_or(ApiError::Unauthorized)?;
    let row = sqlx::query("SELECT creator_token, token_expires_at_ms FROM shows WHERE id = $1")
        .bind(show_id)
        .fetch_optional(&state.db)
        .await?;
    // An unknown show answers like a wrong token: a viewer learns nothing either way.
    let Some(row) = row else { return Err(ApiError::Unauthorized) };
    let token: String = row.get("creator_token");
    let expires: i64 = row.get("token_expires_at_ms");
    if !constant_time_eq(token.as_bytes(), presented.as_bytes()) {
        Err(ApiError::Unauthorized)
    } else if now_ms() >= expires {
        // Only the token's holder learns that it expired.
        Err(ApiError::TokenExpired)
    } else {
        Ok(expires)
    }
}

/// `POST /api/shows/{show}/pins` (creator only).
pub async fn pin(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<PinRequest>,
) -> Result<(StatusCode, Json<EventEnvelope>), ApiError> {
    authorize(&state, &headers, &show_id).await?;
    limit_pins(&state, &show_id).await?;
    let envelope = record(&state, &show_id, ShowEvent::Pin { product_id: req.product_id }).await?;
    Ok((StatusCode::CREATED, Json(envelope)))
}

/// `DELETE /api/shows/{show}/pins/{product}` (creator only).
pub async fn unpin(
    State(state): State<AppState>,
    ApiPath((show_id, product_id)): ApiPath<(String, i64)>,
    headers: HeaderMap,
) -> Result<Json<EventEnvelope>, ApiError> {
    authorize(&state, &headers, &show_id).await?;
    limit_pins(&state, &show_id).await?;
    let envelope = record(&state, &show_id, ShowEvent::Unpin { product_id }).await?;
    Ok(Json(envelope))
}

#[derive(Deserialize)]
pub struct StreamQuery {
    since: Option<i64>,
}

/// The `Origin` of a browser on another site that may read the API, if this is one.
fn allowed_origin<'h>(state: &AppState, headers: &'h HeaderMap) -> Option<&'h str> {
    let origin = headers.get(axum::http::header::ORIGIN)?.to_str().ok()?;
    state.config.cors_origins.iter().any(|o| o == origin).then_some(origin)
}

/// `GET /api/shows/{show}/events`: the SSE stream.
pub async fn stream(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<StreamQuery>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
) -> Result<Response, ApiError> {
    if query.since.is_some_and(|s| !(0..=9_007_199_254_740_991).contains(&s)) {
        return Err(ApiError::bad_request("invalid_query", "`since` must be an event id: an integer from 0."));
    }
    let client = crate::net::client_ip_of(&headers, &extensions, &state.config);
    let slot = state
        .stream_slots
        .take(client, state.config.max_streams_per_client)
        .ok_or_else(|| ApiError::TooManyRequests(std::time::Duration::from_secs(5)))?;
    // The browser's own Last-Event-ID (sent on reconnect) wins over the `since` the
    // page put in the URL when it first connected.
    let header_since =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    // Subscribe before reading the backlog so nothing falls between the two.
    let rx = state.hub.subscribe(&show_id);
    let mut conn = state.db.acquire().await?;
    crate::catalog::load_show(&mut conn, &show_id).await?;
    let since = match header_since.or(query.since) {
        Some(since) => since,
        // No position given: start from now (the snapshot carries the state so far).
        None => crate::catalog::pinned_now(&mut conn, &show_id).await?.1,
    };
    // Read before the backlog, so every event up to it is in the backlog or still to be broadcast.
    let newest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events WHERE show_id = $1")
        .bind(&show_id)
        .fetch_one(&mut *conn)
        .await?;
    state.hub.seen(&show_id, newest);
    let backlog = between(&mut *conn, &show_id, since, i64::MAX).await?;
    drop(conn);
    let last_sent = backlog.last().map_or(since, |f| f.id);

    // Over a socket: write the head and the backlog here, then park the socket
    // in the show's room (see rooms.rs); hyper's answer below goes nowhere.
    if let Some(takeover) = extensions.get::<crate::net::Takeover>() {
        let mut head = String::from(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\
             transfer-encoding: chunked\r\nx-content-type-options: nosniff\r\n\
             referrer-policy: strict-origin-when-cross-origin\r\n",
        );
        if let Some(origin) = allowed_origin(&state, &headers) {
            head.push_str(&format!("access-control-allow-origin: {origin}\r\nvary: origin\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        for frame in &backlog {
            bytes.extend(crate::rooms::chunk(&frame.sse()));
        }
        let room = state.hub.room(&show_id, state.config.heartbeat);
        if takeover.write_all(&bytes).await.is_ok() {
            takeover.take(room, crate::rooms::Parked { socket: None, last: last_sent, slot: Some(slot) });
        }
        // The socket is taken: hyper writes this answer nowhere.
        return Ok(StatusCode::OK.into_response());
    }

    // The slot travels with the stream and is freed when the stream is dropped.
    let live = stream::unfold((rx, last_sent, slot), |(mut rx, last_sent, slot)| async move {
        loop {
            match rx.recv().await {
                Ok(frame) if frame.id <= last_sent => continue,
                Ok(frame) => {
                    let id = frame.id;
                    return Some((frame, (rx, id, slot)));
                }
                // Fell behind: end the stream; the client reconnects with its
                // Last-Event-ID and the backlog query fills the gap.
                Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let frames = stream::iter(backlog).chain(live);
    let events =
        frames.map(|frame| Ok::<_, Infallible>(Event::default().id(frame.id.to_string()).data(frame.json.as_str())));
    let heartbeat = KeepAlive::new().interval(state.config.heartbeat).text("keep-alive");
    Ok(Sse::new(events).keep_alive(heartbeat).into_response())
}

/// `GET /api/shows/{show}/timeline`: every pin and unpin, oldest first.
pub async fn timeline(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<String>,
) -> Result<Json<Vec<EventEnvelope>>, ApiError> {
    let mut conn = state.db.acquire().await?;
    crate::catalog::load_show(&mut conn, &show_id).await?;
    let rows = sqlx::query("SELECT data FROM events WHERE show_id = $1 AND kind IN ('pin', 'unpin') ORDER BY id")
        .bind(&show_id)
        .fetch_all(&mut *conn)
        .await?;
    let events = rows.iter().filter_map(|r| serde_json::from_str(&r.get::<String, _>("data")).ok()).collect();
    Ok(Json(events))
}
