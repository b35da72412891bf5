//! Checkout: email, name and shipping address, each with the `autocomplete`
//! token that lets mobile autofill complete the form in one tap. The same
//! validation the server applies runs here first, so mistakes show beside their
//! field. Placing the order is safe to retry: the store reuses the idempotency key.
//!
//! On a shop that takes payments with Stripe, Stripe's own fields are mounted
//! when the sheet opens ([`crate::pay`]): the wallet buttons (Apple Pay, Google
//! Pay, Link) at the top, whose details fill the form, and the Payment Element
//! where the test shop's card list is; placing the order sends the
//! ConfirmationToken they make, and a 3-D Secure check runs in Stripe's modal
//! between two sends of the same request.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vetrina_wire::{Address, CheckoutRequest, FieldError, Payments, StripeClient, TEST_PAYMENT_TOKENS};

use crate::api::ApiError;
use crate::browser;
use crate::i18n::{fill, t, Text};
use crate::ui::sheet::Sheet;
use crate::ui::store::{use_store, Load, Placed, Sheet as SheetState, Store};

use crate::domain::checkout::COUNTRIES;

struct Field {
    key: &'static str,
    label: fn(&Text) -> &'static str,
    autocomplete: &'static str,
    input_type: &'static str,
    optional: bool,
}

const FIELDS: &[Field] = &[
    Field { key: "email", label: |t| t.email(), autocomplete: "email", input_type: "email", optional: false },
    Field { key: "name", label: |t| t.full_name(), autocomplete: "name", input_type: "text", optional: false },
    Field {
        key: "address.line1",
        label: |t| t.address(),
        autocomplete: "address-line1",
        input_type: "text",
        optional: false,
    },
    Field {
        key: "address.line2",
        label: |t| t.address_more(),
        autocomplete: "address-line2",
        input_type: "text",
        optional: true,
    },
    Field {
        key: "address.city",
        label: |t| t.city(),
        autocomplete: "address-level2",
        input_type: "text",
        optional: false,
    },
    Field {
        key: "address.postal_code",
        label: |t| t.postal_code(),
        autocomplete: "postal-code",
        input_type: "text",
        optional: false,
    },
];

