//! The cart button with its item-count badge.

use leptos::prelude::*;

use crate::i18n::{fill, t};
use crate::ui::store::{use_store, Sheet};

#[component]
pub fn CartButton() -> impl IntoView {
    let store = use_store();
    // The brand's cart when its page keeps one (the button then hands over to its checkout).
    let count =
        move || store.host_cart.get().unwrap_or_else(|| store.cart.with(|c| c.as_ref().map_or(0, |c| c.item_count)));
    let label = move || match count() {
        0 => t().cart_button_empty().to_string(),
        1 => t().cart_button_one().to_string(),
        n => fill(t().cart_button_many(), &[&n.to_string()]),
    };
    view! {
        <button
            type="button"
            class="vt-icon-button vt-cart-button"
            aria-label=label
            data-testid="cart-button"
            on:click=move |_| match store.host_cart.get_untracked() {
                Some(_) => store.begin_checkout(),
                None => store.sheet.set(Sheet::Cart),
            }
        >
            <svg aria-hidden="true" viewBox="0 0 24 24" width="24" height="24">
                <path d="M6 7h12l-1 13H7L6 7zm3 0a3 3 0 0 1 6 0" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
            </svg>
            {move || {
                let n = count();
                (n > 0).then(|| view! { <span class="vt-badge" data-testid="cart-count" aria-hidden="true">{n}</span> })
            }}
        </button>
    }
}
