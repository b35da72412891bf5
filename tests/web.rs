//! Component tests in a real browser (headless Chromium via wasm-bindgen-test):
//! what native tests cannot show, such as `Intl` formatting and DOM events.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use vetrina::api::Client;
use vetrina::ui::product_card::ProductCard;
use vetrina::ui::store::{Load, Sheet, Store};
use vetrina_wire::{Product, Show, ShowSnapshot, ShowStatus, Variant};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn product() -> Product {
    Product {
        id: 7,
        title: "Silk Scarf".into(),
        description: "Hand-rolled.".into(),
        image_url: "/x.svg".into(),
        option_names: vec!["Colour".into()],
        max_per_buyer: None,
        variants: vec![
            Variant {
                id: 70,
                options: vec!["Olive".into()],
                price_minor: 3500,
                compare_at_minor: Some(4500),
                stock: 2,
            },
            Variant { id: 71, options: vec!["Red".into()], price_minor: 3500, compare_at_minor: Some(4500), stock: 0 },
        ],
    }
}

fn snapshot() -> ShowSnapshot {
    ShowSnapshot {
        show: Show {
            id: "demo".into(),
            title: "Test show".into(),
            status: ShowStatus::Live,
            currency: "EUR".into(),
            locale: "en".into(),
            stream_url: "/v.mp4".into(),
            started_at_ms: 0,
            theme: Default::default(),
            shipping: Default::default(),
            poster_url: None,
            scheduled_for_ms: None,
            shopify_store: None,
            checkout_on_store: false,
        },
        products: vec![product()],
        pinned: vec![],
        last_event_id: 10,
        offers: vec![],
        payments: Default::default(),
        stripe: None,
    }
}

/// Mounts `view` in a fresh container with a store in context; returns both.
fn mount_with_store<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> (web_sys::HtmlElement, Store) {
    let document = document();
    let container: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    let cell = Rc::new(Cell::new(None));
    let out = cell.clone();
    let handle = leptos::mount::mount_to(container.clone(), move || {
        let store = Store::new(Client, "demo".into(), Some("en".into()));
        store.snapshot.set(Load::Ready(snapshot()));
        store.locale.set_value(Some("en-US".into()));
        provide_context(store);
        out.set(Some(store));
        view()
    });
    handle.forget();
    (container, cell.get().unwrap())
}

#[wasm_bindgen_test]
async fn product_card_shows_intl_price_and_opens_the_sheet() {
    let (container, store) = mount_with_store(|| view! { <ProductCard id=7 /> });
    let button = container.query_selector("button.vt-card").unwrap().expect("the card is a real button");
    let text = button.text_content().unwrap();
    assert!(text.contains("Silk Scarf"), "{text}");
    // Intl.NumberFormat in en-US, with the struck compare-at price and the saving.
    assert!(text.contains("€35.00"), "{text}");
    assert!(text.contains("€45.00"), "{text}");
    assert!(text.contains("-22%"), "{text}");
    assert!(text.contains("Only 2 left"), "{text}");

    button.unchecked_ref::<web_sys::HtmlElement>().click();
    leptos::task::tick().await;
    assert_eq!(store.sheet.get_untracked(), Sheet::Product(7));

    // Stock and price events reach the card while it is shown.
    store.board.set(vetrina::domain::timeline::PinBoard::from_snapshot(vec![7], 10));
    store.on_event_data(
        r#"{"id":11,"show_id":"demo","stream_ms":0,"type":"stock","product_id":7,"variant_id":70,"stock":0}"#,
    );
    store.on_event_data(r#"{"id":12,"show_id":"demo","stream_ms":0,"type":"price","product_id":7,"variant_id":70,"price_minor":2900,"compare_at_minor":4500}"#);
    leptos::task::tick().await;
    let text = container.query_selector("button.vt-card").unwrap().unwrap().text_content().unwrap();
    assert!(text.contains("Sold out"), "{text}");
    assert!(text.contains("€29.00"), "{text}");
}

#[wasm_bindgen_test]
async fn a_flash_drop_event_puts_its_price_and_countdown_on_the_card() {
    let (container, store) = mount_with_store(|| view! { <ProductCard id=7 /> });
    store.board.set(vetrina::domain::timeline::PinBoard::from_snapshot(vec![7], 10));
    let now = js_sys::Date::now() as i64;
    store.on_event_data(&format!(
        r#"{{"id":11,"show_id":"demo","stream_ms":0,"type":"offer","product_id":7,"variant_id":70,"offer_id":1,
            "price_minor":1900,"unit_cap":5,"per_buyer":1,"starts_at_ms":{},"ends_at_ms":{}}}"#,
        now - 1000,
        now + 20_000
    ));
    // The countdown's clock ticks in a task of its own.
    vetrina::browser::sleep(50).await;
    let text = container.query_selector("button.vt-card").unwrap().unwrap().text_content().unwrap();
    assert!(text.contains("€19.00"), "{text}");
    assert!(text.contains("Flash price"), "{text}");
    assert!(text.contains("0:2") || text.contains("0:19"), "{text}");
    // A malformed offer (no window) is dropped; the card keeps the good one.
    store.on_event_data(r#"{"id":12,"show_id":"demo","stream_ms":0,"type":"offer","product_id":7,"variant_id":70}"#);
    assert_eq!(store.board.get_untracked().last_id(), 11);
}

#[wasm_bindgen_test]
async fn malformed_events_are_dropped_and_good_ones_still_apply() {
    let (_container, store) = mount_with_store(|| ());
    store.board.set(vetrina::domain::timeline::PinBoard::from_snapshot(vec![], 10));
    store.on_event_data("{garbage");
    store.on_event_data(r#"{"id":11,"show_id":"elsewhere","stream_ms":0,"type":"pin","product_id":7}"#);
    assert!(store.board.get_untracked().pinned().is_empty());
    store.on_event_data(r#"{"id":12,"show_id":"demo","stream_ms":0,"type":"pin","product_id":7}"#);
    assert_eq!(store.board.get_untracked().pinned(), [7]);
    assert_eq!(store.announcement.get_untracked(), "Now showing: Silk Scarf");
    // The same event again (a reconnect replay) changes nothing.
    store.on_event_data(r#"{"id":12,"show_id":"demo","stream_ms":0,"type":"unpin","product_id":7}"#);
    assert_eq!(store.board.get_untracked().pinned(), [7]);
}

#[wasm_bindgen_test]
async fn a_shop_without_payments_says_so_instead_of_a_form() {
    let (container, store) = mount_with_store(|| view! { <vetrina::ui::checkout_sheet::CheckoutSheet /> });
    // A shop that takes orders shows the form.
    assert!(container.query_selector("form.vt-form").unwrap().is_some());
    drop(container);
    let mut closed = snapshot();
    closed.payments = vetrina_wire::Payments::Unavailable;
    let (container, _) = mount_with_store(move || {
        use_context::<Store>().unwrap().snapshot.set(Load::Ready(closed));
        view! { <vetrina::ui::checkout_sheet::CheckoutSheet /> }
    });
    leptos::task::tick().await;
    assert!(container.query_selector("form.vt-form").unwrap().is_none(), "a form nobody can submit");
    let note = container.query_selector("[data-testid=checkout-unavailable]").unwrap().expect("the shop says why");
    assert!(note.text_content().unwrap().contains("not taking orders"), "{:?}", note.text_content());
    let _ = store;
}
