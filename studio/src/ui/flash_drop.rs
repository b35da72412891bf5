//! Starting a flash drop on a variant from the run sheet: a lower price for
//! 5 to 600 seconds, capped in units and per buyer. Viewers see it on their
//! cards with a countdown on their own video's clock; while it runs here,
//! the studio counts it down on the live edge's.

use std::time::Duration;

use leptos::prelude::*;
use vetrina_client::domain::money::{major_text, parse_major};
use vetrina_client::domain::offer::{countdown, running_on};
use vetrina_wire::{NewOffer, Variant};

use crate::store::{explain, use_studio};

#[component]
pub fn FlashDrop(variant: Variant, label: String, currency: String) -> impl IntoView {
    let studio = use_studio();
    let suggested = major_text(variant.price_minor * 8 / 10, &currency);
    let price = RwSignal::new(suggested);
    let units = RwSignal::new(variant.stock.clamp(1, 20).to_string());
    let per_buyer = RwSignal::new(String::from("1"));
    let seconds = RwSignal::new(String::from("30"));
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The live edge's clock, ticking while the studio is open on this form.
    let now = RwSignal::new(js_sys::Date::now() as i64);
    if let Ok(tick) = set_interval_with_handle(move || now.set(js_sys::Date::now() as i64), Duration::from_millis(500))
    {
        on_cleanup(move || tick.clear());
    }
    // A memo: the form below is rebuilt only when a drop starts or ends, not
    // at every tick of the clock (rebuilt every half second, its fields lost
    // the creator's focus and what they were typing; CI caught a value typed
    // into a field as it was replaced).
    let running = Memo::new(move |_| {
        let at = now.get();
        studio.snapshot.with(|s| s.as_ref().and_then(|s| running_on(&s.offers, variant.id, at).cloned()))
    });
    let id = |what: &str| format!("vs-flash-{what}-{}", variant.id);
    let (price_id, units_id, buyer_id, seconds_id, problem_id) =
        (id("price"), id("units"), id("buyer"), id("seconds"), id("problem"));
    let regular = variant.price_minor;
    let money_currency = currency.clone();
    let start = move |_| {
        let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().ok();
        let price_minor = match parse_major(&price.get_untracked(), &currency) {
            Ok(p) => p,
            Err(e) => return problem.set(Some(e.to_string())),
        };
        let (Some(unit_cap), Some(per), Some(duration_s)) = (number(units), number(per_buyer), number(seconds)) else {
            return problem.set(Some("Units, per buyer and seconds are whole numbers.".into()));
        };
        let offer = NewOffer { variant_id: variant.id, price_minor, unit_cap, per_buyer: per, duration_s };
        // The server's rules, before asking it.
        if let Some(vetrina_wire::FieldError { message, .. }) = offer.problem(regular) {
            return problem.set(Some(message));
        }
        let Some(creator) = studio.creator.get_untracked() else { return };
        problem.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match creator.start_offer(&offer).await {
                Ok(_) => {
                    studio.tell(format!("Flash drop started: {duration_s} s on viewers' own video clocks."), false)
                }
                Err(e) => problem.set(Some(explain(&e))),
            }
            busy.set(false);
        });
    };
    let group_label = format!("Flash drop: {label}");
    let problem_span = problem_id.clone();
    view! {
        <div class="vs-flash" role="group" aria-label=group_label>
            {move || match running.get() {
                Some(o) => {
                    let price = vetrina_client::browser::format_money(o.price_minor, &money_currency, None);
                    let label = label.clone();
                    // Only the words tick.
                    let text = move || {
                        let left = countdown(&o, now.get());
                        format!("Flash drop on {label}: {price}, {} units, {} per buyer, {left} left at the live edge", o.unit_cap, o.per_buyer)
                    };
                    view! {
                        <p class="vs-flash__running" data-testid="flash-running">{text}</p>
                    }
                    .into_any()
                }
                None => view! {
                    <span class="vs-variant__label">{format!("Flash drop · {label}")}</span>
                    <label for=price_id.clone()>"Price"</label>
                    <input id=price_id.clone() inputmode="decimal" autocomplete="off" aria-describedby=problem_id.clone() prop:value=price on:input=move |ev| price.set(event_target_value(&ev)) />
                    <label for=units_id.clone()>"Units"</label>
                    <input id=units_id.clone() inputmode="numeric" autocomplete="off" aria-describedby=problem_id.clone() prop:value=units on:input=move |ev| units.set(event_target_value(&ev)) />
                    <label for=buyer_id.clone()>"Per buyer"</label>
                    <input id=buyer_id.clone() inputmode="numeric" autocomplete="off" aria-describedby=problem_id.clone() prop:value=per_buyer on:input=move |ev| per_buyer.set(event_target_value(&ev)) />
                    <label for=seconds_id.clone()>"Seconds (5–600)"</label>
                    <input id=seconds_id.clone() inputmode="numeric" autocomplete="off" aria-describedby=problem_id.clone() prop:value=seconds on:input=move |ev| seconds.set(event_target_value(&ev)) />
                    <button type="button" class="vs-button vs-button--primary" disabled=busy on:click=start.clone()>"Start flash drop"</button>
                }
                .into_any(),
            }}
            <span id=problem_span class="vs-problem" role="alert">{move || problem.get()}</span>
        </div>
    }
}
