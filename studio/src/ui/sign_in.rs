//! Signing in with the show's creator token. The token goes to the server in
//! a header, then into this tab's session storage: never a URL, never a log.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::Creator;
use crate::store::{explain, use_studio};

#[component]
pub fn SignIn() -> impl IntoView {
    let studio = use_studio();
    let show = RwSignal::new(vetrina_client::browser::query_param("show").unwrap_or_else(|| "demo".into()));
    let token = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let creator =
            Creator { show: show.get_untracked().trim().to_string(), token: token.get_untracked().trim().to_string() };
        if creator.show.is_empty() || creator.token.is_empty() {
            problem.set(Some("Enter the show and its creator token.".into()));
            return;
        }
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = studio.sign_in(creator).await {
                problem.set(Some(explain(&e)));
            }
            busy.set(false);
        });
    };
    // A message left by a sign-in that failed on reload.
    let earlier = studio.message.get_untracked().map(|(m, _)| m);
    if earlier.is_some() {
        problem.set(earlier);
        studio.message.set(None);
    }
    view! {
        <form class="vs-sign-in" on:submit=submit novalidate>
            <h1>"Vetrina Studio"</h1>
            <p class="vs-muted">"Sign in with your show's creator token to run it on air."</p>
            <label for="vs-show">"Show"</label>
            <input id="vs-show" name="show" autocomplete="off" prop:value=show on:input=move |ev| show.set(event_target_value(&ev)) />
            <label for="vs-token">"Creator token"</label>
            <input
                id="vs-token"
                name="token"
                type="password"
                autocomplete="current-password"
                aria-describedby="vs-sign-in-problem"
                prop:value=token
                on:input=move |ev| token.set(event_target_value(&ev))
            />
            <p id="vs-sign-in-problem" class="vs-problem" role="alert">{move || problem.get()}</p>
            <button type="submit" class="vs-button vs-button--primary" disabled=busy>
                {move || if busy.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </form>
    }
}
