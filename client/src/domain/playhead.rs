//! Pins on the video's clock.
//!
//! A viewer's video runs seconds behind the host's camera, and a replay or a
//! seek can put it anywhere in the show. So what is pinned "now" for a viewer
//! is not the latest event received but a function of where their video is:
//! the pins whose time the playhead has reached, less the ones unpinned by then.
//!
//! [`Timeline`] keeps every pin and unpin with the stream time it was made at,
//! in stream-time order however the events arrived (live, replayed after a
//! reconnect, read from the playlist, fetched for a replay), each once.
//! [`Timeline::active_at`] answers "what is pinned at this playhead" for live,
//! late join, seek and replay alike. Times are milliseconds on one clock (for
//! HLS, program date-time; for a file, the show's start plus the offset).

/// One pin or unpin on the stream's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// The event's id: marks are unique by it.
    pub id: i64,
    pub product_id: i64,
    pub at_ms: i64,
    pub pinned: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    /// Sorted by (at_ms, id): the order things happened on the stream.
    marks: Vec<Mark>,
}

impl Timeline {
    /// Adds a mark wherever it belongs in time. Returns false for one already
    /// known (the same event from the stream and from the playlist, say).
    pub fn insert(&mut self, mark: Mark) -> bool {
        if self.marks.iter().any(|m| m.id == mark.id) {
            return false;
        }
        let at = self.marks.partition_point(|m| (m.at_ms, m.id) < (mark.at_ms, mark.id));
        self.marks.insert(at, mark);
        true
    }

    pub fn len(&self) -> usize {
        self.marks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }

    /// Products pinned at `playhead_ms`, most recently pinned first.
    pub fn active_at(&self, playhead_ms: i64) -> Vec<i64> {
        let mut active: Vec<i64> = Vec::new();
        for m in self.marks.iter().take_while(|m| m.at_ms <= playhead_ms) {
            active.retain(|&p| p != m.product_id);
            if m.pinned {
                active.insert(0, m.product_id);
            }
        }
        active
    }

    /// When, after `playhead_ms`, the answer of [`Timeline::active_at`] may next
    /// change: the overlay sleeps until the video gets there.
    pub fn next_change_after(&self, playhead_ms: i64) -> Option<i64> {
        let i = self.marks.partition_point(|m| m.at_ms <= playhead_ms);
        self.marks.get(i).map(|m| m.at_ms)
    }

    /// Product chapters for a replay: each pin, in stream order, with its time.
    pub fn chapters(&self) -> Vec<(i64, i64)> {
        self.marks.iter().filter(|m| m.pinned).map(|m| (m.product_id, m.at_ms)).collect()
    }
}

/// Whether a stream is HLS (a `.m3u8` playlist), by its URL.
pub fn is_hls(url: &str) -> bool {
    url.split(['?', '#']).next().is_some_and(|path| path.ends_with(".m3u8"))
}

/// Whether the overlay follows the video's clock for this show: HLS carries
/// program date-time, and a replay's file starts at the show's start. A live
/// show played from a plain file has no clock, so pins show as they arrive.
pub fn follows_video_clock(stream_url: &str, ended: bool) -> bool {
    is_hls(stream_url) || ended
}

/// A pin or unpin event as a mark on the stream's clock: the show's start
/// plus the event's stream time (the clock the playlist's program date-time
/// and its DATERANGEs use). Other events are not marks.
pub fn mark_of(envelope: &vetrina_wire::EventEnvelope, started_at_ms: i64) -> Option<Mark> {
    let (product_id, pinned) = match envelope.event {
        vetrina_wire::ShowEvent::Pin { product_id } => (product_id, true),
        vetrina_wire::ShowEvent::Unpin { product_id } => (product_id, false),
        _ => return None,
    };
    Some(Mark { id: envelope.id, product_id, at_ms: started_at_ms + envelope.stream_ms, pinned })
}

/// The marks of one EXT-X-DATERANGE the server wrote for a pin: its start,
/// and its end once unpinned. The end has no event id of its own in the
/// playlist; it takes the pin's, negated, so the same range read again is
/// still one mark (and the stream's own unpin event, equal in effect, is harmless).
pub fn marks_of_range(pin_event_id: i64, product_id: i64, start_ms: i64, end_ms: Option<i64>) -> Vec<Mark> {
    let mut marks = vec![Mark { id: pin_event_id, product_id, at_ms: start_ms, pinned: true }];
    if let Some(end) = end_ms {
        marks.push(Mark { id: -pin_event_id, product_id, at_ms: end, pinned: false });
    }
    marks
}

