//! A product's variants with their price and stock, editable during the show.
//! A saved change is an event every viewer's overlay already follows (the
//! card's price, "only 2 left", sold out); the run sheet updates from the
//! same stream. Prices are typed in major units and sent as minor units.

use leptos::prelude::*;
use vetrina_client::domain::money::{major_text, parse_major};
use vetrina_wire::{Product, VariantUpdate};

use crate::store::{explain, use_studio};
use crate::ui::flash_drop::FlashDrop;

#[component]
pub fn VariantEditor(product: Product, currency: String) -> impl IntoView {
    let studio = use_studio();
    let rows = product
        .variants
        .into_iter()
        .map(|v| {
            let currency = currency.clone();
            let label = if v.options.is_empty() { product.title.clone() } else { v.options.join(" / ") };
            let price = RwSignal::new(major_text(v.price_minor, &currency));
            let stock = RwSignal::new(v.stock.to_string());
            let problem = RwSignal::new(None::<String>);
            let busy = RwSignal::new(false);
            let (price_id, stock_id, problem_id) =
                (format!("vs-price-{}", v.id), format!("vs-stock-{}", v.id), format!("vs-variant-{}-problem", v.id));
            let title = product.title.clone();
            let price_label = format!("Price ({currency})");
            let group_label = label.clone();
            let (flash_variant, flash_label, flash_currency) = (v.clone(), label.clone(), currency.clone());
            let save = move |_| {
                let price_minor = match parse_major(&price.get_untracked(), &currency) {
                    Ok(p) => p,
                    Err(e) => return problem.set(Some(e.to_string())),
                };
                let Ok(units) = stock.get_untracked().trim().parse::<i64>().map_err(|_| ()).and_then(|s| {
                    if (0..=vetrina_wire::MAX_STOCK).contains(&s) {
                        Ok(s)
                    } else {
                        Err(())
                    }
                }) else {
                    return problem.set(Some("Stock is a whole number, 0 or more.".into()));
                };
                let Some(creator) = studio.creator.get_untracked() else { return };
                problem.set(None);
                busy.set(true);
                let update =
                    VariantUpdate { price_minor: Some(price_minor), compare_at_minor: None, stock: Some(units) };
                let title = title.clone();
                leptos::task::spawn_local(async move {
                    match creator.update_variant(v.id, &update).await {
                        Ok(_) => studio.tell(format!("Saved {title}: viewers see the new price and stock now."), false),
                        Err(e) => problem.set(Some(explain(&e))),
                    }
                    busy.set(false);
                });
            };
            view! {
                <div class="vs-variant" role="group" aria-label=group_label>
                    <span class="vs-variant__label">{label}</span>
                    <label for=price_id.clone()>{price_label}</label>
                    <input
                        id=price_id
                        inputmode="decimal"
                        autocomplete="off"
                        aria-describedby=problem_id.clone()
                        prop:value=price
                        on:input=move |ev| price.set(event_target_value(&ev))
                    />
                    <label for=stock_id.clone()>"Stock"</label>
                    <input
                        id=stock_id
                        inputmode="numeric"
                        autocomplete="off"
                        aria-describedby=problem_id.clone()
                        prop:value=stock
                        on:input=move |ev| stock.set(event_target_value(&ev))
                    />
                    <button type="button" class="vs-button" disabled=busy on:click=save>"Save"</button>
                    <span id=problem_id class="vs-problem" role="alert">{move || problem.get()}</span>
                </div>
                <FlashDrop variant=flash_variant label=flash_label currency=flash_currency />
            }
        })
        .collect_view();
    view! { <div class="vs-variants">{rows}</div> }
}
