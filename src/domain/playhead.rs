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
}