/// A chapter's time into the show: "4:05", or "1:02:09" past the hour.
pub fn clock_label(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The timeline as one viewer's video plays it. Each presented frame moves
/// the playhead; the active pins are worked out again only when that can
/// change the answer: the playhead reaches the next mark, jumps back (a seek),
/// or a new mark arrives. Between those, a frame costs one comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reveal {
    timeline: Timeline,
    playhead: Option<i64>,
    /// The first mark after the playhead, as of the last answer.
    next: Option<i64>,
    /// A mark arrived since the last answer.
    dirty: bool,
}

impl Reveal {
    /// Adds a mark (see [`Timeline::insert`]); false for one already known.
    pub fn insert(&mut self, mark: Mark) -> bool {
        let added = self.timeline.insert(mark);
        self.dirty |= added;
        added
    }

    /// Moves the playhead to `playhead_ms`. Returns the pins active there when
    /// they may differ from the last answer, `None` when they cannot.
    pub fn advance(&mut self, playhead_ms: i64) -> Option<Vec<i64>> {
        let due = self.dirty
            || match self.playhead {
                None => true,
                Some(before) => playhead_ms < before || self.next.is_some_and(|n| playhead_ms >= n),
            };
        self.playhead = Some(playhead_ms);
        if !due {
            return None;
        }
        self.dirty = false;
        self.next = self.timeline.next_change_after(playhead_ms);
        Some(self.timeline.active_at(playhead_ms))
    }

