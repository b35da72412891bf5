//! The show's video, filling the stage. It starts muted (browsers only autoplay
//! muted video) with a button to turn the sound on.

use leptos::prelude::*;

use crate::i18n::t;

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
            aria-label=move || if muted.get() { t().sound_on } else { t().sound_off }
            on:click=toggle
        >
            <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
                <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
                {move || if muted.get() {
                    view! { <path d="M16 9l5 6m0-6l-5 6" stroke="currentColor" stroke-width="2" stroke-linecap="round" /> }.into_any()
                } else {
                    view! { <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" /> }.into_any()
                }}
            </svg>
        </button>
    }
}
