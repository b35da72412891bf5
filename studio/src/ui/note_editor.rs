//! A product's run-sheet note: what to say about it on air. The creator's
//! only; viewers never get it.

use leptos::prelude::*;
use vetrina_wire::MAX_NOTE_CHARS;

use crate::store::use_studio;

#[component]
pub fn NoteEditor(product_id: i64, title: String) -> impl IntoView {
    let studio = use_studio();
    let text = RwSignal::new(studio.notes.with_untracked(|n| n.get(&product_id).cloned().unwrap_or_default()));
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (id, problem_id) = (format!("vs-note-{product_id}"), format!("vs-note-{product_id}-problem"));
    let save = move |_| {
        let note = text.get_untracked();
        if note.trim().chars().count() > MAX_NOTE_CHARS {
            return problem.set(Some(format!("A note is at most {MAX_NOTE_CHARS} characters.")));
        }
        problem.set(None);
        busy.set(true);
        let title = title.clone();
        leptos::task::spawn_local(async move {
            match studio.save_note(product_id, note).await {
                Ok(()) => studio.tell(format!("Saved the note on {title}."), false),
                Err(e) => problem.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="vs-note-editor">
            <label for=id.clone()>"Note for the run sheet (only you see it)"</label>
            <textarea
                id=id
                rows="2"
                maxlength=MAX_NOTE_CHARS.to_string()
                aria-describedby=problem_id.clone()
                prop:value=text
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <button type="button" class="vs-button" disabled=busy on:click=save>"Save note"</button>
            <span id=problem_id class="vs-problem" role="alert">{move || problem.get()}</span>
        </div>
    }
}
