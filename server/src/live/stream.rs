//! A show's event stream as viewers read it: Server-Sent Events from the id
//! they already have (the backlog out of the database, then live events from
//! [`crate::live::events`]), and the whole pin timeline for a replay.
//!
//! Over a real socket the stream does not stay in hyper: the handler writes the
//! response head and the backlog itself, then parks the socket in its show's
//! room ([`crate::state::rooms`]), where an idle viewer costs a few hundred bytes
//! instead of a task and its buffers.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::{self, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast;
use vetrina_wire::EventEnvelope;

use crate::http::error::{ApiError, ApiPath, ApiQuery};
use crate::state::rooms::{self, Parked};
use crate::state::AppState;
use crate::store;

/// Backlog events read (and held) at a time.
const BACKLOG_PAGE: i64 = 500;

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
    let client = crate::state::net::client_ip_of(&headers, &extensions, &state.config);
    let slot = state
        .stream_slots
        .take(client, state.config.max_streams_per_client)
        .ok_or_else(|| ApiError::TooManyRequests(std::time::Duration::from_secs(5)))?;
    // The browser's own Last-Event-ID (sent on reconnect) wins over the `since` the
    // page put in the URL when it first connected.
    let header_since =
        headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    // The show first: an unknown one gets no channel (see `Hub::sweep`).
    let mut conn = state.db.acquire().await?;
    crate::live::shows::load_show(&mut conn, &show_id).await?;
    // Subscribe before reading the backlog so nothing falls between the two.
    let rx = state.hub.subscribe(&show_id);
    let since = match header_since.or(query.since) {
        Some(since) => since,
        // No position given: start from now (the snapshot carries the state so far).
        None => crate::live::shows::pinned_now(&mut conn, &show_id).await?.1,
    };
    // Read before the backlog, so every event up to it is in the backlog or still to be broadcast.
    let newest = store::events::newest(&mut conn, &show_id).await?;
    state.hub.seen(&show_id, newest);
    drop(conn);
    // The backlog a page at a time: a viewer resuming from 0 on a long show
    // makes the server hold one page, not the whole log.
    let first = crate::state::fanout::between(&state.db, &show_id, since, i64::MAX, BACKLOG_PAGE).await?;

    // Over a socket: write the head and the backlog here, then park the socket
    // in the show's room (see rooms.rs); hyper's answer below goes nowhere.
    if let Some(takeover) = extensions.get::<crate::state::net::Takeover>() {
        let mut head = String::from(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\
             transfer-encoding: chunked\r\n",
        );
        // What the middleware adds to every other answer (this one never passes it).
        for (name, value) in crate::http::security_headers_for(state.config.behind_tls) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(origin) = allowed_origin(&state, &headers) {
            head.push_str(&format!("access-control-allow-origin: {origin}\r\nvary: origin\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        let mut page = first;
        let mut last_sent = since;
        let written = loop {
            for frame in &page {
                bytes.extend(rooms::chunk(&frame.sse()));
            }
            last_sent = page.last().map_or(last_sent, |f| f.id);
            if takeover.write_all(&bytes).await.is_err() {
                break false;
            }
            bytes.clear();
            if page.len() < BACKLOG_PAGE as usize {
                break true;
            }
            match crate::state::fanout::between(&state.db, &show_id, last_sent, i64::MAX, BACKLOG_PAGE).await {
                Ok(next) => page = next,
                // The head is out: the viewer reconnects from what it has.
                Err(_) => break false,
            }
        };
        let room = state.hub.room(&show_id, state.config.heartbeat);
        if written {
            let parked = Parked { socket: None, last: last_sent, slot: Some(slot), connection: None };
            takeover.take(Box::new(move |socket, connection| {
                room.join(Parked { socket: Some(socket), connection, ..parked })
            }));
        }
        // The socket is taken: hyper writes this answer nowhere.
        return Ok(StatusCode::OK.into_response());
    }

    // The rest of the backlog, a page at a time, then the live events.
    let last_in_first = first.last().map_or(since, |f| f.id);
    let more = first.len() == BACKLOG_PAGE as usize;
    let db = state.db.clone();
    let show = show_id.clone();
    let pages = stream::unfold((last_in_first, more), move |(after, more)| {
        let (db, show) = (db.clone(), show.clone());
        async move {
            if !more {
                return None;
            }
            let page = crate::state::fanout::between(&db, &show, after, i64::MAX, BACKLOG_PAGE).await.ok()?;
            let next = (page.last().map_or(after, |f| f.id), page.len() == BACKLOG_PAGE as usize);
            (!page.is_empty()).then_some((stream::iter(page), next))
        }
    })
    .flatten();
    let backlog = stream::iter(first).chain(pages);
    // The slot travels with the stream and is freed when the stream is dropped.
    let live = stream::unfold((rx, slot), |(mut rx, slot)| async move {
        match rx.recv().await {
            Ok(frame) => Some((frame, (rx, slot))),
            // Fell behind: end the stream; the client reconnects with its
            // Last-Event-ID and the backlog query fills the gap.
            Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => None,
        }
    });
    // A live event the backlog already carried is sent once.
    let frames = backlog.chain(live).scan(since, |last, frame| {
        let new = frame.id > *last;
        *last = (*last).max(frame.id);
        std::future::ready(Some(new.then_some(frame)))
    });
    let frames = frames.filter_map(std::future::ready);
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
    crate::live::shows::load_show(&mut conn, &show_id).await?;
    let rows = store::events::pins(&mut conn, &show_id).await?;
    let events = rows.iter().filter_map(|data| serde_json::from_str(data).ok()).collect();
    Ok(Json(events))
}
