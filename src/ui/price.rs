//! A price: the amount formatted by `Intl`, with a struck "was" price beside it
//! when the item is on sale.

use leptos::prelude::*;

use crate::domain::money::percent_off;
use crate::i18n::t;
use crate::ui::store::use_store;

#[component]
pub fn Price(
    minor: i64,
    currency: String,
    #[prop(default = None)] compare_at: Option<i64>,
    /// "From" prefix, for products whose variants differ in price.
    #[prop(optional)]
    from: bool,
) -> impl IntoView {
    let store = use_store();
    let now = store.money(minor, &currency);
    let sale = percent_off(minor, compare_at).and_then(|pct| compare_at.map(|was| (was, pct)));
    view! {
        <span class="vt-price">
            {from.then(|| view! { <span class="vt-price__from">{t().from()}</span> })}
            <span class="vt-price__now" class:vt-price__now--sale=sale.is_some()>{now}</span>
            {sale.map(|(was, pct)| {
                let was_text = store.money(was, &currency);
                view! {
                    " "
                    <s class="vt-price__was"><span class="vt-visually-hidden">{t().was()}</span>{was_text}</s>
                    " "
                    <span class="vt-price__off">{format!("-{pct}%")}</span>
                }
            })}
        </span>
    }
}
