//! Creating a show, for whoever holds the server's operator token: the new
//! show opens at once, and its creator token is shown this once to pass on
//! (other moderators sign in with it).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use vetrina_wire::NewShowRequest;

use crate::api::{create_show, Creator};
use crate::store::{explain, use_studio};

#[component]
pub fn NewShow() -> impl IntoView {
    let studio = use_studio();
    let operator = RwSignal::new(String::new());
    let id = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let currency = RwSignal::new(String::from("EUR"));
    let locale = RwSignal::new(String::from("en"));
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let request = NewShowRequest {
            id: id.get_untracked().trim().to_string(),
            title: title.get_untracked().trim().to_string(),
            currency: currency.get_untracked().trim().to_ascii_uppercase(),
            locale: locale.get_untracked().trim().to_string(),
            stream_url: None,
        };
        let operator = operator.get_untracked().trim().to_string();
        if operator.is_empty() {
            return problem.set(Some("Enter the operator token.".into()));
        }
        if let Some((_, message)) = request.problem() {
            return problem.set(Some(message.into()));
        }
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            match create_show(&operator, &request).await {
                Ok(created) => {
                    let creator = Creator { show: created.show.id.clone(), token: created.creator_token.clone() };
                    match studio.sign_in(creator).await {
                        Ok(()) => {
                            studio.new_token.set(Some(created.creator_token));
                            studio.tell(
                                format!(
                                    "Created “{}”. Add products, set its stream, then go live.",
                                    created.show.title
                                ),
                                false,
                            );
                        }
                        Err(e) => problem.set(Some(explain(&e))),
                    }
                }
                Err(e) => problem.set(Some(match &e {
                    vetrina_client::api::ApiError::Server { code, .. } if code == "unauthorized" => {
                        "That operator token does not create shows on this server.".to_string()
                    }
                    _ => explain(&e),
                })),
            }
            busy.set(false);
        });
    };
    let input = |id: &'static str, value: RwSignal<String>| {
        view! { <input id=id autocomplete="off" prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) /> }
    };
    view! {
        <form class="vs-sign-in" on:submit=submit novalidate aria-labelledby="vs-new-show-title">
            <h2 id="vs-new-show-title">"Create a show"</h2>
            <label for="vs-operator">"Operator token"</label>
            <input
                id="vs-operator"
                type="password"
                autocomplete="off"
                prop:value=operator
                on:input=move |ev| operator.set(event_target_value(&ev))
            />
            <label for="vs-new-id">"Show id (letters, digits, - and _; it goes in links)"</label>
            {input("vs-new-id", id)}
            <label for="vs-new-title">"Title"</label>
            {input("vs-new-title", title)}
            <label for="vs-new-currency">"Currency (ISO code)"</label>
            {input("vs-new-currency", currency)}
            <label for="vs-new-locale">"Locale (for example it or it-IT)"</label>
            {input("vs-new-locale", locale)}
            <p class="vs-problem" role="alert">{move || problem.get()}</p>
            <button type="submit" class="vs-button vs-button--primary" disabled=busy>
                {move || if busy.get() { "Creating…" } else { "Create the show" }}
            </button>
        </form>
    }
}
