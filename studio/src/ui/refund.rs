//! Giving money back on one order: all that is left of it, or some of its
//! units, with the units put back on sale or not. The server decides the
//! amount (the price each unit was bought at) and asks the payment provider;
//! the panel only says what the creator chose and what the server answered.
//!
//! A retry after a lost answer must find the refund already made, never give
//! the money back twice: the request goes out under an `Idempotency-Key` that
//! stays the same for as long as what is asked stays the same.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use vetrina_wire::{Refund, RefundLine, RefundRequest, ShowOrder};

use crate::store::{explain, use_studio};

#[component]
pub fn RefundPanel(
    /// The order as the list showed it when the creator chose to refund it.
    order: ShowOrder,
    /// Called with the refund once the server has given it.
    on_done: Callback<Refund>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let studio = use_studio();
    let whole = RwSignal::new(true);
    let restock = RwSignal::new(true);
    let reason = RwSignal::new(String::new());
    // Units to give back per line, in the order's line order.
    let counts: Vec<RwSignal<u32>> = order.lines.iter().map(|_| RwSignal::new(0)).collect();
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    // The last request sent and its key: the same request keeps its key.
    let sent = StoredValue::new(None::<(RefundRequest, String)>);
    let first = NodeRef::<html::Input>::new();
    Effect::new(move || {
        if let Some(input) = first.get() {
            let _ = input.focus();
        }
    });

    let money = {
        let currency = order.currency.clone();
        move |minor: i64| vetrina_client::browser::format_money(minor, &currency, None)
    };
    let left_minor = order.total_minor - order.refunded_minor;
    let number = order.number.clone();
    let lines = order.lines.clone();
    let counts_for_send = counts.clone();
    let send = move |_| {
        let Some(creator) = studio.creator.get_untracked() else { return };
        let chosen: Vec<RefundLine> = if whole.get_untracked() {
            Vec::new()
        } else {
            lines
                .iter()
                .zip(&counts_for_send)
                .filter(|(_, n)| n.get_untracked() > 0)
                .map(|(l, n)| RefundLine { variant_id: l.variant_id, quantity: n.get_untracked() })
                .collect()
        };
        if !whole.get_untracked() && chosen.is_empty() {
            return problem.set(Some("Choose at least one unit to give back, or the whole order.".into()));
        }
        let request = RefundRequest { lines: chosen, restock: restock.get_untracked(), reason: reason.get_untracked() };
        let key = match sent.get_value() {
            Some((previous, key)) if previous == request => key,
            _ => vetrina_client::browser::random_key(),
        };
        sent.set_value(Some((request.clone(), key.clone())));
        busy.set(true);
        problem.set(None);
        let number = number.clone();
        spawn_local(async move {
            match creator.refund(&number, &request, &key).await {
                Ok(refund) => on_done.run(refund),
                Err(e) => problem.set(Some(explain(&e))),
            }
            busy.set(false);
        });
    };

    let title_id = format!("vs-refund-{}", order.number);
    let labelled_by = title_id.clone();
    let rows = order
        .lines
        .iter()
        .zip(counts)
        .map(|(line, count)| {
            let left = line.quantity.saturating_sub(line.refunded);
            let id = format!("vs-refund-line-{}", line.variant_id);
            let name = if line.options.is_empty() {
                line.title.clone()
            } else {
                format!("{} ({})", line.title, line.options.join(", "))
            };
            view! {
                <div class="vs-refund__line">
                    <label for=id.clone()>{name}</label>
                    <input id=id type="number" inputmode="numeric" min="0" max=left.to_string()
                        disabled=move || left == 0 || busy.get()
                        prop:value=move || count.get().to_string()
                        on:input=move |ev| count.set(event_target_value(&ev).parse::<u32>().unwrap_or(0).min(left)) />
                    <span class="vs-muted">{format!("of {left} left")}</span>
                </div>
            }
        })
        .collect_view();

    view! {
        <section class="vs-refund" aria-labelledby=labelled_by data-testid="refund-panel">
            <h4 id=title_id>"Refund order " {order.number.clone()}</h4>
            <fieldset class="vs-refund__what" disabled=move || busy.get()>
                <legend>"What to give back"</legend>
                <label>
                    <input node_ref=first type="radio" name="vs-refund-what" prop:checked=move || whole.get()
                        on:change=move |_| whole.set(true) />
                    "The whole order: " {money(left_minor)} {(order.refunded_minor > 0).then_some(" still paid")}
                </label>
                <label>
                    <input type="radio" name="vs-refund-what" prop:checked=move || !whole.get()
                        on:change=move |_| whole.set(false) />
                    "Some units"
                </label>
            </fieldset>
            <div class="vs-refund__lines" class:vs-hidden=move || whole.get()>{rows}</div>
            <label class="vs-refund__check">
                <input type="checkbox" prop:checked=move || restock.get() disabled=move || busy.get()
                    on:change=move |ev| restock.set(event_target_checked(&ev)) />
                "Put the units back on sale"
            </label>
            <label for="vs-refund-reason">"Note for your records (optional, not sent to the buyer)"</label>
            <input id="vs-refund-reason" type="text" maxlength="500" disabled=move || busy.get()
                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
            <p class="vs-muted">
                "The money goes back the way the buyer paid, and the buyer gets an email. "
                "A refund cannot be undone."
            </p>
            <div class="vs-actions">
                <button type="button" class="vs-button vs-button--primary" disabled=move || busy.get() on:click=send>
                    {move || if busy.get() { "Refunding…" } else { "Refund" }}
                </button>
                <button type="button" class="vs-button" disabled=move || busy.get() on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>
            <p class="vs-problem" role="alert">{move || problem.get()}</p>
        </section>
    }
}
