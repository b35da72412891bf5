//! The real overlay, as viewers get it, in device frames: it follows the same
//! show through its own event stream, so a pin shows here as it shows to them.

use leptos::prelude::*;

use vetrina_client::api::enc;

use crate::store::use_studio;
use crate::ui::latency::Latency;

/// A device the overlay is shown on: its name, its viewport, how much the
/// studio shrinks it to fit (the overlay lays itself out at the full size),
/// and whether this frame times pins (see `Studio::time_pin`).
struct Frame {
    name: &'static str,
    width: u32,
    height: u32,
    scale: f64,
    timing: bool,
    /// A brand's page with the show embedded by its snippet, rather than the overlay alone.
    embed: bool,
}

const FRAMES: [Frame; 2] = [
    Frame { name: "Small phone", width: 320, height: 568, scale: 1.0, timing: false, embed: false },
    Frame { name: "Phone", width: 390, height: 844, scale: 1.0, timing: true, embed: false },
];

/// Shown on request: every frame holds the overlay's event stream and video
/// open, and a browser talking HTTP/1.1 to one server (the local demo) opens
/// only six connections to it; two studio tabs with three frames each would
/// leave one without its event stream. (Behind HTTPS with HTTP/2 there is no
/// such limit.)
const DESKTOP: Frame = Frame { name: "Desktop", width: 1280, height: 800, scale: 0.5, timing: false, embed: false };

/// A brand's page on a phone, the show embedded by the one-line snippet (on
/// request, like the desktop frame). Its orders are tests too.
const EMBED: Frame = Frame { name: "Brand embed", width: 390, height: 844, scale: 1.0, timing: false, embed: true };

#[component]
pub fn Preview() -> impl IntoView {
    let studio = use_studio();
    let desktop = RwSignal::new(false);
    let embed = RwSignal::new(false);
    let embed_src = move || {
        studio
            .creator
            .with(|c| c.as_ref().map(|c| format!("/studio/embed-preview?show={}", enc(&c.show))).unwrap_or_default())
    };
    // `sandbox=1`: carts made in the preview are sandbox carts (the overlay
    // finds this tab's sign-in in sessionStorage), so orders there are tests.
    let src = move || {
        studio.creator.with(|c| c.as_ref().map(|c| format!("/?show={}&sandbox=1", enc(&c.show))).unwrap_or_default())
    };
    view! {
        <section class="vs-preview" aria-labelledby="vs-preview-title">
            <h2 id="vs-preview-title">"What viewers see"</h2>
            <Latency />
            <button
                type="button"
                class="vs-button vs-preview__toggle"
                aria-pressed=move || desktop.get().to_string()
                on:click=move |_| desktop.update(|on| *on = !*on)
            >
                "Desktop frame"
            </button>
            <button
                type="button"
                class="vs-button vs-preview__toggle"
                aria-pressed=move || embed.get().to_string()
                on:click=move |_| embed.update(|on| *on = !*on)
            >
                "Brand embed frame"
            </button>
            // Scrolls sideways on a narrow screen: reachable by keyboard too.
            <div class="vs-frames" tabindex="0" role="group" aria-label="Device previews">
                {move || FRAMES.into_iter().chain(desktop.get().then_some(DESKTOP)).chain(embed.get().then_some(EMBED)).map(|Frame { name, width, height, scale, timing, embed }| {
                    // The box the shrunk frame takes (its border is 10 px a side, shrunk too).
                    let boxed = format!(
                        "width: {}px; height: {}px",
                        (f64::from(width + 20) * scale).round(),
                        (f64::from(height + 20) * scale).round()
                    );
                    let shrink = (scale < 1.0).then(|| format!("transform: scale({scale}); transform-origin: 0 0"));
                    let caption = if scale < 1.0 {
                        format!("{name} · {width}×{height}, shown at {:.0}%", scale * 100.0)
                    } else {
                        format!("{name} · {width}×{height}")
                    };
                    view! {
                        <figure class="vs-frame">
                            <div class="vs-frame__box" style=boxed>
                                <iframe
                                    title=format!("{name} preview, {width}×{height}")
                                    src=move || if embed { embed_src() } else { src() }
                                    width=width
                                    height=height
                                    style=shrink
                                    data-timing=timing.then_some("")
                                ></iframe>
                            </div>
                            <figcaption class="vs-muted">{caption}</figcaption>
                        </figure>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}
