//! The studio's root: sign-in until a token opens a show, then the show's
//! controls, its run sheet and the preview of what viewers see.

use leptos::prelude::*;

use crate::store::{explain, Studio};
use crate::ui::checks::Checks;
use crate::ui::controls::Controls;
use crate::ui::new_show::NewShow;
use crate::ui::numbers::Numbers;
use crate::ui::preview::Preview;
use crate::ui::run_sheet::RunSheet;
use crate::ui::sign_in::SignIn;

#[component]
pub fn App() -> impl IntoView {
    let studio = Studio::new();
    provide_context(studio);
    // A tab that signed in before (a reload) checks its token again.
    let checking = RwSignal::new(false);
    if let Some(creator) = Studio::remembered() {
        checking.set(true);
        leptos::task::spawn_local(async move {
            if let Err(e) = studio.sign_in(creator).await {
                studio.sign_out();
                studio.tell(explain(&e), true);
            }
            checking.set(false);
        });
    }
    view! {
        <main class="vs-app">
            {move || {
                if checking.get() {
                    view! { <p class="vs-wait" aria-busy="true">"Checking your sign-in…"</p> }.into_any()
                } else if studio.creator.with(Option::is_some) {
                    view! {
                        <Controls />
                        <Checks />
                        <div class="vs-work">
                            <div class="vs-column">
                                <RunSheet />
                                <Numbers />
                            </div>
                            <Preview />
                        </div>
                    }
                    .into_any()
                } else {
                    view! {
                        <SignIn />
                        <details class="vs-new-show">
                            <summary>"New show? Create one with the operator token"</summary>
                            <NewShow />
                        </details>
                    }
                    .into_any()
                }
            }}
        </main>
    }
}
