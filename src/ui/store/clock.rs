//! The video's clock: pins revealed as the viewer's own video reaches them,
//! chapters, seeking, how far behind live the viewer is, and flash drops'
//! countdowns.

use super::*;
use crate::api::{self, Request};
use crate::browser;
use crate::domain::offer;
use crate::domain::playhead::{self, Mark, Reveal};
use crate::domain::timeline::{envelope_from, FlatEvent};
use crate::i18n::{fill, t};
use leptos::task::spawn_local;
use vetrina_wire::Product;

impl Store {
    /// Keeps [`Self::offer_clock`] going while a drop may start or run for
    /// this viewer's video, then stops (no timer while there is none).
    pub(super) fn run_offer_clock(self) {
        if self.offer_clock_running.get_value() {
            return;
        }
        self.offer_clock_running.set_value(true);
        spawn_local(async move {
            loop {
                let at = self.playhead_ms();
                self.offer_clock.set(at);
                let ahead = self.snapshot.with_untracked(|s| match s {
                    Load::Ready(s) => offer::any_ahead(&s.offers, at),
                    _ => false,
                });
                if !ahead {
                    break;
                }
                browser::sleep(500).await;
            }
            self.offer_clock_running.set_value(false);
        });
    }

    /// The flash drop on one of `product`'s variants running for this
    /// viewer's video now (reactive: it follows the offer clock).
    pub fn running_offer(&self, product: &Product) -> Option<vetrina_wire::Offer> {
        let at = self.offer_clock.get();
        self.snapshot.with(|s| match s {
            Load::Ready(s) => offer::running(&s.offers, product, at).cloned(),
            _ => None,
        })
    }

    pub fn on_video_clock(&self) -> bool {
        self.reveal.with_value(Option::is_some)
    }

    /// The pins made before this viewer came, for a late join or a replay.
    pub(super) fn load_timeline(self) {
        spawn_local(async move {
            let client = self.client.get_value();
            let fetched = client.run(&Request::timeline(&self.show_id.get_value()), None).await;
            let events: Vec<FlatEvent> = match fetched.and_then(|body| api::parse(&body)) {
                Ok(events) => events,
                Err(e) => return browser::warn(&format!("vetrina: the pin timeline could not be loaded: {e}")),
            };
            let (show, start) = (self.show_id.get_value(), self.started_at_ms.get_value());
            let marks: Vec<Mark> = events
                .into_iter()
                .filter_map(|f| envelope_from(f, &show).ok())
                .filter_map(|e| playhead::mark_of(&e, start))
                .collect();
            self.add_marks(&marks);
        });
    }

    /// Adds pins and unpins on the stream's clock (from the event stream, the
    /// timeline, or the playlist's DATERANGEs); those the video has already
    /// reached show at once, the rest wait for it.
    pub fn add_marks(&self, marks: &[Mark]) {
        self.reveal_with(|r| {
            for m in marks {
                r.insert(*m);
            }
            r.playhead().and_then(|p| r.advance(p))
        });
    }

    /// A frame of the video is on screen at `playhead_ms` on the stream's clock.
    pub fn on_clock(&self, playhead_ms: i64) {
        self.reveal_with(|r| r.advance(playhead_ms));
        self.note_behind_live(playhead_ms);
    }

    /// How far this video runs behind live, on the page's root element as
    /// `data-behind-live-ms` (whole tenths of a second, written only when it
    /// changes): the studio reads it from its preview to tell the creator
    /// when viewers will see a pin. Only in the studio's preview (a viewer's
    /// overlay does not spend its frames on it), and only while the show is
    /// live: a replay is behind by the show's age, which says nothing.
    fn note_behind_live(&self, playhead_ms: i64) {
        if self.sandbox.with_value(Option::is_none) {
            return;
        }
        let live = self
            .snapshot
            .with_untracked(|s| matches!(s, Load::Ready(s) if s.show.status == vetrina_wire::ShowStatus::Live));
        if !live {
            return;
        }
        let behind = ((js_sys::Date::now() as i64 - playhead_ms).max(0) + 50) / 100 * 100;
        if self.behind_live_ms.get_value() != behind {
            self.behind_live_ms.set_value(behind);
            browser::set_root_attribute("data-behind-live-ms", &behind.to_string());
        }
    }

    /// Runs `f` on the timeline, if on the video's clock, and shows the pins it answers.
    fn reveal_with(&self, f: impl FnOnce(&mut Reveal) -> Option<Vec<i64>>) {
        let mut active = None;
        self.reveal.update_value(|r| active = r.as_mut().and_then(f));
        if let Some(pins) = active {
            self.show_pins(pins);
        }
    }

    /// The video has no clock after all (hls.js did not load, say): show pins
    /// as they arrive, as for a plain file, rather than none.
    pub fn leave_video_clock(&self) {
        self.reveal.set_value(None);
        self.show_board_pins();
    }

    /// Pins as they arrive: the pin board's, for a video without a clock.
    pub(super) fn show_board_pins(&self) {
        self.show_pins(self.board.with_untracked(|b| b.pinned().to_vec()));
    }

    /// Shows the frame at `at_ms` on the stream's clock (a chapter).
    pub fn seek_to(&self, at_ms: i64) {
        self.player.with_value(|p| p.as_ref().map(|p| p.seek(at_ms)));
    }

    /// Where the viewer's video is on the stream's clock: the playhead when the
    /// overlay follows it, else now (a live video plays in real time).
    pub fn playhead_ms(&self) -> i64 {
        self.reveal.with_value(|r| r.as_ref().and_then(Reveal::playhead)).unwrap_or_else(|| js_sys::Date::now() as i64)
    }

    pub fn started_at_ms(&self) -> i64 {
        self.started_at_ms.get_value()
    }

    /// Product chapters of the timeline: (product, time on the stream's clock).
    pub fn chapters(&self) -> Vec<(i64, i64)> {
        self.reveal.with_value(|r| r.as_ref().map(|r| r.timeline().chapters()).unwrap_or_default())
    }

    /// Puts `pins` on screen, announcing the newest that was not there before.
    fn show_pins(&self, pins: Vec<i64>) {
        let before = self.shown.get_untracked();
        if before == pins {
            return;
        }
        if let Some(p) = pins.iter().find(|p| !before.contains(p)).and_then(|id| self.product(*id)) {
            self.announcement.set(fill(t().now_showing(), &[&p.title]));
        }
        self.shown.set(pins);
    }
}
