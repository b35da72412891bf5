//! A product's detail: picture, description, one row of choices per option
//! (values that are sold out or do not exist with the rest are disabled), a
//! quantity, and "Add to cart" or "Buy now" once a buyable variant is chosen. For a viewer who
//! asked to be remembered, and whose cart holds nothing else, "Buy now" places
//! the order at once; the note under the buttons says so, with the whole cost.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vetrina_wire::Product;

use crate::domain::variants::{self, stock_hint, Choice, StockHint};
use crate::i18n::{fill, only_left, t};
use crate::ui::flash::FlashTag;
use crate::ui::price::Price;
use crate::ui::sheet::Sheet;
use crate::ui::stepper::Stepper;
use crate::ui::store::{use_store, Load, Placed, Sheet as SheetState};

#[component]
pub fn ProductSheet(product: Product) -> impl IntoView {
    let store = use_store();
    let currency = store.currency();
    // The brand's analytics (embedded only): the product as it opens, its first variant.
    if let Some(v) = product.variants.first() {
        store.track_lines("view_item", &[(v.id, 1)], None);
    }
    let product = StoredValue::new(product);
    let selection = RwSignal::new(product.with_value(variants::initial_selection));
    // Which button's action is under way (`Some(true)`: Buy now), if any.
    let adding = RwSignal::new(None::<bool>);
    let problem = RwSignal::new(None::<String>);
    let chosen =
        Memo::new(move |_| selection.with(|s| product.with_value(|p| variants::selected_variant(p, s).cloned())));
    // How many: at most what this variant allows, and never more than that as
    // another pick (or a stock event) lowers it.
    // A flash drop on one of this product's variants, running for this viewer's video.
    let offer = Memo::new(move |_| product.with_value(|p| store.running_offer(p)));
    // A flash price on the chosen variant caps the quantity at its per-buyer limit.
    let max = Memo::new(move |_| {
        let chosen = chosen.get();
        let most = product.with_value(|p| variants::max_quantity(p, chosen.as_ref()));
        match offer.get().filter(|o| chosen.as_ref().is_some_and(|v| v.id == o.variant_id)) {
            Some(o) => most.min(o.per_buyer),
            None => most,
        }
    });
    let picked = RwSignal::new(1u32);
    let quantity = Signal::derive(move || variants::clamp_quantity(picked.get(), max.get()).max(1));

    // Who "Buy now" orders for at once, if anyone: a remembered buyer with
    // something remembered to pay with (never with a provider whose tokens are
    // single-use, Stripe: then Buy now opens the checkout, its wallet buttons
    // at the top), when this item will be the whole order (never when the
    // brand's page keeps the cart, or when buyers pay on the brand's store:
    // their checkouts are their own). The tap and the
    // note under it ask this, so the note says what the tap does.
    let express_buyer = move || {
        store.buyer.get().filter(|b| {
            !b.payment_token.is_empty()
                && store.host_cart.get().is_none()
                && store.pays_on_store().is_none()
                && store.cart.with(|c| c.as_ref().is_none_or(|c| c.lines.is_empty()))
        })
    };
    // "Add to cart" closes the sheet; "Buy now" adds and goes straight to checkout.
    let add = move |buy_now: bool| {
        let Some(variant) = chosen.get_untracked() else {
            let missing = selection.with_untracked(variants::first_missing);
            let name = missing.and_then(|d| product.with_value(|p| p.option_names.get(d).cloned()));
            let name = name.map_or_else(|| t().variant().to_string(), |n| n.to_lowercase());
            problem.set(Some(fill(t().choose_first(), &[&name])));
            return;
        };
        if adding.get_untracked().is_some() {
            return;
        }
        adding.set(Some(buy_now));
        problem.set(None);
        let express = untrack(express_buyer);
        let quantity = quantity.get_untracked();
        spawn_local(async move {
            match store.add_to_cart(variant.id, quantity).await {
                // A remembered buyer with nothing else in the cart buys right here:
                // this tap is their confirmation (the button says what and where).
                Ok(()) if buy_now => match express {
                    Some(buyer) => {
                        match store.checkout(&buyer).await {
                            Ok(Placed::Order(order)) => store.sheet.set(SheetState::Confirmation(Box::new(order))),
                            Ok(Placed::Authenticate { .. }) => store.sheet.set(SheetState::Checkout),
                            // Anything unexpected: show the full checkout, with the reason.
                            Err(e) => {
                                store.tell(e.user_message(), true);
                                store.sheet.set(SheetState::Checkout);
                            }
                        }
                    }
                    _ => store.begin_checkout(),
                },
                Ok(()) => {
                    let title = product.with_value(|p| p.title.clone());
                    store.tell(fill(t().added(), &[&title]), false);
                    store.sheet.set(SheetState::Closed);
                }
                Err(e) => problem.set(Some(e.user_message())),
            }
            adding.set(None);
        });
    };

    let option_rows = product.with_value(|p| {
        p.option_names
            .iter()
            .enumerate()
            .map(|(dim, name)| {
                let values = variants::values(p, dim);
                let name = name.clone();
                view! {
                    <fieldset class="vt-options">
                        <legend class="vt-options__legend">
                            {name.clone()}
                            <span class="vt-options__chosen">
                                {move || selection.with(|s| s.get(dim).cloned().flatten()).map(|v| format!(": {v}"))}
                            </span>
                        </legend>
                        <div class="vt-options__values">
                            {values
                                .into_iter()
                                .map(|value| {
                                    let v = value.clone();
                                    let state = Memo::new(move |_| {
                                        selection.with(|s| product.with_value(|p| variants::choice(p, s, dim, &v)))
                                    });
                                    let v = value.clone();
                                    let pressed = move || selection.with(|s| s.get(dim).cloned().flatten().as_deref() == Some(v.as_str()));
                                    let v = value.clone();
                                    let pick = move |_| {
                                        problem.set(None);
                                        selection.update(|s| *s = product.with_value(|p| variants::select(p, s, dim, &v)));
                                    };
                                    let label = value.clone();
                                    view! {
                                        <button
                                            type="button"
                                            class="vt-option"
                                            class:vt-option--sold-out=move || state.get() == Choice::SoldOut
                                            aria-pressed=move || pressed().to_string()
                                            disabled=move || state.get() != Choice::Available
                                            on:click=pick
                                        >
                                            {label}
                                            {move || (state.get() == Choice::SoldOut).then(|| view! {
                                                <span class="vt-visually-hidden">{t().sold_out_suffix()}</span>
                                            })}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                    </fieldset>
                }
            })
            .collect_view()
    });

    let sold_out_or_busy = move || adding.get().is_some() || chosen.get().is_some_and(|v| v.stock <= 0);
    let title = product.with_value(|p| p.title.clone());
    let varied = product.with_value(|p| p.variants.iter().any(|v| Some(v.price_minor) != p.from_price_minor()));
    let (image, description) = product.with_value(|p| (p.image_url.clone(), p.description.clone()));
    let summary_currency = currency.clone();
    view! {
        <Sheet title=title.clone() id="product">
            <div class="vt-product">
                <img class="vt-product__image" src=image alt=title width="120" height="120" />
                <div class="vt-product__info">
                    {move || {
                        let currency = summary_currency.clone();
                        // The flash price, when the chosen variant is the drop's.
                        let flash = offer.get().filter(|o| chosen.get().is_some_and(|v| v.id == o.variant_id));
                        match (chosen.get(), flash) {
                            (Some(v), Some(o)) => view! { <Price minor=o.price_minor currency=currency compare_at=Some(v.price_minor) /> }.into_any(),
                            (Some(v), None) => view! { <Price minor=v.price_minor currency=currency compare_at=v.compare_at_minor /> }.into_any(),
                            (None, _) => product.with_value(|p| view! {
                                <Price minor=p.from_price_minor().unwrap_or(0) currency=currency compare_at=p.from_compare_at_minor() from=varied />
                            }).into_any(),
                        }
                    }}
                    {move || offer.get().map(|o| {
                        // Which variant, when it is not simply the product.
                        let on = product.with_value(|p| {
                            p.variants.iter().find(|v| v.id == o.variant_id).map(|v| v.options.join(" / ")).filter(|s| !s.is_empty())
                        });
                        let limit = fill(t().flash_limit(), &[&o.per_buyer.to_string()]);
                        view! {
                            <p class="vt-flash-note" data-testid="flash-note">
                                <FlashTag offer=o />
                                {on.map(|on| view! { " " <span>{fill(t().flash_on(), &[&on])}</span> })}
                                " " <span>{limit}</span>
                            </p>
                        }
                    })}
                    <p class="vt-product__description">{description}</p>
                    {move || chosen.get().map(|v| match stock_hint(v.stock) {
                        StockHint::SoldOut => view! { <p class="vt-hint vt-hint--out">{t().sold_out()}</p> }.into_any(),
                        StockHint::Low(n) => view! { <p class="vt-hint vt-hint--low">{only_left(n)}</p> }.into_any(),
                        StockHint::InStock => view! { <p class="vt-hint">{t().in_stock()}</p> }.into_any(),
                    })}
                </div>
            </div>
            {option_rows}
            <div class="vt-quantity">
                <span class="vt-options__legend" aria-hidden="true">{t().quantity()}</span>
                <Stepper
                    value=quantity
                    min=1
                    max=max.into()
                    label=fill(t().quantity_of(), &[&product.with_value(|p| p.title.clone())])
                    disabled=sold_out_or_busy
                    on_change=Callback::new(move |n| picked.set(n))
                />
            </div>
            <p class="vt-problem" role="alert">{move || problem.get()}</p>
            <div class="vt-actions">
                <button
                    type="button"
                    class="vt-button"
                    data-testid="add-to-cart"
                    disabled=sold_out_or_busy
                    on:click=move |_| add(false)
                >
                    {move || match (adding.get(), chosen.get().is_some_and(|v| v.stock <= 0)) {
                        (Some(false), _) => t().adding(),
                        (_, true) => t().sold_out(),
                        _ => t().add_to_cart(),
                    }}
                </button>
                <button
                    type="button"
                    class="vt-button vt-button--primary"
                    data-testid="buy-now"
                    disabled=sold_out_or_busy
                    on:click=move |_| add(true)
                >
                    {move || if adding.get() == Some(true) { t().buying() } else { t().buy_now() }}
                </button>
            </div>
            {move || {
                let buyer = express_buyer()?;
                let variant = chosen.get()?;
                // The whole cost before the tap: the price and the show's published shipping.
                let currency = store.currency();
                let subtotal = variant.price_minor * i64::from(quantity.get());
                let shipping = store.snapshot.with(|s| match s {
                    Load::Ready(s) => s.show.shipping.shipping_for(subtotal),
                    _ => 0,
                });
                let price = store.money(subtotal, &currency);
                let cost = match shipping {
                    0 => fill(t().cost_free_shipping(), &[&price]),
                    s => fill(t().cost_plus_shipping(), &[&price, &store.money(s, &currency)]),
                };
                Some(view! {
                    <p class="vt-muted" data-testid="express-note">
                        {fill(t().express_note(), &[&cost, &buyer.name, &buyer.address.city])}
                    </p>
                })
            }}
        </Sheet>
    }
}
