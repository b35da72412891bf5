//! The order confirmation: its number and what was bought.

use leptos::prelude::*;
use vetrina_wire::Order;

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
    view! {
        <Sheet title="Thank you!".to_string() id="confirmation">
            <p class="vt-confirmation__number">
                "Order " <strong data-testid="order-number">{order.number.clone()}</strong>
            </p>
            <p>{format!("A confirmation is on its way to {}.", order.email)}</p>
            <ul class="vt-summary">{lines}</ul>
            <dl class="vt-totals">
                <div><dt>"Shipping"</dt><dd>{if order.shipping_minor == 0 { "Free".to_string() } else { money(order.shipping_minor) }}</dd></div>
                <div class="vt-totals__total"><dt>"Total"</dt><dd>{money(order.total_minor)}</dd></div>
            </dl>
            <button type="button" class="vt-button vt-button--primary" on:click=move |_| store.sheet.set(SheetState::Closed)>
                "Keep watching"
            </button>
        </Sheet>
    }
}