    /// Where the video was at its last frame, if it has shown one.
    pub fn playhead(&self) -> Option<i64> {
        self.playhead
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pin(id: i64, product_id: i64, at_ms: i64) -> Mark {
        Mark { id, product_id, at_ms, pinned: true }
    }
    fn unpin(id: i64, product_id: i64, at_ms: i64) -> Mark {
        Mark { id, product_id, at_ms, pinned: false }
    }

    fn timeline(marks: &[Mark]) -> Timeline {
        let mut t = Timeline::default();
        for m in marks {
            t.insert(*m);
        }
        t
    }

    #[test]
    fn pins_appear_when_the_playhead_reaches_them() {
        let t = timeline(&[pin(1, 10, 1_000), pin(2, 20, 5_000), unpin(3, 10, 8_000)]);
        assert_eq!(t.active_at(0), Vec::<i64>::new());
        assert_eq!(t.active_at(999), Vec::<i64>::new());
        assert_eq!(t.active_at(1_000), [10]);
        assert_eq!(t.active_at(6_000), [20, 10]);
        assert_eq!(t.active_at(8_000), [20]);
        // Seeking back shows that moment's pins again.
        assert_eq!(t.active_at(2_000), [10]);
    }

    #[test]
    fn a_repin_brings_the_product_back_to_the_front() {
        let t = timeline(&[pin(1, 10, 1_000), pin(2, 20, 2_000), unpin(3, 10, 3_000), pin(4, 10, 4_000)]);
        assert_eq!(t.active_at(3_500), [20]);
        assert_eq!(t.active_at(4_000), [10, 20]);
    }

    #[test]
    fn arrival_order_does_not_matter() {
        let marks = [pin(1, 10, 1_000), pin(2, 20, 2_000), unpin(3, 10, 3_000), pin(4, 30, 3_000), unpin(5, 20, 9_000)];
        let in_order = timeline(&marks);
        let mut reversed = marks;
        reversed.reverse();
        let mut shuffled = marks;
        shuffled.swap(0, 3);
        shuffled.swap(1, 4);
        for other in [timeline(&reversed), timeline(&shuffled)] {
            assert_eq!(other, in_order);
            for at in [0, 1_000, 2_500, 3_000, 5_000, 10_000] {
                assert_eq!(other.active_at(at), in_order.active_at(at), "at {at}");
            }
        }
    }

    #[test]
    fn duplicates_are_kept_once() {
        let mut t = timeline(&[pin(1, 10, 1_000)]);
        assert!(!t.insert(pin(1, 10, 1_000)));
        assert_eq!(t.len(), 1);
        assert_eq!(t.active_at(2_000), [10]);
    }

    #[test]
    fn same_time_events_apply_in_id_order() {
        // An unpin and a re-pin in the same millisecond: the later event wins.
        let t = timeline(&[pin(4, 10, 5_000), unpin(3, 10, 5_000), pin(1, 10, 1_000)]);
        assert_eq!(t.active_at(5_000), [10]);
    }

    #[test]
    fn the_next_change_and_the_chapters() {
        let t = timeline(&[pin(1, 10, 1_000), pin(2, 20, 5_000), unpin(3, 10, 8_000), pin(4, 10, 9_000)]);
        assert_eq!(t.next_change_after(0), Some(1_000));
        assert_eq!(t.next_change_after(1_000), Some(5_000));
        assert_eq!(t.next_change_after(9_000), None);
        assert_eq!(t.chapters(), [(10, 1_000), (20, 5_000), (10, 9_000)]);
        assert!(Timeline::default().is_empty());
    }

    #[test]
    fn reveal_answers_only_when_the_picture_can_change() {
        let mut r = Reveal::default();
        r.insert(pin(1, 10, 1_000));
        r.insert(pin(2, 20, 5_000));
        assert_eq!(r.advance(0), Some(vec![]));
        // Frames before the next mark cost nothing.
        assert_eq!(r.advance(40), None);
        assert_eq!(r.advance(999), None);
        assert_eq!(r.advance(1_000), Some(vec![10]));
        assert_eq!(r.advance(4_000), None);
        // A pin that arrives early waits for the video; one already passed shows at once.
        assert!(r.insert(pin(3, 30, 4_500)));
        assert_eq!(r.advance(4_040), Some(vec![10]));
        assert_eq!(r.advance(4_500), Some(vec![30, 10]));
        assert!(r.insert(pin(4, 40, 4_000)));
        assert!(!r.insert(pin(4, 40, 4_000)), "the same pin from the playlist and the stream");
        assert_eq!(r.advance(4_540), Some(vec![30, 40, 10]));
        // Seeking back shows that moment's pins.
        assert_eq!(r.advance(1_500), Some(vec![10]));
        assert_eq!(r.playhead(), Some(1_500));
        assert_eq!(r.timeline().len(), 4);
    }

    #[test]
    fn chapter_labels() {
        assert_eq!(clock_label(0), "0:00");
        assert_eq!(clock_label(245_900), "4:05");
        assert_eq!(clock_label(3_729_000), "1:02:09");
        assert_eq!(clock_label(-5), "0:00");
    }

    #[test]
    fn clocks_and_marks_from_events_and_ranges() {
        assert!(is_hls("/live/demo.m3u8"));
        assert!(is_hls("https://cdn.example/a.m3u8?token=1"));
        assert!(!is_hls("/media/demo.mp4"));
        assert!(!is_hls("/m3u8/video.mp4"));
        assert!(follows_video_clock("/live/demo.m3u8", false));
        assert!(follows_video_clock("/media/show.mp4", true));
        assert!(!follows_video_clock("/media/demo.mp4", false));

        let env = |id, event| vetrina_wire::EventEnvelope { id, show_id: "s".into(), stream_ms: 2_500, event };
        assert_eq!(mark_of(&env(7, vetrina_wire::ShowEvent::Pin { product_id: 3 }), 1_000), Some(pin(7, 3, 3_500)));
        assert_eq!(mark_of(&env(8, vetrina_wire::ShowEvent::Unpin { product_id: 3 }), 0), Some(unpin(8, 3, 2_500)));
        let status = vetrina_wire::ShowEvent::ShowStatus { status: vetrina_wire::ShowStatus::Ended };
        assert_eq!(mark_of(&env(9, status), 0), None);

        // The stream's pin event and the playlist's range for it are one pin.
        let mut r = Reveal::default();
        r.insert(mark_of(&env(7, vetrina_wire::ShowEvent::Pin { product_id: 3 }), 1_000).unwrap());
        for m in marks_of_range(7, 3, 3_500, Some(6_000)) {
            r.insert(m);
        }
        assert_eq!(r.timeline().len(), 2);
        assert_eq!(r.advance(4_000), Some(vec![3]));
        assert_eq!(r.advance(6_000), Some(vec![]));
    }
}
