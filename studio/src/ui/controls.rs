//! The show's controls: its state on air, going live and ending, a new
//! creator token, signing out; and the studio's messages.

use leptos::prelude::*;
use vetrina_client::api::events::StreamState;
use vetrina_wire::ShowStatus;

use crate::store::use_studio;
use crate::ui::catalogue::Catalogue;
use crate::ui::settings::Settings;

#[component]
pub fn Controls() -> impl IntoView {
    let studio = use_studio();
    let status = move || studio.snapshot.with(|s| s.as_ref().map(|s| s.show.status));
    let title = move || studio.snapshot.with(|s| s.as_ref().map(|s| s.show.title.clone()).unwrap_or_default());
    let badge = move || match status() {
        Some(ShowStatus::Live) => ("vs-badge vs-badge--live", "Live"),
        Some(ShowStatus::Ended) => ("vs-badge", "Ended"),
        Some(ShowStatus::Scheduled) => ("vs-badge", "Scheduled"),
        None => ("vs-badge", "…"),
    };
    let connection = move || match studio.stream.get() {
        StreamState::Live => "Following the show live",
        StreamState::Connecting => "Connecting…",
        StreamState::Reconnecting => "Connection lost: reconnecting…",
    };
    let confirm_rotate = RwSignal::new(false);
    let settings = RwSignal::new(false);
    let catalogue = RwSignal::new(false);
    view! {
        <header class="vs-controls">
            <div class="vs-controls__show">
                <span class=move || badge().0>{move || badge().1}</span>
                <h1 class="vs-controls__title">{title}</h1>
                <span class="vs-muted" role="status">{connection}</span>
            </div>
            <div class="vs-controls__actions">
                {move || match status() {
                    Some(ShowStatus::Live) => view! {
                        <button type="button" class="vs-button" on:click=move |_| studio.set_status(ShowStatus::Ended)>"End show"</button>
                    }.into_any(),
                    Some(_) => view! {
                        <button type="button" class="vs-button vs-button--primary" on:click=move |_| studio.set_status(ShowStatus::Live)>"Go live"</button>
                    }.into_any(),
                    None => ().into_any(),
                }}
                <button
                    type="button"
                    class="vs-button"
                    aria-expanded=move || settings.get().to_string()
                    on:click=move |_| settings.update(|open| *open = !*open)
                >
                    "Settings"
                </button>
                <button
                    type="button"
                    class="vs-button"
                    aria-expanded=move || catalogue.get().to_string()
                    on:click=move |_| catalogue.update(|open| *open = !*open)
                >
                    "Add products"
                </button>
                <button type="button" class="vs-button" on:click=move |_| confirm_rotate.set(true)>"New token"</button>
                <button type="button" class="vs-button" on:click=move |_| studio.sign_out()>"Sign out"</button>
            </div>
            <p class="vs-message" role="status" aria-live="polite" data-testid="studio-message">
                {move || studio.message.get().map(|(text, is_error)| view! {
                    <span class=if is_error { "vs-problem" } else { "" }>{text}</span>
                })}
            </p>
        </header>
        {move || settings.get().then(|| view! { <Settings /> })}
        {move || catalogue.get().then(|| view! { <Catalogue /> })}
        {move || confirm_rotate.get().then(|| view! {
            <div class="vs-banner" role="alertdialog" aria-labelledby="vs-rotate-q">
                <p id="vs-rotate-q">"Replace the creator token? Everyone using the current one (other moderators, scripts) is signed out."</p>
                <button type="button" class="vs-button vs-button--primary" on:click=move |_| { confirm_rotate.set(false); studio.rotate(); }>"Replace it"</button>
                <button type="button" class="vs-button" on:click=move |_| confirm_rotate.set(false)>"Keep it"</button>
            </div>
        })}
        {move || studio.new_token.get().map(|token| view! {
            <div class="vs-banner" role="status">
                <p>"The new creator token (shown once; this tab already uses it):"</p>
                <code class="vs-token" data-testid="new-token">{token}</code>
                <button type="button" class="vs-button" on:click=move |_| studio.new_token.set(None)>"Done"</button>
            </div>
        })}
    }
}
