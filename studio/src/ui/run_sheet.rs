//! The run sheet: the show's products in order, each pinned or not, as the
//! show's event stream says (so every moderator's board agrees). Keys, when
//! no text field has focus: N pins the next product, 1–9 pin by position, U
//! unpins the product pinned last.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::store::use_studio;
use crate::ui::variant_editor::VariantEditor;

#[component]
pub fn RunSheet() -> impl IntoView {
    let studio = use_studio();
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            "n" | "N" => studio.pin_next(),
            "u" | "U" => studio.unpin_last(),
            digit if digit.len() == 1 && ("1"..="9").contains(&digit) => {
                studio.pin_position(digit.parse().unwrap_or(1));
            }
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || keys.remove());
    let rows = move || studio.snapshot.with(|s| s.as_ref().map(|s| (s.products.clone(), s.show.currency.clone())));
    // The product whose variants are open for editing, if any.
    let editing = RwSignal::new(None::<i64>);
    view! {
        <section class="vs-run-sheet" aria-labelledby="vs-run-sheet-title">
            <h2 id="vs-run-sheet-title">"Run sheet"</h2>
            <p class="vs-muted vs-keys">
                <kbd>"N"</kbd>" pins the next product · "<kbd>"1"</kbd>"–"<kbd>"9"</kbd>" pin by position · "
                <kbd>"U"</kbd>" unpins the last pinned"
            </p>
            {move || match rows() {
                None => view! { <p class="vs-wait" aria-busy="true">"Loading the show…"</p> }.into_any(),
                Some((products, _)) if products.is_empty() => view! { <p class="vs-muted">"This show has no products yet."</p> }.into_any(),
                Some((products, currency)) => view! {
                    <ol class="vs-rows">
                        {products.into_iter().enumerate().map(|(i, product)| {
                            let (id, title, image, stock) = (product.id, product.title.clone(), product.image_url.clone(), stock_of(&product));
                            let pinned = move || studio.board.with(|b| b.pinned().contains(&id));
                            let label = title.clone();
                            let edit_label = format!("Edit {title}");
                            let open = move || editing.get() == Some(id);
                            let currency = currency.clone();
                            view! {
                                <li class="vs-row" class:vs-row--pinned=pinned data-product-id=id>
                                    <span class="vs-row__position" aria-hidden="true">{i + 1}</span>
                                    <img class="vs-row__image" src=image alt="" width="48" height="48" />
                                    <span class="vs-row__title">{title}</span>
                                    <span class="vs-row__stock" class:vs-problem=move || stock == 0>
                                        {if stock == 0 { "Sold out".to_string() } else { format!("{stock} in stock") }}
                                    </span>
                                    <button
                                        type="button"
                                        class="vs-button"
                                        class:vs-button--primary=move || !pinned()
                                        aria-pressed=move || pinned().to_string()
                                        aria-label=move || format!("{} {label}", if pinned() { "Unpin" } else { "Pin" })
                                        on:click=move |_| studio.toggle(id)
                                    >
                                        {move || if pinned() { "Unpin" } else { "Pin" }}
                                    </button>
                                    <button
                                        type="button"
                                        class="vs-button"
                                        aria-expanded=move || open().to_string()
                                        aria-label=edit_label
                                        on:click=move |_| editing.update(|e| *e = if *e == Some(id) { None } else { Some(id) })
                                    >
                                        "Edit"
                                    </button>
                                    {move || open().then(|| view! {
                                        <VariantEditor product=product.clone() currency=currency.clone() />
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
        </section>
    }
}

fn stock_of(p: &vetrina_wire::Product) -> i64 {
    p.variants.iter().map(|v| v.stock).sum()
}
