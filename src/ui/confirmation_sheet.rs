//! The order confirmation: its number and what was bought.

use leptos::prelude::*;
use vetrina_wire::Order;

use crate::i18n::{fill, t};
use crate::ui::sheet::Sheet;
use crate::ui::store::{use_store, Sheet as SheetState};

#[component]
pub fn ConfirmationSheet(order: Order) -> impl IntoView {
    let store = use_store();
    let money = move |minor: i64| store.money(minor, &order.currency);
    let lines = order
        .lines
        .iter()
        .map(|l| {
            let options = l.options.join(" · ");
            view! {
                <li class="vt-summary__line">
                    <span>{format!("{} × {} ", l.quantity, l.title)}<span class="vt-muted">{options}</span></span>
                    <span>{money(l.line_total_minor)}</span>
                </li>
            }
        })
        .collect_view();
    let t = t();
    view! {
        <Sheet title=t.thank_you().to_string() id="confirmation">
            <p class="vt-confirmation__number">
                {t.order()} " " <strong data-testid="order-number">{order.number.clone()}</strong>
            </p>
            {order.test.then(|| view! { <p class="vt-test-note">{t.test_order()}</p> })}
            <p>{fill(t.confirmation_sent(), &[&order.email])}</p>
            <ul class="vt-summary">{lines}</ul>
            <dl class="vt-totals">
                <div><dt>{t.shipping()}</dt><dd>{if order.shipping_minor == 0 { t.free().to_string() } else { money(order.shipping_minor) }}</dd></div>
                <div class="vt-totals__total"><dt>{t.total()}</dt><dd>{money(order.total_minor)}</dd></div>
            </dl>
            <button type="button" class="vt-button vt-button--primary" on:click=move |_| store.sheet.set(SheetState::Closed)>
                {t.keep_watching()}
            </button>
        </Sheet>
    }
}
