//! The sheet every detail opens in: a dialog over the lower part of the video
//! (the video keeps playing above it). Focus moves into the sheet when it
//! opens, stays inside while it is open (Tab wraps), and returns to where it was
//! when it closes; Escape and the backdrop close it. Keys are heard on the
//! window, so they work even when the focused control has been re-rendered away.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

use crate::i18n::t;
use crate::ui::store::{use_store, Sheet as SheetState};

/// What Tab can land on inside a sheet.
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, a[href]";

#[component]
pub fn Sheet(
    /// Heading, also the dialog's accessible name.
    title: String,
    /// A stable id fragment for aria-labelledby and tests.
    id: &'static str,
    children: Children,
) -> impl IntoView {
    let store = use_store();
    let panel = NodeRef::<leptos::html::Section>::new();
    let opener = SendWrapper::new(document().active_element());
    on_cleanup(move || {
        // The opener may itself be gone (a card that was unpinned meanwhile, a
        // shelf row): then the "Products" button, where every product is.
        let opener = opener.take().filter(|el| el.is_connected());
        let target = opener.or_else(|| document().query_selector(".vt-top .vt-pill").ok().flatten());
        if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
    Effect::new(move |_| {
        if let Some(el) = panel.get() {
            let _ = el.focus();
        }
    });
    let close = move || store.sheet.set(SheetState::Closed);
    let on_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => close(),
        // Keep Tab inside the dialog: from the last control back to the first, and
        // Shift+Tab the other way, as a modal dialog should.
        "Tab" => {
            let Some(panel) = panel.get_untracked() else { return };
            let Ok(list) = panel.query_selector_all(FOCUSABLE) else { return };
            let (Some(first), Some(last)) = (list.get(0), list.get(list.length().saturating_sub(1))) else { return };
            let active = document().active_element().map(|e| e.unchecked_into::<web_sys::Node>());
            let panel_node: &web_sys::Node = &panel;
            let at = |n: &web_sys::Node| active.as_ref() == Some(n);
            // Focus that fell out of the dialog (its control re-rendered away) comes back in.
            let outside = !panel_node.contains(active.as_ref());
            let target = if outside {
                Some(if ev.shift_key() { last } else { first })
            } else if ev.shift_key() && (at(&first) || at(panel_node)) {
                Some(last)
            } else if !ev.shift_key() && at(&last) {
                Some(first)
            } else {
                None
            };
            if let Some(el) = target.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
                ev.prevent_default();
                let _ = el.focus();
            }
        }
        _ => {}
    };
    // On the window, not the dialog: keys still work when the focused control
    // was re-rendered away (a cart line after its quantity changed).
    let keys = window_event_listener(leptos::ev::keydown, on_key);
    on_cleanup(move || keys.remove());
    let heading_id = format!("vt-sheet-{id}-title");
    let labelled_by = heading_id.clone();
    view! {
        <div class="vt-sheet-backdrop" on:click=move |_| close()></div>
        <section
            class="vt-sheet"
            data-sheet=id
            role="dialog"
            aria-modal="true"
            aria-labelledby=labelled_by
            tabindex="-1"
            node_ref=panel
        >
            <header class="vt-sheet__header">
                <h2 class="vt-sheet__title" id=heading_id>{title}</h2>
                <button type="button" class="vt-icon-button" aria-label=t().close() on:click=move |_| close()>
                    <span aria-hidden="true">"✕"</span>
                </button>
            </header>
            <div class="vt-sheet__body">{children()}</div>
        </section>
    }
}
