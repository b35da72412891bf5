//! The strip across the top: the show's title and live status, and the cart.

use leptos::prelude::*;
use vetrina_wire::ShowStatus;

use crate::ui::cart_button::CartButton;

#[component]
pub fn TopBar(title: String, status: ShowStatus) -> impl IntoView {
    let (label, class) = match status {
        ShowStatus::Live => ("Live", "vt-live vt-live--on"),
        ShowStatus::Scheduled => ("Soon", "vt-live"),
        ShowStatus::Ended => ("Replay", "vt-live"),
    };
    view! {
        <header class="vt-top">
            <span class=class>{label}</span>
            <h1 class="vt-top__title">{title}</h1>
            <CartButton />
        </header>
    }
}
