//! The pre-live checks (see [`crate::checks`]), shown above the run sheet
//! until there is nothing left to fix.

use leptos::prelude::*;

use vetrina_wire::ShowStatus;

use crate::checks::prelive;
use crate::store::use_studio;

#[component]
pub fn Checks() -> impl IntoView {
    let studio = use_studio();
    let findings = move || studio.snapshot.with(|s| s.as_ref().map(|s| prelive(&s.products)).unwrap_or_default());
    let scheduled =
        move || studio.snapshot.with(|s| s.as_ref().is_some_and(|s| s.show.status == ShowStatus::Scheduled));
    let heading = move |n: usize| {
        let things = if n == 1 { "1 thing".to_string() } else { format!("{n} things") };
        if scheduled() {
            format!("Before going live: {things} to fix")
        } else {
            format!("On air: {things} viewers may notice")
        }
    };
    move || {
        let findings = findings();
        if findings.is_empty() {
            return ().into_any();
        }
        view! {
            <section class="vs-checks" aria-labelledby="vs-checks-title">
                <h2 id="vs-checks-title">{heading(findings.len())}</h2>
                <ul>
                    {findings.into_iter().map(|f| view! { <li><strong>{f.title}</strong>": "{f.problem}</li> }).collect_view()}
                </ul>
            </section>
        }
        .into_any()
    }
}
