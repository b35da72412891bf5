//! The cart: lines with quantity steppers and remove, totals computed by the
//! server, and the way on to checkout. A line the stock can no longer cover
//! says so on the line itself.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vetrina_wire::{CartLine, MAX_LINE_QUANTITY};

use crate::ui::sheet::Sheet;
use crate::ui::store::{use_store, Sheet as SheetState};

#[component]
pub fn CartSheet() -> impl IntoView {
    let store = use_store();
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let change = move |variant_id: i64, quantity: u32| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            if let Err(e) = store.set_quantity(variant_id, quantity).await {
                problem.set(Some(e.user_message()));
            }
            busy.set(false);
        });
    };
    let money = move |minor: i64| {
        store.money(
            minor,
            &store.cart.with(|c| c.as_ref().map(|c| c.currency.clone())).unwrap_or_else(|| store.currency()),
        )
    };
    let line_view = move |line: CartLine| {
        let id = line.variant_id;
        let q = line.quantity;
        let short = line.available < i64::from(q);
        let options = line.options.join(" · ");
        view! {
            <li class="vt-line" data-variant-id=id>
                <img class="vt-line__image" src=line.image_url.clone() alt="" width="56" height="56" />
                <div class="vt-line__text">
                    <span class="vt-line__title">{line.title.clone()}</span>
                    <span class="vt-line__options">{options}</span>
                    <span class="vt-line__price">{money(line.line_total_minor)}</span>
                    {short.then(|| view! {
                        <span class="vt-hint vt-hint--out">
                            {if line.available <= 0 { "Sold out: remove it to check out".to_string() } else { format!("Only {} left", line.available) }}
                        </span>
                    })}
                </div>
                <div class="vt-stepper" role="group" aria-label=format!("Quantity of {}", line.title)>
                    <button type="button" class="vt-stepper__button" aria-label="One fewer" disabled=move || busy.get() on:click=move |_| change(id, q - 1)>"−"</button>
                    <span class="vt-stepper__value" aria-live="polite">{q}</span>
                    <button type="button" class="vt-stepper__button" aria-label="One more" disabled=move || { busy.get() || q >= MAX_LINE_QUANTITY } on:click=move |_| change(id, q + 1)>"+"</button>
                </div>
                <button type="button" class="vt-link-button" on:click=move |_| change(id, 0) disabled=move || busy.get()>
                    "Remove"<span class="vt-visually-hidden">{format!(" {}", line.title)}</span>
                </button>
            </li>
        }
    };
    view! {
        <Sheet title="Your cart".to_string() id="cart">
            {move || match store.cart.get().filter(|c| !c.lines.is_empty()) {
                None => view! {
                    <div class="vt-empty">
                        <p>"Your cart is empty."</p>
                        <p class="vt-muted">"Tap a product on the video to add it."</p>
                        <button type="button" class="vt-button" on:click=move |_| store.sheet.set(SheetState::Closed)>"Back to the show"</button>
                    </div>
                }.into_any(),
                Some(cart) => {
                    let blocked = cart.lines.iter().any(|l| l.available < i64::from(l.quantity));
                    view! {
                        <ul class="vt-lines">{cart.lines.into_iter().map(line_view).collect_view()}</ul>
                        <dl class="vt-totals">
                            <div><dt>"Subtotal"</dt><dd>{money(cart.subtotal_minor)}</dd></div>
                            <div><dt>"Shipping"</dt><dd>{if cart.shipping_minor == 0 { "Free".to_string() } else { money(cart.shipping_minor) }}</dd></div>
                            <div class="vt-totals__total"><dt>"Total"</dt><dd data-testid="cart-total">{money(cart.total_minor)}</dd></div>
                        </dl>
                        <p class="vt-problem" role="alert">{move || problem.get()}</p>
                        <button
                            type="button"
                            class="vt-button vt-button--primary"
                            data-testid="go-to-checkout"
                            disabled=move || busy.get() || blocked
                            on:click=move |_| store.sheet.set(SheetState::Checkout)
                        >"Checkout"</button>
                    }.into_any()
                }
            }}
        </Sheet>
    }
}
