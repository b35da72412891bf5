//! The show's settings: title, stream and locale. They reach viewers who open
//! the show after the change (a viewer already watching keeps what they have);
//! going live and ending are in the top bar, since viewers follow those at once.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use vetrina_wire::ShowUpdate;

use crate::store::{explain, use_studio};

#[component]
pub fn Settings() -> impl IntoView {
    let studio = use_studio();
    let current = studio.snapshot.get_untracked().map(|s| s.show);
    let title = RwSignal::new(current.as_ref().map(|s| s.title.clone()).unwrap_or_default());
    let stream = RwSignal::new(current.as_ref().map(|s| s.stream_url.clone()).unwrap_or_default());
    let locale = RwSignal::new(current.as_ref().map(|s| s.locale.clone()).unwrap_or_default());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let update = ShowUpdate {
            status: None,
            title: Some(title.get_untracked()),
            stream_url: Some(stream.get_untracked().trim().to_string()),
            locale: Some(locale.get_untracked().trim().to_string()),
        };
        // The same rules the server applies, before asking it.
        if let Some((_, message)) = update.problem() {
            return problem.set(Some(message.into()));
        }
        let Some(creator) = studio.creator.get_untracked() else { return };
        problem.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match creator.update_show(&update).await {
                Ok(_) => {
                    studio.refresh();
                    studio.tell("Settings saved: viewers who open the show from now on see them.", false);
                }
                Err(e) => problem.set(Some(explain(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="vs-settings" on:submit=save novalidate aria-labelledby="vs-settings-title">
            <h2 id="vs-settings-title">"Show settings"</h2>
            <label for="vs-title">"Title"</label>
            <input id="vs-title" maxlength="200" prop:value=title on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="vs-stream">"Stream URL (https:// or a path on this server)"</label>
            <input id="vs-stream" inputmode="url" prop:value=stream on:input=move |ev| stream.set(event_target_value(&ev)) />
            <label for="vs-locale">"Locale (for example it or it-IT)"</label>
            <input id="vs-locale" prop:value=locale on:input=move |ev| locale.set(event_target_value(&ev)) />
            <p class="vs-problem" role="alert">{move || problem.get()}</p>
            <button type="submit" class="vs-button vs-button--primary" disabled=busy>"Save settings"</button>
        </form>
    }
}
