//! The live origin's memory: for each show streaming through this server and
//! each rendition of its ladder, the init segment and the last few segments as
//! LL-HLS parts, and a signal that wakes everyone waiting for the next part.
//!
//! Memory is bounded: a track keeps [`KEEP_SEGMENTS`] segments of parts (the
//! live window; the whole show is on disk, the recording), and a part is
//! bounded by the packager's box limit. Waiters do not poll: they hold a
//! `watch` receiver, and a new part is one `send` that wakes them all at once.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use tokio::sync::watch;

/// Segments of parts kept per track: 6 × 2 s, the live window.
pub const KEEP_SEGMENTS: usize = 6;

/// A part: one encoder fragment.
#[derive(Debug, Clone)]
pub struct Part {
    pub bytes: Bytes,
    /// Seconds.
    pub duration: f64,
    pub independent: bool,
}

/// A segment: its parts so far, and once complete the recording's file for it.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Media sequence number.
    pub msn: u64,
    /// Wall-clock time of its first frame, Unix ms.
    pub date_ms: i64,
    pub parts: Vec<Part>,
    /// The file under the stream's folder holding the whole segment, once complete.
    pub file: Option<String>,
}

impl Segment {
    pub fn duration(&self) -> f64 {
        self.parts.iter().map(|p| p.duration).sum()
    }
}

/// One rendition being streamed.
#[derive(Debug, Clone)]
pub struct Track {
    pub init: Bytes,
    /// The init segment's file in the stream's folder.
    pub init_file: String,
    pub codec: String,
    /// Seconds: what every part stays within (PART-TARGET).
    pub part_target: f64,
    /// Seconds: the segment length aimed at (TARGETDURATION).
    pub segment_target: u32,
    pub segments: VecDeque<Segment>,
    /// The encoder left: no part will follow.
    pub ended: bool,
}

impl Track {
    /// `(msn, parts in it)` of the newest part, or `None` before the first.
    pub fn position(&self) -> Option<(u64, usize)> {
        self.segments.back().map(|s| (s.msn, s.parts.len()))
    }

    /// Whether part `part` of segment `msn` exists (a complete segment has them all;
    /// `part == None` asks for the whole segment).
    pub fn has(&self, msn: u64, part: Option<usize>) -> bool {
        self.segments.back().is_some_and(|last| match part {
            None => msn < last.msn || (msn == last.msn && last.file.is_some()),
            Some(p) => msn < last.msn || (msn == last.msn && (p < last.parts.len() || last.file.is_some())),
        })
    }

    pub fn part(&self, msn: u64, index: usize) -> Option<&Part> {
        self.segments.iter().find(|s| s.msn == msn)?.parts.get(index)
    }
}

struct Slot {
    track: Track,
    /// Bumped on every change (a part, a completed segment, the end).
    changed: watch::Sender<u64>,
    /// The last playlist answered, made once for everyone woken by one change.
    answer: Arc<tokio::sync::Mutex<Option<Answer>>>,
}

struct Answer {
    version: u64,
    made: std::time::Instant,
    text: Arc<str>,
}

/// How long one playlist text serves for the same version of the track (pins
/// from the database may change it without a new part).
const ANSWER_FRESH: std::time::Duration = std::time::Duration::from_millis(250);

/// Every track this server originates, by show and rendition.
#[derive(Clone, Default)]
pub struct Origin {
    tracks: Arc<Mutex<HashMap<(String, String), Slot>>>,
}

impl Origin {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Slot>> {
        // A panic while holding the lock leaves plain data behind: go on with it.
        self.tracks.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A rendition starts (again): its init segment, no parts yet.
    pub fn start(&self, show: &str, rendition: &str, track: Track) {
        let mut tracks = self.lock();
        match tracks.get_mut(&(show.to_string(), rendition.to_string())) {
            Some(slot) => {
                slot.track = track;
                slot.changed.send_modify(|n| *n += 1);
            }
            None => {
                let (changed, _) = watch::channel(0);
                let answer = Arc::default();
                tracks.insert((show.to_string(), rendition.to_string()), Slot { track, changed, answer });
            }
        }
    }

    /// Changes a track and wakes its waiters (nothing if it is not there).
    pub fn update(&self, show: &str, rendition: &str, change: impl FnOnce(&mut Track)) {
        let mut tracks = self.lock();
        if let Some(slot) = tracks.get_mut(&(show.to_string(), rendition.to_string())) {
            change(&mut slot.track);
            while slot.track.segments.len() > KEEP_SEGMENTS {
                slot.track.segments.pop_front();
            }
            slot.changed.send_modify(|n| *n += 1);
        }
    }

    /// A receiver that wakes on the track's next change.
    pub fn watch(&self, show: &str, rendition: &str) -> Option<watch::Receiver<u64>> {
        Some(self.lock().get(&(show.to_string(), rendition.to_string()))?.changed.subscribe())
    }

    /// Reads the track under the lock (no copy of its parts).
    pub fn read<T>(&self, show: &str, rendition: &str, f: impl FnOnce(&Track) -> T) -> Option<T> {
        self.lock().get(&(show.to_string(), rendition.to_string())).map(|s| f(&s.track))
    }

    /// The track's playlist as `make` writes it from the track, made once per
    /// change of the track (and at most every quarter second) however many
    /// ask at once: a crowd woken by one part costs one rendering and one
    /// look at the pins, not one each. `None` if the track is not there.
    pub async fn answer<E, Fut>(
        &self,
        show: &str,
        rendition: &str,
        make: impl FnOnce(Track) -> Fut,
    ) -> Option<Result<Arc<str>, E>>
    where
        Fut: std::future::Future<Output = Result<String, E>>,
    {
        let key = (show.to_string(), rendition.to_string());
        let cell = self.lock().get(&key)?.answer.clone();
        let mut last = cell.lock().await;
        let (track, version) = {
            let tracks = self.lock();
            let slot = tracks.get(&key)?;
            let version = *slot.changed.borrow();
            if let Some(a) = last.as_ref().filter(|a| a.version == version && a.made.elapsed() < ANSWER_FRESH) {
                return Some(Ok(a.text.clone()));
            }
            (slot.track.clone(), version)
        };
        let text: Arc<str> = match make(track).await {
            Ok(t) => t.into(),
            Err(e) => return Some(Err(e)),
        };
        *last = Some(Answer { version, made: std::time::Instant::now(), text: text.clone() });
        Some(Ok(text))
    }

    /// The renditions of a show, as `(name, codec)`.
    pub fn renditions(&self, show: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .lock()
            .iter()
            .filter(|((s, _), _)| s == show)
            .map(|((_, r), slot)| (r.clone(), slot.track.codec.clone()))
            .collect();
        out.sort();
        out
    }
}
