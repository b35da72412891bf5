//! The shelf: every product of the show, one tap away at any time (the
//! "Products" button in the top bar). Pinned products come first, newest pin
//! first, marked "Pinned now"; the order follows pins live. A replay lists its
//! product chapters first: each pin with its time, a tap seeks the video there.

use leptos::prelude::*;
use vetrina_wire::ShowStatus;

use crate::domain::playhead::clock_label;
use crate::domain::timeline::shelf;
use crate::i18n::t;
use crate::ui::product_card::ProductCard;
use crate::ui::sheet::Sheet;
use crate::ui::store::{use_store, Load, Sheet as SheetState};

#[component]
pub fn ShelfSheet() -> impl IntoView {
    let store = use_store();
    let rows = Memo::new(move |_| {
        let catalogue: Vec<i64> = store.snapshot.with(|s| match s {
            Load::Ready(s) => s.products.iter().map(|p| p.id).collect(),
            _ => Vec::new(),
        });
        store.shown.with(|pinned| shelf(pinned, &catalogue))
    });
    let replay = store.snapshot.with_untracked(|s| matches!(s, Load::Ready(s) if s.show.status == ShowStatus::Ended));
    let start = store.started_at_ms();
    let chapters = replay.then(|| store.chapters()).filter(|c| !c.is_empty()).map(|chapters| {
        let items = chapters
            .into_iter()
            .filter_map(|(id, at)| {
                let title = store.product(id)?.title;
                Some(view! {
                    <li>
                        <button
                            type="button"
                            class="vt-chapter"
                            data-at=at
                            on:click=move |_| {
                                store.seek_to(at);
                                store.sheet.set(SheetState::Closed);
                            }
                        >
                            <span class="vt-chapter__time">{clock_label(at - start)}</span>
                            {title}
                        </button>
                    </li>
                })
            })
            .collect_view();
        view! {
            <h3 class="vt-shelf__heading">{t().chapters()}</h3>
            <ol class="vt-chapters" data-testid="chapters">{items}</ol>
            <h3 class="vt-shelf__heading">{t().all_products()}</h3>
        }
    });
    view! {
        <Sheet title=t().all_products().to_string() id="shelf">
            {chapters}
            {move || rows.with(Vec::is_empty).then(|| view! { <p class="vt-empty">{t().no_products()}</p> })}
            <ul class="vt-shelf">
                // Keyed by pin state too: a product that is pinned or unpinned
                // while the shelf is open moves and gains or loses its mark.
                <For
                    each=move || rows.get()
                    key=|row| *row
                    children=move |(id, pinned)| view! { <li><ProductCard id=id pinned=pinned /></li> }
                />
            </ul>
        </Sheet>
    }
}
