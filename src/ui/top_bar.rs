//! The strip across the top: the show's title and live status, the way to
//! every product of the show, and the cart.

use leptos::prelude::*;
use vetrina_wire::ShowStatus;

use crate::i18n::t;
use crate::ui::cart_button::CartButton;
use crate::ui::store::{use_store, Load, Sheet};

#[component]
pub fn TopBar(title: String) -> impl IntoView {
    let store = use_store();
    let t = t();
    // Follows the show: live, then "Replay" once the host ends it.
    let status = Memo::new(move |_| {
        store.snapshot.with(|s| match s {
            Load::Ready(s) => s.show.status,
            _ => ShowStatus::Scheduled,
        })
    });
    let badge = move || match status.get() {
        ShowStatus::Live => (t.live(), "vt-live vt-live--on"),
        ShowStatus::Scheduled => (t.scheduled(), "vt-live"),
        ShowStatus::Ended => (t.replay(), "vt-live"),
    };
    view! {
        <header class="vt-top">
            <span class=move || badge().1>{move || badge().0}</span>
            <h1 class="vt-top__title">{title}</h1>
            <button
                type="button"
                class="vt-pill"
                data-testid="shelf-button"
                on:click=move |_| store.sheet.set(Sheet::Shelf)
            >{t.products()}</button>
            <CartButton />
        </header>
    }
}
