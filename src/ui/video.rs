//! The show's video, filling the stage. It starts muted (browsers only autoplay
//! muted video) with a button to turn the sound on.
//!
//! When the overlay follows the video's clock (HLS, replays), the player glue
//! (`player.js`) reports where each presented frame sits on the stream's clock
//! and the pins the playlist carries; the store decides what that shows.

use leptos::prelude::*;

use crate::domain::playhead::{is_hls, marks_of_range};
use crate::i18n::t;
use crate::player::{Player, PlayerEvents};
use crate::ui::store::{use_store, Store};

#[component]
pub fn Video(
    src: String,
    title: String,
    /// Follow the stream's clock (see `playhead::follows_video_clock`).
    clocked: bool,
    /// For a file on the clock: the show's start, the time of its first frame.
    base_ms: i64,
    /// The still shown until the video plays (the page's first frame shows it too).
    poster: Option<String>,
) -> impl IntoView {
    let store = use_store();
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
    let clocked_src = clocked.then(|| src.clone());
    Effect::new(move |_| {
        let (Some(el), Some(src)) = (video.get(), clocked_src.clone()) else { return };
        // In the task after the one that drew the stage (see `App`): starting
        // a player is work of its own on a slow phone.
        leptos::task::spawn_local(async move {
            crate::browser::sleep(0).await;
            if el.is_connected() {
                start_player(&el, &src, base_ms, store);
            }
        });
    });
    on_cleanup(move || store.player.set_value(None));
    view! {
        <video
            class="vt-video"
            poster=poster
            src=(!clocked).then_some(src)
            node_ref=video
            autoplay
            // A live show from a plain file (the demo's) loops; a clocked stream must not.
            loop=!clocked
            playsinline
            muted
            prop:muted=true
            aria-label=title
        ></video>
        <button
            type="button"
            class="vt-icon-button vt-sound"
            aria-pressed=move || (!muted.get()).to_string()
            aria-label=move || if muted.get() { t().sound_on() } else { t().sound_off() }
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

/// Attaches the player glue to the video: its clock and the playlist's pins go to the store.
fn start_player(el: &web_sys::HtmlVideoElement, src: &str, base_ms: i64, store: Store) {
    let events = PlayerEvents {
        on_clock: Box::new(move |ms| store.on_clock(ms)),
        on_range: Box::new(move |id, product, start, end| {
            store.add_marks(&marks_of_range(id, product, start, end));
        }),
        on_no_clock: Box::new(move || store.leave_video_clock()),
    };
    store.player.set_value(Some(Player::attach(el, src, is_hls(src), base_ms, events)));
}
