//! A flash drop's tag on a card or a product sheet: "Flash price · 0:23
//! left", counting down on the viewer's video clock (see
//! `crate::domain::offer`), gone when the drop has ended for this viewer.

use leptos::prelude::*;
use vetrina_wire::Offer;

use crate::domain::offer::countdown;
use crate::i18n::{fill, t};
use crate::ui::store::use_store;

#[component]
pub fn FlashTag(offer: Offer) -> impl IntoView {
    let store = use_store();
    let left = move || fill(t().flash_left(), &[&countdown(&offer, store.offer_clock.get())]);
    view! {
        <span class="vt-flash">
            <span class="vt-flash__label">{t().flash_price()}</span>
            " · "
            // Not announced as it changes: a countdown read out twice a second
            // would drown everything else; it is read with the card.
            <span class="vt-flash__left">{left}</span>
        </span>
    }
}
