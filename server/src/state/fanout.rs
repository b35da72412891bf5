//! Each show's fan-out: the channels that carry its events to this process's
//! viewers, and (in a cluster) to every other process's.
//!
//! An event reaches the hub only after it is in the show's log (see
//! [`crate::live::events::record`]), and only once: a viewer's stream
//! ([`crate::live::stream`]) is the backlog after the id it already has
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
//! event, in order, once. A show's events are written one at a time (its lock,
//! [`crate::store::Lock::Show`]), so its ids are committed in the order they are handed out and "everything up to this id" is
//! in the database when the id is published. A viewer who reconnects to another
//! process resumes from its `Last-Event-ID` out of the same database.
//!
//! Why NATS and not Postgres' LISTEN/NOTIFY: NOTIFY serializes committing
//! transactions on one global lock, the checkout's hot path under a drop; NATS
//! is a separate, small process (Debian's `nats-server`) that fans a message out
//! to every instance in well under a millisecond, and its edge servers can carry
//! the same subjects further out (README: one million viewers).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::stream::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast;

use crate::state::rooms::{Frame, Room};
use crate::state::AppState;
use crate::store;
use crate::util::now_ms;

/// Per-show broadcast channels, each with the lock that keeps "write to the
/// database" and "broadcast" in the same order for every event of its show (so
/// no subscriber can see id 6 before id 5 and then wrongly drop 5 as already
/// seen); shows do not wait for each other.
#[derive(Clone, Default)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, Channel>>>,
    /// Where events are published for the other server processes; None: this
    /// process is the only one.
    pub nats: Option<async_nats::Client>,
    /// The NATS subject of this database's events (see [`join_cluster`]).
    subject: Arc<str>,
}

struct Channel {
    tx: broadcast::Sender<Arc<Frame>>,
    /// Held while one of the show's events is recorded and delivered.
    write_order: Arc<tokio::sync::Mutex<()>>,
    /// The show's parked streams (see [`crate::state::rooms`]); None until the first.
    room: Option<Room>,
    /// The last event id broadcast here (every earlier one was broadcast, or is
    /// in every subscriber's backlog). None until the show's first subscriber.
    last: Option<i64>,
    /// Found unused by the last [`Hub::sweep`].
    idle: bool,
}

