//! The cart: lines with quantity steppers and remove, totals computed by the
//! server, and the way on to checkout. A line's problems show on the line
//! itself: stock that can no longer cover it, a price changed since it was
//! added, a refused quantity (a per-buyer limit, say).

use leptos::prelude::*;
use leptos::task::spawn_local;
use vetrina_wire::{CartLine, MAX_LINE_QUANTITY};
use wasm_bindgen::JsCast;

use crate::i18n::{fill, only_left, t};
use crate::ui::sheet::Sheet;
use crate::ui::stepper::Stepper;
use crate::ui::store::{use_store, Sheet as SheetState};

#[component]
pub fn CartSheet() -> impl IntoView {
    let store = use_store();
    let busy = RwSignal::new(false);
    // A refused change, and the line it belongs to: shown on that line.
    let problem = RwSignal::new(None::<(i64, String)>);
    let change = move |variant_id: i64, quantity: u32| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        // The line re-renders with its new quantity; keep the keyboard on the
        // same control of the same line ("One more" again, say).
        let label = document().active_element().and_then(|e| e.get_attribute("aria-label"));
        spawn_local(async move {
            if let Err(e) = store.set_quantity(variant_id, quantity).await {
                problem.set(Some((variant_id, e.user_message())));
            }
            busy.set(false);
            if let Some(label) = label {
                request_animation_frame(move || {
                    let selector = format!(".vt-line[data-variant-id=\"{variant_id}\"] [aria-label=\"{label}\"]");
                    if let Some(el) = document().query_selector(&selector).ok().flatten() {
                        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
                    }
                });
            }
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
        let short = line.is_short();
        let options = line.options.join(" · ");
        let was = line.added_price_minor.filter(|was| *was != line.unit_price_minor);
        let max = line.max_quantity.unwrap_or(MAX_LINE_QUANTITY);
        view! {
            <li class="vt-line" data-variant-id=id>
                <img class="vt-line__image" src=line.image_url.clone() alt="" width="56" height="56" />
                <div class="vt-line__text">
                    <span class="vt-line__title">{line.title.clone()}</span>
                    <span class="vt-line__options">{options}</span>
                    <span class="vt-line__price">{money(line.line_total_minor)}</span>
                    {short.then(|| view! {
                        <span class="vt-hint vt-hint--out">
                            {if line.available <= 0 { t().line_sold_out().to_string() } else { only_left(line.available) }}
                        </span>
                    })}
                    {was.map(|was| view! {
                        <span class="vt-hint vt-hint--low" data-testid="price-changed">{fill(t().price_changed(), &[&money(was)])}</span>
                    })}
                    {move || problem.get().filter(|(v, _)| *v == id).map(|(_, text)| view! {
                        <span class="vt-hint vt-hint--out" role="alert">{text}</span>
                    })}
                </div>
                <Stepper
                    value=Signal::stored(q)
                    min=0
                    max=Signal::stored(max)
                    label=fill(t().quantity_of(), &[&line.title])
                    disabled=busy
                    on_change=Callback::new(move |n| change(id, n))
                />
                <button type="button" class="vt-link-button" on:click=move |_| change(id, 0) disabled=move || busy.get()>
                    {t().remove()}<span class="vt-visually-hidden">{format!(" {}", line.title)}</span>
                </button>
            </li>
        }
    };
    view! {
        <Sheet title=t().cart_title().to_string() id="cart">
            {move || match store.cart.get().filter(|c| !c.lines.is_empty()) {
                None => view! {
                    <div class="vt-empty">
                        <p>{t().cart_empty()}</p>
                        <p class="vt-muted">{t().cart_empty_hint()}</p>
                        <button type="button" class="vt-button" on:click=move |_| store.sheet.set(SheetState::Closed)>{t().back_to_show()}</button>
                    </div>
                }.into_any(),
                Some(cart) => {
                    let blocked = cart.lines.iter().any(CartLine::is_short);
                    view! {
                        <ul class="vt-lines">{cart.lines.into_iter().map(line_view).collect_view()}</ul>
                        <dl class="vt-totals">
                            <div><dt>{t().subtotal()}</dt><dd>{money(cart.subtotal_minor)}</dd></div>
                            <div><dt>{t().shipping()}</dt><dd>{if cart.shipping_minor == 0 { t().free().to_string() } else { money(cart.shipping_minor) }}</dd></div>
                            <div class="vt-totals__total"><dt>{t().total()}</dt><dd data-testid="cart-total">{money(cart.total_minor)}</dd></div>
                        </dl>
                        <button
                            type="button"
                            class="vt-button vt-button--primary"
                            data-testid="go-to-checkout"
                            disabled=move || busy.get() || blocked
                            on:click=move |_| store.begin_checkout()
                        >{move || match store.pays_on_store() {
                            Some(site) => fill(t().pay_on_store(), &[&site]),
                            None => t().go_to_checkout().to_string(),
                        }}</button>
                    }.into_any()
                }
            }}
        </Sheet>
    }
}
