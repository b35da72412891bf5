//! The real overlay, as viewers get it, in device frames: it follows the same
//! show through its own event stream, so a pin shows here as it shows to them.

use leptos::prelude::*;

use crate::store::use_studio;
use crate::ui::latency::Latency;

/// The frames, the one timing pins last (see `Studio::time_pin`).
const FRAMES: [(&str, u32, u32, bool); 2] = [("Small phone", 320, 568, false), ("Phone", 390, 844, true)];

#[component]
pub fn Preview() -> impl IntoView {
    let studio = use_studio();
    let src = move || studio.creator.with(|c| c.as_ref().map(|c| format!("/?show={}", c.show)).unwrap_or_default());
    view! {
        <section class="vs-preview" aria-labelledby="vs-preview-title">
            <h2 id="vs-preview-title">"What viewers see"</h2>
            <Latency />
            // Scrolls sideways on a narrow screen: reachable by keyboard too.
            <div class="vs-frames" tabindex="0" role="group" aria-label="Device previews">
                {FRAMES.into_iter().map(|(name, width, height, timing)| view! {
                    <figure class="vs-frame">
                        <iframe
                            title=format!("{name} preview, {width}×{height}")
                            src=src
                            width=width
                            height=height
                            data-timing=timing.then_some("")
                        ></iframe>
                        <figcaption class="vs-muted">{format!("{name} · {width}×{height}")}</figcaption>
                    </figure>
                }).collect_view()}
            </div>
        </section>
    }
}
