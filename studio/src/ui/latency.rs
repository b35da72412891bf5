//! How long a pin takes to reach a viewer's screen: from the pin request to
//! the card painted in the preview (the real overlay, following the show as
//! viewers do). On a live HLS stream this includes how far the video runs
//! behind live, so the creator knows when viewers will see the card.

use leptos::prelude::*;

use std::time::Duration;

use crate::store::{preview_behind_live_ms, quantile, use_studio};

fn seconds(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

#[component]
pub fn Latency() -> impl IntoView {
    let studio = use_studio();
    let text = move || {
        if studio.awaiting.with(Option::is_some) {
            return "Waiting for the pin to reach viewers' screens…".to_string();
        }
        studio.latencies.with(|l| match (l.last(), quantile(l, 0.5), quantile(l, 0.95)) {
            (Some(last), Some(p50), Some(p95)) => format!(
                "Last pin on viewers' screens after {} · p50 {}, p95 {} over {} pins",
                seconds(*last),
                seconds(p50),
                seconds(p95),
                l.len()
            ),
            _ => "Pin a product to see how long viewers wait for its card.".to_string(),
        })
    };
    // Read from the preview once a second: on HLS, how far viewers' video runs
    // behind the camera, which is when a pin's card will reach them.
    let behind = RwSignal::new(preview_behind_live_ms());
    if let Ok(tick) = set_interval_with_handle(move || behind.set(preview_behind_live_ms()), Duration::from_secs(1)) {
        on_cleanup(move || tick.clear());
    }
    let behind_text = move || {
        behind.get().map(|ms| {
            format!(
                "Viewers' video runs {} behind live: they see a pinned card about that long after you pin.",
                seconds(ms)
            )
        })
    };
    view! {
        <p class="vs-latency" role="status" data-testid="pin-latency">{text}</p>
        // Not a live region: it changes every second.
        <p class="vs-latency" data-testid="behind-live">{behind_text}</p>
    }
}