impl Channel {
    /// Nobody listens, no stream is parked or on its way to the room, and no
    /// event is being recorded.
    fn unused(&self) -> bool {
        self.tx.receiver_count() == 0
            && Arc::strong_count(&self.write_order) == 1
            && self.room.as_ref().is_none_or(|r| !r.in_use())
    }
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
            write_order: Arc::default(),
            room: None,
            last: None,
            idle: false,
        });
        channel.idle = false;
        f(channel)
    }

    /// The lock that orders the show's events (see [`Hub`]): held from
    /// writing an event to the log until it is [`published`](Hub::publish).
    pub fn write_order(&self, show_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.with_channel(show_id, |c| c.write_order.clone())
    }

    /// Hands the show's event `id` (serialized as `json`; the show's event
    /// before it is `prev`) to the other processes and to this one's viewers.
    /// Called with the show's [`write_order`](Hub::write_order) held, after
    /// the event is committed to the log in `db`.
    pub async fn publish(&self, db: &store::Pool, show_id: &str, prev: i64, id: i64, json: String) {
        if let Some(nats) = &self.nats {
            let published = Published { show: show_id.to_string(), prev, id, json: json.clone() };
            let payload = serde_json::to_vec(&published).unwrap_or_default();
            if let Err(e) = nats.publish(self.subject.to_string(), payload.into()).await {
                // The other instances fill the gap from the database at the show's next event.
                tracing::warn!(error = %e, show_id, id, "could not publish an event to NATS");
            }
        }
        deliver(self, db, show_id, prev, Frame { id, json }).await;
    }

    pub fn subscribe(&self, show_id: &str) -> broadcast::Receiver<Arc<Frame>> {
        self.with_channel(show_id, |c| c.tx.subscribe())
    }

    /// A new subscriber has read the show's events up to `id` from the database:
    /// the first one tells the channel where it stands.
    pub fn seen(&self, show_id: &str, id: i64) {
        self.with_channel(show_id, |c| {
            c.last.get_or_insert(id);
        });
    }

    /// The show's room for parked streams, opened on first use.
    pub fn room(&self, show_id: &str, heartbeat: std::time::Duration) -> Room {
        self.with_channel(show_id, |c| c.room.get_or_insert_with(|| Room::open(heartbeat)).clone())
    }

    /// Every show with streams open here, and how many.
    fn open_streams(&self) -> Vec<(String, usize)> {
        let shows: Vec<String> = self.channels.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect();
        shows.into_iter().map(|show| (show.clone(), self.watching(&show))).collect()
    }

    /// How many shows have a channel here now.
    pub fn channels(&self) -> usize {
        self.channels.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Forgets the channels nobody has used since the sweep before (run every
    /// minute, see [`sweep_every`]): a show's channel lives while it has
    /// viewers, and a viewer of a show nobody watches costs nothing once gone.
    /// Its `last` goes with it; the next subscriber reads the database again.
    pub fn sweep(&self) {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.retain(|_, c| {
            let unused = c.unused();
            let keep = !(unused && c.idle);
            c.idle = unused;
            keep
        });
    }

    /// How many event streams of the show are open now (on this process).
    pub fn watching(&self, show_id: &str) -> usize {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.get(show_id).map_or(0, |c| c.tx.receiver_count() + c.room.as_ref().map_or(0, |r| r.len()))
    }
}

/// Broadcasts `frame` (whose show's previous event is `prev`) to this process's
/// subscribers, after any events between that it never broadcast (read from the
/// database), and only once. Called with the show's `write_order` held.
async fn deliver(hub: &Hub, db: &store::Pool, show_id: &str, prev: i64, frame: Frame) {
    let last = hub.with_channel(show_id, |c| c.last);
    let mut frames = Vec::new();
    match last {
        Some(last) if frame.id <= last => return,
        // A gap is what one instance missed while NATS was away: read whole.
        Some(last) if prev > last => match between(db, show_id, last, frame.id, i64::MAX).await {
            Ok(missed) => frames = missed,
            Err(e) => {
                tracing::warn!(error = %e, show_id, "could not read missed events; viewers will catch up on reconnect")
            }
        },
        _ => {}
    }
    frames.push(Arc::new(frame));
    hub.with_channel(show_id, |c| {
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

/// Sweeps the hub's unused channels every `period`, for good.
pub fn sweep_every(hub: Hub, period: std::time::Duration) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        loop {
            every.tick().await;
            hub.sweep();
        }
    });
}

/// How often an instance reports itself alive and the streams it holds, and how
/// long a report counts.
const REPORT_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
pub const REPORT_COUNTS_MS: i64 = 15_000;

/// Starts [`report`]ing: every server on Postgres does, in a cluster or not,
/// so a claim it leaves behind when it stops is taken over at once by the next
/// process, not after the 60 s a live owner gets.
pub fn start_reports(state: &AppState) {
    tokio::spawn(report(state.clone()));
}

/// Every few seconds: says this instance is alive (`instances`, see
/// [`crate::http::idempotency`]) and writes its open streams per show (`stream_counts`).
async fn report(state: AppState) {
    let instance = state.instance.clone();
    let mut every = tokio::time::interval(REPORT_EVERY);
    loop {
        every.tick().await;
        let alive = store::cluster::alive(&state.db, &instance, now_ms()).await;
        if let Err(e) = alive {
            tracing::warn!(error = %e, "could not report this instance alive");
        }
        // A show with none here is left to expire (a report counts for a few seconds).
        for (show, streams) in state.hub.open_streams().into_iter().filter(|(_, n)| *n > 0) {
            let streams = u64::try_from(streams).unwrap_or(u64::MAX);
            let written = store::cluster::report_streams(&state.db, &instance, &show, streams, now_ms()).await;
            if let Err(e) = written {
                tracing::warn!(error = %e, "could not report this instance's open streams");
            }
        }
    }
}

/// Event streams of the show open now: on this process, plus (in a cluster)
/// what the other instances reported in the last few seconds.
pub async fn watching(state: &AppState, show_id: &str) -> Result<u64, store::Error> {
    let here = state.hub.watching(show_id) as u64;
    if state.hub.nats.is_none() {
        return Ok(here);
    }
    let others =
        store::cluster::streams_elsewhere(&state.db, show_id, &state.instance, now_ms() - REPORT_COUNTS_MS).await?;
    Ok(here + others)
}

/// The show's events after `after` and before `before`, oldest first, at
/// most `limit`: a page of a new stream's backlog (`before`: none), or the gap
/// an instance missed.
pub async fn between(
    db: &store::Pool,
    show_id: &str,
    after: i64,
    before: i64,
    limit: i64,
) -> Result<Vec<Arc<Frame>>, store::Error> {
    let rows = store::events::between(db, show_id, after, before, limit).await?;
    Ok(rows.into_iter().map(|(id, json)| Arc::new(Frame { id, json })).collect())
}

/// Connects to NATS at `url`: this process's events are published there, and
/// every other process's events reach this one's viewers.
pub async fn join_cluster(state: &mut AppState, url: &str) -> Result<(), async_nats::ConnectError> {
    // no_echo: this process delivers its own events as it records them.
    let client = async_nats::ConnectOptions::new().no_echo().connect(url).await?;
    // One subject per database: two deployments (or test runs) sharing a NATS
    // server must not deliver each other's events. The name is made once, by
    // the first instance, and kept in the database.
    let named = store::cluster::name(&state.db, &crate::util::random_id()).await;
    let name = named.map_err(|e| std::io::Error::other(format!("naming the cluster: {e}")))?;
    state.hub.subject = format!("vetrina.{name}.events").into();
    let mut messages = match client.subscribe(state.hub.subject.to_string()).await {
        Ok(subscriber) => subscriber,
        Err(e) => return Err(std::io::Error::other(e.to_string()).into()),
    };
    state.hub.nats = Some(client);
    start_reports(state);
    let state = state.clone();
    tokio::spawn(async move {
        while let Some(message) = messages.next().await {
            let Ok(p) = serde_json::from_slice::<Published>(&message.payload) else {
                tracing::warn!("dropped a malformed event from NATS");
                continue;
            };
            let order = state.hub.write_order(&p.show);
            let _order = order.lock().await;
            deliver(&state.hub, &state.db, &p.show, p.prev, Frame { id: p.id, json: p.json }).await;
        }
        tracing::error!("the NATS subscription ended: events from other instances no longer arrive");
    });
    Ok(())
}
