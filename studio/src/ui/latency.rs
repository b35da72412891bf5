//! How long a pin takes to reach a viewer's screen: from the pin request to
//! the card painted in the preview (the real overlay, following the show as
//! viewers do). On a live HLS stream this includes how far the video runs
//! behind live, so the creator knows when viewers will see the card.

use leptos::prelude::*;

use crate::store::{quantile, use_studio};

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
    view! { <p class="vs-latency" role="status" data-testid="pin-latency">{text}</p> }
}
