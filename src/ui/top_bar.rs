//! The strip across the top: the show's title and live status, the way to
//! every product of the show, and the cart.

use leptos::prelude::*;
use vetrina_wire::ShowStatus;

use crate::i18n::t;
use crate::ui::cart_button::CartButton;
use crate::ui::store::{use_store, Sheet};

#[component]
pub fn TopBar(title: String, status: ShowStatus) -> impl IntoView {
    let store = use_store();
    let t = t();
    let (label, class) = match status {
        ShowStatus::Live => (t.live, "vt-live vt-live--on"),
        ShowStatus::Scheduled => (t.scheduled, "vt-live"),
        ShowStatus::Ended => (t.replay, "vt-live"),
    };
    view! {
        <header class="vt-top">
            <span class=class>{label}</span>
            <h1 class="vt-top__title">{title}</h1>
            <button
                type="button"
                class="vt-pill"
                data-testid="shelf-button"
                on:click=move |_| store.sheet.set(Sheet::Shelf)
            >{t.products}</button>
            <CartButton />
        </header>
    }
}
