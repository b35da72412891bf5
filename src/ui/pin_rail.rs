//! The pinned products, stacked in the lower corner away from the middle of the
//! video where the host is. The newest is nearest the thumb; at most
//! [`VISIBLE_PINS`] show at once. New pins are announced to screen readers.

use leptos::prelude::*;

use crate::i18n::t;
use crate::ui::product_card::ProductCard;
use crate::ui::store::use_store;

pub const VISIBLE_PINS: usize = 2;

#[component]
pub fn PinRail() -> impl IntoView {
    let store = use_store();
    let cards =
        Memo::new(move |_| -> Vec<i64> { store.shown.with(|pins| pins.iter().take(VISIBLE_PINS).copied().collect()) });
    view! {
        <p class="vt-visually-hidden" aria-live="polite" data-testid="announcer">
            {move || store.announcement.get()}
        </p>
        <ul class="vt-rail" aria-label=t().pinned_products()>
            <For
                each=move || cards.get().into_iter().rev()
                key=|id| *id
                children=move |id| {
                    view! {
                        <li class="vt-rail__item">
                            <ProductCard id=id />
                        </li>
                    }
                }
            />
        </ul>
    }
}
