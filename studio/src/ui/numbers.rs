//! The show's numbers, live: streams open now, paid orders and revenue, per
//! product what sold, and the latest orders with their confirmations. Read
//! every few seconds while the studio is open (the numbers are the server's,
//! never added up here). A paid order can be refunded from its row.

use leptos::prelude::*;
use vetrina_wire::{PaymentStatus, ShowOrder, ShowStats};

use crate::store::use_studio;
use crate::ui::refund::RefundPanel;

/// How often the numbers are read again.
const EVERY_MS: i32 = 5_000;

#[component]
pub fn Numbers() -> impl IntoView {
    let studio = use_studio();
    let stats = RwSignal::new(None::<ShowStats>);
    let orders = RwSignal::new(Vec::<ShowOrder>::new());
    // The order whose refund panel is open.
    let refunding = RwSignal::new(None::<String>);
    let open = StoredValue::new(true);
    on_cleanup(move || open.set_value(false));
    let read = move || async move {
        if let Some(creator) = studio.creator.get_untracked() {
            // A failed read keeps the last numbers; the next one tries again.
            if let Ok(fresh) = creator.stats().await {
                if open.get_value() {
                    stats.set(Some(fresh));
                }
            }
            if let Ok(latest) = creator.orders().await {
                if open.get_value() {
                    orders.set(latest);
                }
            }
        }
    };
    leptos::task::spawn_local(async move {
        while open.get_value() {
            read().await;
            vetrina_client::browser::sleep(EVERY_MS).await;
        }
    });
    let heading = NodeRef::<leptos::html::H3>::new();
    let close = move || {
        refunding.set(None);
        if let Some(h) = heading.get_untracked() {
            let _ = h.focus();
        }
    };
    let refunded = Callback::new(move |r: vetrina_wire::Refund| {
        studio.tell(
            format!(
                "Refunded {} on order {}. The buyer gets an email.",
                vetrina_client::browser::format_money(r.amount_minor, &r.currency, None),
                r.order_number
            ),
            false,
        );
        close();
        leptos::task::spawn_local(read());
    });
    let cancelled = Callback::new(move |()| close());
    // Tracked: numbers read before the show itself redraw once it is in.
    let money = move |minor: i64| {
        let currency = studio.snapshot.with(|s| s.as_ref().map(|s| s.show.currency.clone())).unwrap_or_default();
        vetrina_client::browser::format_money(minor, &currency, None)
    };
    let title = move |id: i64| {
        studio
            .snapshot
            .with(|s| s.as_ref().and_then(|s| s.products.iter().find(|p| p.id == id)).map(|p| p.title.clone()))
            .unwrap_or_else(|| format!("Product {id}"))
    };
    view! {
        <section class="vs-numbers" aria-labelledby="vs-numbers-title">
            <h2 id="vs-numbers-title">"Live numbers"</h2>
            {move || match stats.get() {
                None => view! { <p class="vs-muted" aria-busy="true">"Reading the numbers…"</p> }.into_any(),
                Some(s) => view! {
                    <dl class="vs-tiles">
                        <div><dt>"Watching now"</dt><dd data-testid="watching">{s.watching}</dd></div>
                        <div><dt>"Orders"</dt><dd data-testid="orders">{s.orders}</dd></div>
                        <div><dt>"Revenue"</dt><dd data-testid="revenue">{money(s.revenue_minor)}</dd></div>
                    </dl>
                    {if s.products.is_empty() {
                        view! { <p class="vs-muted">"Nobody has tapped, added or bought a product yet."</p> }.into_any()
                    } else {
                        view! {
                            <div class="vs-scroll" tabindex="0" role="group" aria-label="Numbers by product">
                            <table class="vs-sales" data-testid="by-product">
                                <caption class="vs-muted">"By product"</caption>
                                <thead><tr>
                                    <th scope="col">"Product"</th><th scope="col">"Taps"</th><th scope="col">"Adds"</th>
                                    <th scope="col">"Orders"</th><th scope="col">"Units"</th><th scope="col">"Revenue"</th>
                                </tr></thead>
                                <tbody>
                                    {s.products.iter().map(|p| view! {
                                        <tr>
                                            <th scope="row">{title(p.product_id)}</th><td>{p.taps}</td><td>{p.adds}</td>
                                            <td>{p.orders}</td><td>{p.units}</td><td>{money(p.revenue_minor)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                        }.into_any()
                    }}
                }.into_any(),
            }}
            <p class="vs-muted">
                "“Watching” counts every open stream of the show: viewers, and the previews and studios too. "
                "Test orders (placed in the preview) are not counted."
            </p>
            <h3 class="vs-subtitle" node_ref=heading tabindex="-1">"Latest orders"</h3>
            {move || orders.with(|list| if list.is_empty() {
                view! { <p class="vs-muted">"No orders yet."</p> }.into_any()
            } else {
                // Wide on a phone: it scrolls sideways, and the keyboard can scroll it too.
                view! {
                    <div class="vs-scroll" tabindex="0" role="group" aria-label="Latest orders">
                    <table class="vs-sales" data-testid="orders-list">
                        <thead><tr>
                            <th scope="col">"Order"</th><th scope="col">"Time"</th><th scope="col">"Buyer"</th>
                            <th scope="col">"Units"</th><th scope="col">"Total"</th><th scope="col">"Status"</th>
                            <th scope="col"><span class="vs-visually-hidden">"Refund"</span></th>
                        </tr></thead>
                        <tbody>
                            {list.iter().map(|o| view! {
                                <tr>
                                    <th scope="row">
                                        {o.number.clone()}
                                        {o.test.then(|| view! { " " <span class="vs-badge" title="A test order from the preview: not in the figures, no stock taken">"Test"</span> })}
                                    </th>
                                    <td>{clock(o.created_at_ms)}</td>
                                    <td>{o.name.clone()}</td>
                                    <td>{o.items}</td>
                                    <td>{vetrina_client::browser::format_money(o.total_minor, &o.currency, None)}</td>
                                    <td>{match (o.payment_status, o.confirmation_sent_at_ms) {
                                        (PaymentStatus::Pending, _) => "Payment pending".to_string(),
                                        (PaymentStatus::Paid, Some(at)) => format!("Confirmation sent to {} at {}", o.email, clock(at)),
                                        (PaymentStatus::Paid, None) => "Paid, confirmation not sent yet".to_string(),
                                        (PaymentStatus::PartiallyRefunded, _) => format!(
                                            "Partly refunded: {}",
                                            vetrina_client::browser::format_money(o.refunded_minor, &o.currency, None)
                                        ),
                                        (PaymentStatus::Refunded, _) => "Refunded".to_string(),
                                    }}</td>
                                    <td>{matches!(o.payment_status, PaymentStatus::Paid | PaymentStatus::PartiallyRefunded).then(|| {
                                        let number = o.number.clone();
                                        let label = format!("Refund order {}", o.number);
                                        view! {
                                            <button type="button" class="vs-button vs-button--small" aria-label=label
                                                on:click=move |_| refunding.set(Some(number.clone()))>"Refund…"</button>
                                        }
                                    })}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any()
            })}
            // Drawn again only when another order is chosen: the list's refresh leaves what is typed alone.
            {move || refunding.get().and_then(|number| {
                let order = orders.with_untracked(|list| list.iter().find(|o| o.number == number).cloned())?;
                Some(view! { <RefundPanel order on_done=refunded on_cancel=cancelled /> })
            })}
        </section>
    }
}

/// A moment as the creator's clock shows it (their locale and time zone).
fn clock(ms: i64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
        .to_locale_time_string("default")
        .as_string()
        .unwrap_or_default()
}
