//! The show's settings: title, stream, locale, schedule, currency, shipping,
//! theme and the sites allowed to embed it. They reach viewers who open the
//! show after the change (a viewer already watching keeps what they have);
//! going live and ending are in the top bar, since viewers follow those at once.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use vetrina_client::domain::money::{major_text, parse_major};
use vetrina_wire::{ShippingPolicy, ShowUpdate};

use crate::store::{explain, use_studio};

/// `ms` as a `datetime-local` value in the creator's time zone.
fn local_input(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// A `datetime-local` value (the creator's time zone) as ms since the epoch.
fn from_local_input(text: &str) -> Option<i64> {
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(text)).get_time();
    ms.is_finite().then_some(ms as i64)
}

#[component]
pub fn Settings() -> impl IntoView {
    let studio = use_studio();
    let current = studio.snapshot.get_untracked().map(|s| s.show);
    let field = |f: fn(&vetrina_wire::Show) -> String| RwSignal::new(current.as_ref().map(f).unwrap_or_default());
    let title = field(|s| s.title.clone());
    let stream = field(|s| s.stream_url.clone());
    let locale = field(|s| s.locale.clone());
    let currency = field(|s| s.currency.clone());
    let schedule = field(|s| s.scheduled_for_ms.map(local_input).unwrap_or_default());
    let flat = field(|s| major_text(s.shipping.flat_minor, &s.currency));
    let free_from = field(|s| s.shipping.free_from_minor.map(|m| major_text(m, &s.currency)).unwrap_or_default());
    let accent = field(|s| s.theme.get("accent").cloned().unwrap_or_else(|| "#d63a1a".into()));
    let radius = field(|s| s.theme.get("radius").cloned().unwrap_or_default());
    let shop = field(|s| s.shopify_store.clone().unwrap_or_default());
    let on_store = RwSignal::new(current.as_ref().is_some_and(|s| s.checkout_on_store));
    let origins = RwSignal::new(String::new());
    let origins_loaded = RwSignal::new(None::<String>);
    if let Some(creator) = studio.creator.get_untracked() {
        leptos::task::spawn_local(async move {
            if let Ok(list) = creator.embed_origins().await {
                let text = list.origins.join("\n");
                origins.set(text.clone());
                origins_loaded.set(Some(text));
            }
        });
    }
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let code = currency.get_untracked().trim().to_ascii_uppercase();
        let money = |text: &str| parse_major(text, &code).map_err(|e| format!("Shipping: {e}"));
        let shipping = match (money(&flat.get_untracked()), free_from.get_untracked().trim()) {
            (Err(e), _) => return problem.set(Some(e)),
            (Ok(flat_minor), "") => ShippingPolicy { flat_minor, free_from_minor: None },
            (Ok(flat_minor), free) => match money(free) {
                Ok(free) => ShippingPolicy { flat_minor, free_from_minor: Some(free) },
                Err(e) => return problem.set(Some(e)),
            },
        };
        let scheduled = match schedule.get_untracked().trim() {
            "" => None,
            text => match from_local_input(text) {
                Some(ms) => Some(ms),
                None => return problem.set(Some("The planned start is a date and a time.".into())),
            },
        };
        let mut theme = BTreeMap::new();
        for (name, value) in [("accent", accent.get_untracked()), ("radius", radius.get_untracked())] {
            if !value.trim().is_empty() {
                theme.insert(name.to_string(), value.trim().to_string());
            }
        }
        let update = ShowUpdate {
            status: None,
            title: Some(title.get_untracked()),
            stream_url: Some(stream.get_untracked().trim().to_string()),
            locale: Some(locale.get_untracked().trim().to_string()),
            scheduled_for_ms: Some(scheduled),
            currency: Some(code),
            shipping: Some(shipping),
            theme: Some(theme),
            shopify_store: Some(shop.get_untracked().trim().to_string()),
            checkout_on_store: Some(on_store.get_untracked()),
        };
        if update.checkout_on_store == Some(true) && update.shopify_store.as_deref() == Some("") {
            return problem.set(Some("Give the Shopify store's address first: that is where buyers will pay.".into()));
        }
        // The same rules the server applies, before asking it.
        if let Some((_, message)) = update.problem() {
            return problem.set(Some(message.into()));
        }
        let list: Vec<String> =
            origins.get_untracked().split_whitespace().map(str::to_string).filter(|o| !o.is_empty()).collect();
        let origins_changed = origins_loaded.get_untracked().as_deref() != Some(list.join("\n").as_str());
        let Some(creator) = studio.creator.get_untracked() else { return };
        problem.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let saved = match creator.update_show(&update).await {
                Ok(_) if origins_changed => creator.set_embed_origins(list).await.map(|kept| {
                    let text = kept.origins.join("\n");
                    origins.set(text.clone());
                    origins_loaded.set(Some(text));
                }),
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            };
            match saved {
                Ok(()) => {
                    studio.refresh();
                    studio.tell("Settings saved: viewers who open the show from now on see them.", false);
                }
                Err(e) => problem.set(Some(explain(&e))),
            }
            busy.set(false);
        });
    };
    let text_input = |id: &'static str, value: RwSignal<String>| {
        view! { <input id=id prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) /> }
    };
    view! {
        <form class="vs-settings" on:submit=save novalidate aria-labelledby="vs-settings-title">
            <h2 id="vs-settings-title">"Show settings"</h2>
            <label for="vs-title">"Title"</label>
            <input id="vs-title" maxlength="200" prop:value=title on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="vs-stream">"Stream URL (https:// or a path on this server)"</label>
            <input id="vs-stream" inputmode="url" prop:value=stream on:input=move |ev| stream.set(event_target_value(&ev)) />
            <label for="vs-locale">"Locale (for example it or it-IT)"</label>
            {text_input("vs-locale", locale)}
            <label for="vs-schedule">"Planned start (your time zone; empty: not planned)"</label>
            <input id="vs-schedule" type="datetime-local" prop:value=schedule on:input=move |ev| schedule.set(event_target_value(&ev)) />
            <label for="vs-currency">"Currency (ISO code; only before the first order, prices are not converted)"</label>
            <input id="vs-currency" maxlength="3" autocapitalize="characters" prop:value=currency on:input=move |ev| currency.set(event_target_value(&ev)) />
            <fieldset class="vs-fieldset">
                <legend>"Shipping"</legend>
                <label for="vs-ship-flat">"Flat rate"</label>
                <input id="vs-ship-flat" inputmode="decimal" prop:value=flat on:input=move |ev| flat.set(event_target_value(&ev)) />
                <label for="vs-ship-free">"Free from (empty: never free)"</label>
                <input id="vs-ship-free" inputmode="decimal" prop:value=free_from on:input=move |ev| free_from.set(event_target_value(&ev)) />
            </fieldset>
            <fieldset class="vs-fieldset">
                <legend>"Theme"</legend>
                <label for="vs-accent">"Accent colour"</label>
                <input id="vs-accent" type="color" prop:value=accent on:input=move |ev| accent.set(event_target_value(&ev)) />
                <label for="vs-radius">"Corner radius (for example 8px; empty: the overlay's)"</label>
                {text_input("vs-radius", radius)}
            </fieldset>
            <fieldset class="vs-fieldset">
                <legend>"Checkout"</legend>
                <label for="vs-shop">"Your Shopify store (for example brand.myshopify.com)"</label>
                <input id="vs-shop" inputmode="url" autocapitalize="none" spellcheck="false" prop:value=shop
                    on:input=move |ev| shop.set(event_target_value(&ev)) />
                <label class="vs-check">
                    <input type="checkbox" prop:checked=on_store on:change=move |ev| on_store.set(event_target_checked(&ev)) />
                    "Buyers pay on the Shopify store"
                </label>
                <p class="vs-muted">
                    "Their cart opens in your store's checkout, in a new tab, after the overlay tells them where they \
                     are going. Only products imported from the store's products.json can go there."
                </p>
            </fieldset>
            <label for="vs-origins">"Sites allowed to embed the show (one origin per line, e.g. https://brand.example)"</label>
            <textarea id="vs-origins" rows="3" prop:value=origins on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
            <p class="vs-problem" role="alert">{move || problem.get()}</p>
            <button type="submit" class="vs-button vs-button--primary" disabled=busy>"Save settings"</button>
        </form>
    }
}
