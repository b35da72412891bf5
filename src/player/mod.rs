//! The binding to the video player glue (`player.js`, and `cmaf.js`, which it
//! loads for fragmented-MP4 HLS): attach it to a `<video>`, hear where each
//! frame sits on the stream's clock and the pins the playlist carries, seek.
//! Outside `ui/`: the store keeps a player and the video component makes one,
//! and neither needs the other's module for it.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/player/player.js")]
extern "C" {
    type PlayerHandle;

    #[wasm_bindgen(js_name = attach)]
    fn attach_player(
        video: &web_sys::HtmlVideoElement,
        src: &str,
        is_hls: bool,
        base_ms: f64,
        on_clock: &Closure<dyn FnMut(f64)>,
        on_range: &Closure<dyn FnMut(f64, f64, f64, f64)>,
        on_no_clock: &Closure<dyn FnMut()>,
    ) -> PlayerHandle;

    #[wasm_bindgen(method)]
    fn seek(this: &PlayerHandle, ms: f64);

    #[wasm_bindgen(method)]
    fn stop(this: &PlayerHandle);
}

/// Called with each presented frame's time on the stream's clock.
type OnClock = Closure<dyn FnMut(f64)>;
/// Called with a playlist pin: event id, product id, start, end (NaN if open).
type OnRange = Closure<dyn FnMut(f64, f64, f64, f64)>;
/// Called once if the video turns out to have no clock.
type OnNoClock = Closure<dyn FnMut()>;

/// A video following the stream's clock; stops (and lets go of the callbacks)
/// when dropped.
pub struct Player {
    handle: PlayerHandle,
    _callbacks: (OnClock, OnRange, OnNoClock),
}

/// What the player reports, each as it happens.
pub struct PlayerEvents {
    /// Each presented frame's time on the stream's clock (ms).
    pub on_clock: Box<dyn FnMut(i64)>,
    /// A playlist pin: event id, product id, start, end (None: still open).
    pub on_range: Box<dyn FnMut(i64, i64, i64, Option<i64>)>,
    /// The video turned out to have no clock (called once).
    pub on_no_clock: Box<dyn FnMut()>,
}

impl Player {
    /// Attaches the glue to `video` playing `src` (HLS or a plain file; a
    /// plain file's clock starts at `base_ms`), reporting to `events`.
    pub fn attach(
        video: &web_sys::HtmlVideoElement,
        src: &str,
        is_hls: bool,
        base_ms: i64,
        events: PlayerEvents,
    ) -> Self {
        let PlayerEvents { mut on_clock, mut on_range, on_no_clock } = events;
        let on_clock = OnClock::new(move |ms: f64| on_clock(ms as i64));
        let on_range = OnRange::new(move |id: f64, product: f64, start: f64, end: f64| {
            on_range(id as i64, product as i64, start as i64, end.is_finite().then_some(end as i64))
        });
        let on_no_clock = OnNoClock::new(on_no_clock);
        let handle = attach_player(video, src, is_hls, base_ms as f64, &on_clock, &on_range, &on_no_clock);
        Player { handle, _callbacks: (on_clock, on_range, on_no_clock) }
    }

    /// Shows the frame at `ms` on the stream's clock (a chapter's time).
    pub fn seek(&self, ms: i64) {
        self.handle.seek(ms as f64);
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.handle.stop();
    }
}
