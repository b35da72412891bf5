//! Event streams held without a task or buffers per viewer.
//!
//! A viewer watching a show mostly waits: an idle stream should cost little
//! more than its socket. An HTTP connection served by hyper keeps a task, its
//! read and write buffers and the response's state, about 19 KiB per idle
//! stream. So once a stream's response head and backlog are written (see
//! [`crate::live::stream::stream`] and [`crate::state::net::Takeover`]), the socket leaves
//! hyper and is *parked* in its show's room: a plain non-blocking socket and the
//! id of the last event it was sent, about 50 bytes.
//!
//! One task per show (the room) writes each event, already framed as an HTTP
//! chunk, to every parked socket with one non-blocking `write` each, on a
//! blocking-pool thread. A socket that cannot take a whole frame at once (its
//! viewer stopped reading and the kernel's buffer is full) is closed: the
//! browser reconnects with `Last-Event-ID` and catches up from the database, as
//! after any dropped connection. Heartbeats go the same way, and a write that
//! fails finds the viewers who left.

use std::collections::VecDeque;
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::state::net::{Connection, Slot};

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

/// Recent events a room keeps for sockets joining it: a stream joins a moment
/// after reading its backlog, and whatever was sent meanwhile comes from here.
const RECENT: usize = 256;

/// A socket whose stream has been handed over to its show's room.
pub struct Parked {
    /// Set when hyper lets go of the socket (see [`crate::state::net::Takeover`]).
    pub socket: Option<TcpStream>,
    /// The last event id this viewer has (from the backlog, then from the room).
    pub last: i64,
    /// The client's stream slot, freed when the socket is dropped.
    pub slot: Option<Slot>,
    /// The socket's place among the server's connections, freed with it.
    pub connection: Option<Connection>,
}

enum Message {
    Frame(Arc<Frame>),
    Join(Parked),
}

/// One show's room: where its parked streams are written.
#[derive(Clone)]
pub struct Room {
    tx: mpsc::UnboundedSender<Message>,
    parked: Arc<AtomicUsize>,
}

impl Room {
    /// Starts the room's task; `heartbeat` is how often idle streams get a comment line.
    pub fn open(heartbeat: Duration) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let parked = Arc::new(AtomicUsize::new(0));
        tokio::spawn(run(rx, parked.clone(), heartbeat));
        Self { tx, parked }
    }

    /// Sends `frame` to every parked stream that does not have it yet.
    pub fn send(&self, frame: Arc<Frame>) {
        let _ = self.tx.send(Message::Frame(frame));
    }

    /// Parks a stream (its socket already has the response head and its backlog).
    pub fn join(&self, parked: Parked) {
        let _ = self.tx.send(Message::Join(parked));
    }

    /// Streams parked here now.
    pub fn len(&self) -> usize {
        self.parked.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Streams are parked here, or a stream holds the room to join it (this
    /// handle and the room's task hold the count; any other holder is such a stream).
    pub fn in_use(&self) -> bool {
        !self.is_empty() || Arc::strong_count(&self.parked) > 2
    }
}

#[derive(Default)]
struct State {
    parked: Vec<Parked>,
    recent: VecDeque<Arc<Frame>>,
    /// Whether `recent` has ever let an event go (then a stream whose last event
    /// is older than its oldest cannot be sure it has everything between).
    forgot: bool,
}

async fn run(mut rx: mpsc::UnboundedReceiver<Message>, count: Arc<AtomicUsize>, heartbeat: Duration) {
    let mut state = State::default();
    let mut beat = tokio::time::interval(heartbeat);
    beat.tick().await;
    loop {
        let mut batch = Vec::new();
        let mut heartbeat = false;
        tokio::select! {
            message = rx.recv() => match message {
                Some(m) => batch.push(m),
                None => return,
            },
            _ = beat.tick() => heartbeat = true,
        }
        // Everything already waiting goes in the same pass over the sockets.
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        let done = tokio::task::spawn_blocking(move || {
            for message in batch {
                match message {
                    Message::Frame(frame) => state.send(frame),
                    Message::Join(parked) => state.join(parked),
                }
            }
            if heartbeat {
                state.beat();
            }
            state
        })
        .await;
        match done {
            Ok(s) => state = s,
            Err(e) => {
                tracing::error!(error = %e, "a room's writer failed; its viewers reconnect");
                state = State::default();
            }
        }
        count.store(state.parked.len(), Ordering::Relaxed);
    }
}

impl State {
    fn send(&mut self, frame: Arc<Frame>) {
        let chunk = chunk(&frame.sse());
        self.parked.retain_mut(|p| {
            if frame.id <= p.last {
                return true;
            }
            p.last = frame.id;
            write_whole(p.socket.as_ref(), &chunk)
        });
        if self.recent.len() == RECENT {
            self.recent.pop_front();
            self.forgot = true;
        }
        self.recent.push_back(frame);
    }

    fn join(&mut self, mut parked: Parked) {
        if self.forgot && self.recent.front().is_some_and(|f| f.id > parked.last + 1) {
            // Events between may have gone by: the browser reconnects and reads them.
            return;
        }
        let since = parked.last;
        for frame in self.recent.iter().filter(|f| f.id > since) {
            if !write_whole(parked.socket.as_ref(), &chunk(&frame.sse())) {
                return;
            }
            parked.last = frame.id;
        }
        self.parked.push(parked);
    }

    fn beat(&mut self) {
        let chunk = chunk(": keep-alive\n\n");
        self.parked.retain(|p| write_whole(p.socket.as_ref(), &chunk));
    }
}

/// One HTTP/1.1 chunk of a chunked response body.
pub fn chunk(data: &str) -> Vec<u8> {
    format!("{:x}\r\n{data}\r\n", data.len()).into_bytes()
}

/// Writes all of `bytes` at once or reports failure (never blocks: the socket
/// is non-blocking; a partial write leaves a broken chunk, so the socket goes).
fn write_whole(socket: Option<&TcpStream>, bytes: &[u8]) -> bool {
    let Some(mut socket) = socket else { return false };
    matches!(socket.write(bytes), Ok(n) if n == bytes.len())
}