#[component]
pub fn CheckoutSheet() -> impl IntoView {
    let store = use_store();
    // A returning viewer who asked to be remembered finds the form filled in.
    let saved = store.buyer.get_untracked();
    let remember = RwSignal::new(saved.is_some());
    let saved = saved.unwrap_or_default();
    let initial = |key: &str| match key {
        "email" => saved.email.clone(),
        "name" => saved.name.clone(),
        "address.line1" => saved.address.line1.clone(),
        "address.line2" => saved.address.line2.clone(),
        "address.city" => saved.address.city.clone(),
        "address.postal_code" => saved.address.postal_code.clone(),
        _ => String::new(),
    };
    let values: Vec<RwSignal<String>> = FIELDS.iter().map(|f| RwSignal::new(initial(f.key))).collect();
    let values = StoredValue::new(values);
    let country =
        RwSignal::new(if saved.address.country.is_empty() { "IT".to_string() } else { saved.address.country.clone() });
    let payment = RwSignal::new(if saved.payment_token.is_empty() {
        TEST_PAYMENT_TOKENS[0].0.to_string()
    } else {
        saved.payment_token.clone()
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let problem = RwSignal::new(None::<String>);
    let placing = RwSignal::new(false);

    let value_of = move |key: &str| {
        let i = FIELDS.iter().position(|f| f.key == key).unwrap_or(0);
        values.with_value(|v| v[i].get_untracked())
    };
    let request = move || CheckoutRequest {
        email: value_of("email").trim().to_string(),
        name: value_of("name").trim().to_string(),
        address: Address {
            line1: value_of("address.line1").trim().to_string(),
            line2: value_of("address.line2").trim().to_string(),
            city: value_of("address.city").trim().to_string(),
            postal_code: value_of("address.postal_code").trim().to_string(),
            country: country.get_untracked(),
        },
        payment_token: payment.get_untracked(),
    };

    // Stripe's fields, when this shop takes payments with Stripe (not in the
    // studio's preview, whose test orders the test provider charges).
    let stripe: Option<StripeClient> = store
        .snapshot
        .with_untracked(|s| match s {
            Load::Ready(s) if s.payments == Payments::Stripe => s.stripe.clone(),
            _ => None,
        })
        .filter(|_| store.sandbox.with_value(Option::is_none));
    let with_stripe = stripe.is_some();
    let fields = StoredValue::new_local(None::<crate::pay::Fields>);
    let pay_state = RwSignal::new(PayState::Loading);
    let wallets = RwSignal::new(false);
    let authenticating = RwSignal::new(false);

    // Sends the order; a bank's check in between runs in Stripe's modal, then
    // the same request (same key) finishes it or says why not.
    let place = move |req: CheckoutRequest| {
        spawn_local(async move {
            let mut outcome = store.checkout(&req).await;
            if let Ok(Placed::Authenticate { client_secret }) = &outcome {
                authenticating.set(true);
                let pay = fields.get_value();
                if let Some(pay) = pay {
                    if let Err(message) = pay.authenticate(client_secret).await {
                        browser::warn(&format!("vetrina: 3-D Secure: {message}"));
                    }
                }
                authenticating.set(false);
                outcome = store.checkout(&req).await;
            }
            match outcome {
                Ok(Placed::Order(order)) => {
                    store.remember_buyer(remember.get_untracked().then_some(&req));
                    store.sheet.set(SheetState::Confirmation(Box::new(order)));
                }
                Ok(Placed::Authenticate { .. }) => problem.set(Some(t().authenticating().into())),
                Err(ApiError::Server { fields, .. }) if !fields.is_empty() => {
                    errors.set(fields);
                    problem.set(Some(t().check_fields().into()));
                }
                Err(e) => problem.set(Some(explain(store, e).await)),
            }
            placing.set(false);
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if placing.get_untracked() {
            return;
        }
        let mut req = request();
        if with_stripe {
            // The token comes from Stripe's fields, below.
            req.payment_token = "ctoken_pending".into();
        }
        if let Err(fields) = req.validate() {
            errors.set(fields);
            problem.set(Some(t().check_fields().into()));
            return;
        }
        errors.set(Vec::new());
        problem.set(None);
        placing.set(true);
        if !with_stripe {
            place(req);
            return;
        }
        spawn_local(async move {
            let Some(pay) = fields.get_value() else {
                problem.set(Some(t().payment_form_failed().into()));
                placing.set(false);
                return;
            };
            let a = &req.address;
            let billing = crate::pay::Billing {
                name: &req.name,
                email: &req.email,
                line1: &a.line1,
                line2: &a.line2,
                city: &a.city,
                postal_code: &a.postal_code,
                country: &a.country,
            };
            match pay.token(&billing).await {
                Ok(token) => {
                    req.payment_token = token;
                    place(req);
                }
                // Stripe's own words, in the buyer's language (the card number is incomplete, …).
                Err(message) => {
                    problem.set(Some(message));
                    placing.set(false);
                }
            }
        });
    };

    // Mounts Stripe's fields once the sheet is on screen (again after a failure, on request).
    let stripe_client = StoredValue::new(stripe.clone());
    let mount_stripe = move || {
        let Some(client) = stripe_client.get_value() else { return };
        pay_state.set(PayState::Loading);
        spawn_local(async move {
            let (amount, currency, shipping) = store
                .cart
                .with_untracked(|c| c.as_ref().map(|c| (c.total_minor, c.currency.clone(), c.shipping_minor)))
                .unwrap_or((0, "EUR".into(), 0));
            let locale = store.locale.get_value().unwrap_or_default();
            let options = crate::pay::Options {
                publishable_key: &client.publishable_key,
                js_url: &client.js_url,
                locale: &locale,
                amount,
                currency: &currency,
                payment_selector: "#vt-pay-element",
                express_selector: "#vt-pay-express",
                countries: COUNTRIES,
                shipping_label: t().shipping(),
                shipping_minor: shipping,
            };
            let events = crate::pay::Events {
                on_ready: Box::new(move || pay_state.set(PayState::Ready)),
                on_express_ready: Box::new(move |any| wallets.set(any)),
                on_express: Box::new(move |token, w| {
                    // The wallet's details fill the form, so what is sent is what is shown.
                    for (key, value) in [
                        ("email", &w.email),
                        ("name", &w.name),
                        ("address.line1", &w.line1),
                        ("address.line2", &w.line2),
                        ("address.city", &w.city),
                        ("address.postal_code", &w.postal_code),
                    ] {
                        if !value.is_empty() {
                            let i = FIELDS.iter().position(|f| f.key == key).unwrap_or(0);
                            values.with_value(|v| v[i].set(value.clone()));
                        }
                    }
                    if COUNTRIES.contains(&w.country.as_str()) {
                        country.set(w.country.clone());
                    }
                    let mut req = request();
                    req.payment_token = token;
                    if let Err(fields) = req.validate() {
                        errors.set(fields);
                        problem.set(Some(t().check_fields().into()));
                        return;
                    }
                    errors.set(Vec::new());
                    problem.set(None);
                    placing.set(true);
                    place(req);
                }),
                on_express_error: Box::new(move |message| problem.set(Some(message))),
            };
            match crate::pay::mount(&options, events).await {
                Ok(mounted) => fields.set_value(Some(mounted)),
                Err(message) => {
                    browser::warn(&format!("vetrina: the payment form: {message}"));
                    pay_state.set(PayState::Failed);
                }
            }
        });
    };
    if with_stripe {
        // After this render is in the document (the elements need their containers).
        request_animation_frame(mount_stripe);
        on_cleanup(move || fields.set_value(None));
    }

    // In the viewer's language for the fields we know; a backend's own words otherwise.
    let error_for = move |key: &'static str| {
        move || {
            errors.with(|e| {
                let found = e.iter().find(|f| f.field == key)?;
                Some(t().field_error(key).map_or_else(|| found.message.clone(), str::to_string))
            })
        }
    };
    let inputs = FIELDS
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let value = values.with_value(|v| v[i]);
            let id = format!("vt-f-{}", f.key.replace('.', "-"));
            let err_id = format!("{id}-error");
            let error = error_for(f.key);
            let has_error = move || error_for(f.key)().is_some();
            view! {
                <div class="vt-field" class:vt-field--invalid=has_error>
                    <label for=id.clone()>{(f.label)(t())}</label>
                    <input
                        id=id
                        name=f.key
                        type=f.input_type
                        autocomplete=f.autocomplete
                        required=!f.optional
                        inputmode=if f.input_type == "email" { "email" } else { "text" }
                        aria-invalid=move || has_error().to_string()
                        aria-describedby=err_id.clone()
                        prop:value=move || value.get()
                        on:input=move |ev| {
                            value.set(event_target_value(&ev));
                            errors.update(|e| e.retain(|fe| fe.field != f.key));
                        }
                    />
                    <span class="vt-field__error" id=err_id>{error}</span>
                </div>
            }
        })
        .collect_view();
    let total = move || store.cart.with(|c| c.as_ref().map(|c| store.money(c.total_minor, &c.currency)));
    let locale = store.locale.get_value().unwrap_or_default();
    let t = t();

    // A shop with no payment provider says so before anyone fills the form
    // (a studio preview's test orders still go through).
    let closed = store.snapshot.with_untracked(|s| match s {
        Load::Ready(s) => s.payments == Payments::Unavailable,
        _ => false,
    }) && store.sandbox.with_value(Option::is_none);
    if closed {
        return view! {
            <Sheet title=t.checkout_title().to_string() id="checkout">
                <p class="vt-problem vt-problem--closed" role="status" data-testid="checkout-unavailable">{t.checkout_unavailable()}</p>
                <button type="button" class="vt-button" on:click=move |_| store.sheet.set(SheetState::Cart)>{t.back_to_cart()}</button>
            </Sheet>
        }
        .into_any();
    }

    view! {
        <Sheet title=t.checkout_title().to_string() id="checkout">
            {store.sandbox.with_value(Option::is_some).then(|| view! { <p class="vt-test-note">{t.test_mode()}</p> })}
            <form class="vt-form" on:submit=submit novalidate>
                {with_stripe.then(|| view! {
                    // Laid out from the start (Stripe measures it); empty where no wallet is offered.
                    <div class="vt-pay__wallets">
                        <div id="vt-pay-express"></div>
                        <p class="vt-pay__or" hidden=move || !wallets.get()>{t.or_pay_by_card()}</p>
                    </div>
                })}
                {inputs}
                <div class="vt-field">
                    <label for="vt-f-country">{t.country()}</label>
                    <select
                        id="vt-f-country"
                        name="country"
                        autocomplete="country"
                        prop:value=move || country.get()
                        on:change=move |ev| country.set(event_target_value(&ev))
                    >
                        {COUNTRIES.iter().map(|code| view! { <option value=*code>{browser::region_name(code, &locale)}</option> }).collect_view()}
                    </select>
                    <span class="vt-field__error">{error_for("address.country")}</span>
                </div>
                {with_stripe.then(|| view! {
                    <div class="vt-field vt-pay" data-testid="stripe-fields">
                        <span class="vt-pay__label" id="vt-pay-label">{t.payment_real()}</span>
                        <div id="vt-pay-element" class="vt-pay__element" role="group" aria-labelledby="vt-pay-label"></div>
                        <p class="vt-pay__status" role="status">
                            {move || match pay_state.get() {
                                PayState::Loading => Some(view! { <span class="vt-pay__loading">{t.payment_loading()}</span> }.into_any()),
                                PayState::Failed => Some(view! {
                                    <span class="vt-problem">{t.payment_form_failed()}</span>
                                    " "
                                    <button type="button" class="vt-link-button" on:click=move |_| mount_stripe()>{t.try_again()}</button>
                                }.into_any()),
                                PayState::Ready => None,
                            }}
                            {move || authenticating.get().then(|| t.authenticating())}
                        </p>
                    </div>
                })}
                {(!with_stripe).then(|| view! {
                <div class="vt-field">
                    <label for="vt-f-payment">{t.payment()}</label>
                    <select
                        id="vt-f-payment"
                        name="payment"
                        prop:value=move || payment.get()
                        on:change=move |ev| payment.set(event_target_value(&ev))
                    >
                        {TEST_PAYMENT_TOKENS
                            .iter()
                            .map(|(token, outcome)| {
                                let label = if *outcome == "approved" { t.test_card_approves() } else { t.test_card_declines() };
                                view! { <option value=*token>{fill(label, &[token])}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                })}
                <label class="vt-check">
                    <input
                        type="checkbox"
                        name="remember"
                        prop:checked=move || remember.get()
                        on:change=move |ev| remember.set(event_target_checked(&ev))
                    />
                    " " {t.remember_me()}
                </label>
                <p class="vt-problem" role="alert">{move || problem.get()}</p>
                <button type="submit" class="vt-button vt-button--primary" data-testid="place-order" disabled=move || placing.get()>
                    {move || if placing.get() { t.placing_order().to_string() } else { match total() { Some(total) => fill(t.place_order_total(), &[&total]), None => t.place_order().into() } }}
                </button>
                <button type="button" class="vt-link-button" on:click=move |_| store.sheet.set(SheetState::Cart)>{t.back_to_cart()}</button>
            </form>
        </Sheet>
    }
    .into_any()
}

/// Stripe's fields: loading them, ready, or they could not load.
#[derive(Clone, Copy, PartialEq)]
enum PayState {
    Loading,
    Ready,
    Failed,
}

/// What the buyer is told when placing the order failed.
async fn explain(store: Store, e: ApiError) -> String {
    if matches!(e.code(), "sold_out" | "insufficient_stock") {
        // Fetch the cart again to name the lines the stock cannot cover.
        store.reload_cart().await;
        let short: Vec<String> = store.cart.with_untracked(|c| {
            c.iter().flat_map(|c| &c.lines).filter(|l| l.is_short()).map(|l| l.title.clone()).collect()
        });
        let reason = if short.is_empty() { e.user_message() } else { fill(t().not_enough_of(), &[&short.join(", ")]) };
        fill(t().change_cart(), &[&reason])
    } else {
        e.user_message()
    }
}
