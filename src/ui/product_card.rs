//! A product's card, pinned over the video or on the shelf: one button (image, title, price, stock hint) that
//! opens the product's detail sheet, and beside it, when there is nothing to
//! choose (one variant, in stock), "Buy now": the item goes in the cart and
//! the checkout opens, its wallet buttons at the top, so a buyer pays in two
//! taps plus the wallet's own confirmation. It follows the catalogue live, so
//! stock and price events show on the card as they arrive.

use leptos::prelude::*;

use crate::domain::variants::{stock_hint, StockHint};
use crate::i18n::{fill, only_left, t};
use crate::ui::flash::FlashTag;
use crate::ui::price::Price;
use crate::ui::store::{use_store, Sheet};

#[component]
pub fn ProductCard(
    id: i64,
    /// Marks the card "Pinned now" (on the shelf, where not every card is pinned).
    #[prop(optional)]
    pinned: bool,
) -> impl IntoView {
    let store = use_store();
    let product = Memo::new(move |_| store.product(id));
    // Changes only when a drop starts or ends for this viewer, not every tick.
    let offer = Memo::new(move |_| product.get().and_then(|p| store.running_offer(&p)));
    // The one variant to buy, when there is nothing to choose.
    let only = Memo::new(move |_| {
        product
            .with(|p| p.as_ref().filter(|p| p.variants.len() == 1 && p.variants[0].stock > 0).map(|p| p.variants[0].id))
    });
    let buying = RwSignal::new(false);
    let buy = move |_| {
        let Some(variant) = only.get_untracked() else { return };
        if buying.get_untracked() {
            return;
        }
        store.report_tap(id);
        buying.set(true);
        leptos::task::spawn_local(async move {
            match store.add_to_cart(variant, 1).await {
                Ok(()) => store.begin_checkout(),
                Err(e) => store.tell(e.user_message(), true),
            }
            buying.try_set(false);
        });
    };
    move || {
        product.get().map(|product| {
            let varied = product.variants.iter().any(|v| Some(v.price_minor) != product.from_price_minor());
            let hint = match stock_hint(product.total_stock()) {
                StockHint::SoldOut => Some((t().sold_out().to_string(), "vt-hint vt-hint--out")),
                StockHint::Low(n) => Some((only_left(n), "vt-hint vt-hint--low")),
                StockHint::InStock => None,
            };
            let buy_label = fill(t().buy_now_of(), &[&product.title]);
            view! {
                <div class="vt-card-row">
                <button
                    type="button"
                    class="vt-card"
                    data-product-id=id
                    on:click=move |_| {
                        store.report_tap(id);
                        store.sheet.set(Sheet::Product(id));
                    }
                >
                    <img class="vt-card__image" src=product.image_url.clone() alt="" width="64" height="64" />
                    <span class="vt-card__text">
                        <span class="vt-card__title">{product.title.clone()}</span>
                        {move || match offer.get() {
                            Some(o) => {
                                let regular = product.variants.iter().find(|v| v.id == o.variant_id).map(|v| v.price_minor);
                                view! {
                                    <Price minor=o.price_minor currency=store.currency() compare_at=regular />
                                    <FlashTag offer=o />
                                }
                                .into_any()
                            }
                            None => view! {
                                <Price
                                    minor=product.from_price_minor().unwrap_or(0)
                                    currency=store.currency()
                                    compare_at=product.from_compare_at_minor()
                                    from=varied
                                />
                            }
                            .into_any(),
                        }}
                        {hint.map(|(text, class)| view! { <span class=class>{text}</span> })}
                        {pinned.then(|| view! { <span class="vt-card__pinned">{t().pinned_now()}</span> })}
                    </span>
                    {move || only.get().is_none().then(|| view! { <span class="vt-card__cta" aria-hidden="true">"›"</span> })}
                </button>
                {move || only.get().map(|_| view! {
                    <button
                        type="button"
                        class="vt-card-buy"
                        data-testid="card-buy-now"
                        aria-label=buy_label.clone()
                        disabled=move || buying.get()
                        on:click=buy
                    >
                        {move || if buying.get() { t().buying() } else { t().buy_now() }}
                    </button>
                })}
                </div>
            }
        })
    }
}
