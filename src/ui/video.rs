//! The show's video, filling the stage. It starts muted (browsers only autoplay
//! muted video) with a button to turn the sound on.

use leptos::prelude::*;

#[component]
pub fn Video(src: String, title: String) -> impl IntoView {
    let muted = RwSignal::new(true);
    let video = NodeRef::<leptos::html::Video>::new();
    let toggle = move |_| {
        let next = !muted.get_untracked();
        muted.set(next);
        if let Some(v) = video.get_untracked() {
            v.set_muted(next);
            if !next {
                let _ = v.play();
            }
        }
    };
    view! {
        <video
            class="vt-video"
            src=src
            node_ref=video
            autoplay
            loop
            playsinline
            muted
            prop:muted=true
            aria-label=title
        ></video>
        <button
            type="button"
            class="vt-icon-button vt-sound"
            aria-pressed=move || (!muted.get()).to_string()
            aria-label=move || if muted.get() { "Turn sound on" } else { "Turn sound off" }
            on:click=toggle
        >
            <span aria-hidden="true">{move || if muted.get() { "🔇" } else { "🔊" }}</span>
        </button>
    }
}
