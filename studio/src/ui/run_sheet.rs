//! The run sheet: the show's products in order, each pinned or not, as the
//! show's event stream says (so every moderator's board agrees), each with
//! the creator's note. Keys, when no text field has focus: N pins the next
//! product, 1–9 pin by position, U unpins the product pinned last. The order
//! changes with Move up / Move down (keyboard and touch) or by dragging a row
//! (pointer), and is the order viewers' shelves list the products in.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::store::use_studio;
use crate::ui::note_editor::NoteEditor;
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
    // Loading, empty, or the list. The list is keyed by product: a stock or
    // price event updates its row in place, so an open editor keeps what the
    // creator is typing.
    let phase = Memo::new(move |_| studio.snapshot.with(|s| s.as_ref().map(|s| s.products.is_empty())));
    let order = Memo::new(move |_| {
        studio.snapshot.with(|s| s.iter().flat_map(|s| &s.products).map(|p| p.id).collect::<Vec<_>>())
    });
    // The product whose variants are open for editing, if any.
    let editing = RwSignal::new(None::<i64>);
    // Reordering: rows show Move up / Move down instead of Pin and Edit.
    let reordering = RwSignal::new(false);
    // The row being dragged by a pointer, if any.
    let dragging = RwSignal::new(None::<i64>);
    view! {
        <section class="vs-run-sheet" aria-labelledby="vs-run-sheet-title">
            <div class="vs-run-sheet__head">
                <h2 id="vs-run-sheet-title">"Run sheet"</h2>
                <button
                    type="button"
                    class="vs-button"
                    aria-pressed=move || reordering.get().to_string()
                    on:click=move |_| reordering.update(|r| *r = !*r)
                >
                    "Reorder"
                </button>
            </div>
            <p class="vs-muted vs-keys">
                <kbd>"N"</kbd>" pins the next product · "<kbd>"1"</kbd>"–"<kbd>"9"</kbd>" pin by position · "
                <kbd>"U"</kbd>" unpins the last pinned"
            </p>
            {move || match phase.get() {
                None => view! { <p class="vs-wait" aria-busy="true">"Loading the show…"</p> }.into_any(),
                Some(true) => view! { <p class="vs-muted">"This show has no products yet. Add them from a catalogue file with “Add products” above."</p> }.into_any(),
                Some(false) => view! {
                    <ol class="vs-rows">
                        <For
                            each=move || order.get().into_iter().enumerate()
                            key=|(i, id)| (*i, *id)
                            children=move |(i, id)| view! {
                                <Row position=i + 1 id=id editing=editing reordering=reordering dragging=dragging />
                            }
                        />
                    </ol>
                }.into_any(),
            }}
        </section>
    }
}

/// One product of the run sheet: its pin button, its stock as events change
/// it, its note, and its editor (note, variants); or, while reordering, the
/// buttons that move it.
#[component]
fn Row(
    position: usize,
    id: i64,
    editing: RwSignal<Option<i64>>,
    reordering: RwSignal<bool>,
    dragging: RwSignal<Option<i64>>,
) -> impl IntoView {
    let studio = use_studio();
    // Title and picture do not change during a show; stock does.
    let product = move || {
        studio.snapshot.with_untracked(|s| s.as_ref().and_then(|s| s.products.iter().find(|p| p.id == id).cloned()))
    };
    let (title, image) = product().map(|p| (p.title, p.image_url)).unwrap_or_default();
    let stock =
        move || studio.snapshot.with(|s| s.iter().flat_map(|s| &s.products).find(|p| p.id == id).map_or(0, stock_of));
    let pinned = move || studio.board.with(|b| b.pinned().contains(&id));
    let label = title.clone();
    let edit_label = format!("Edit {title}");
    let (up_label, down_label) = (format!("Move {title} up"), format!("Move {title} down"));
    let note_title = title.clone();
    let open = move || editing.get() == Some(id) && !reordering.get();
    let note = move || studio.notes.with(|n| n.get(&id).filter(|n| !n.is_empty()).cloned());
    // A row dropped on this one takes its place.
    let drop_here = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let Some(from) = dragging.get_untracked() else { return };
        dragging.set(None);
        let ids =
            studio.snapshot.with_untracked(|s| s.iter().flat_map(|s| &s.products).map(|p| p.id).collect::<Vec<_>>());
        let (Some(a), Some(b)) = (ids.iter().position(|x| *x == from), ids.iter().position(|x| *x == id)) else {
            return;
        };
        studio.reorder(vetrina_wire::moved(&ids, from, b as isize - a as isize));
    };
    view! {
        <li
            class="vs-row"
            class:vs-row--pinned=pinned
            class:vs-row--dragging=move || dragging.get() == Some(id)
            data-product-id=id
            // Not while its editor is open: dragging would fight selecting text there.
            draggable=move || if open() { "false" } else { "true" }
            on:dragstart=move |ev: leptos::ev::DragEvent| {
                if let Some(data) = ev.data_transfer() {
                    // Some browsers drag only with data set.
                    let _ = data.set_data("text/plain", &id.to_string());
                    data.set_effect_allowed("move");
                }
                dragging.set(Some(id));
            }
            on:dragend=move |_| dragging.set(None)
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=drop_here
        >
            <span class="vs-row__position" aria-hidden="true">{position}</span>
            <img class="vs-row__image" src=image alt="" width="48" height="48" />
            <span class="vs-row__name">
                <span class="vs-row__title">{title}</span>
                <span class="vs-row__stock" class:vs-problem=move || stock() == 0>
                    {move || match stock() {
                        0 => "Sold out".to_string(),
                        n => format!("{n} in stock"),
                    }}
                </span>
                {move || note().map(|n| view! { <span class="vs-row__note">{n}</span> })}
            </span>
            {move || reordering.get().then(|| view! {
                <button type="button" class="vs-button vs-move-up" aria-label=up_label.clone() on:click=move |_| move_by(id, -1, "vs-move-up")>"↑"</button>
                <button type="button" class="vs-button vs-move-down" aria-label=down_label.clone() on:click=move |_| move_by(id, 1, "vs-move-down")>"↓"</button>
            })}
            <button
                class:vs-hidden=reordering
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
                class:vs-hidden=reordering
                aria-expanded=move || open().to_string()
                aria-label=edit_label
                on:click=move |_| editing.update(|e| *e = if *e == Some(id) { None } else { Some(id) })
            >
                "Edit"
            </button>
            {move || {
                let currency = studio.snapshot.with_untracked(|s| s.as_ref().map(|s| s.show.currency.clone()));
                open().then(|| product().zip(currency)).flatten().map(|(product, currency)| view! {
                    <div class="vs-row__editor">
                        <NoteEditor product_id=id title=note_title.clone() />
                        <VariantEditor product=product currency=currency />
                    </div>
                })
            }}
        </li>
    }
}

/// Moves a product, and keeps the keyboard on the button that moved it (the
/// row is drawn again in its new place, which would drop the focus).
fn move_by(id: i64, by: isize, button: &'static str) {
    use_studio().move_product(id, by);
    request_animation_frame(move || {
        let selector = format!(".vs-row[data-product-id=\"{id}\"] .{button}");
        let found = document().query_selector(&selector).ok().flatten();
        if let Some(el) = found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

fn stock_of(p: &vetrina_wire::Product) -> i64 {
    p.variants.iter().map(|v| v.stock).sum()
}
