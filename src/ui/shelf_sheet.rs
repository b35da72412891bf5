//! The shelf: every product of the show, one tap away at any time (the
//! "Products" button in the top bar). Pinned products come first, newest pin
//! first, marked "Pinned now"; the order follows pins live.

use leptos::prelude::*;

use crate::i18n::t;
use crate::ui::product_card::ProductCard;
use crate::ui::sheet::Sheet;
use crate::ui::store::{use_store, Load};

#[component]
pub fn ShelfSheet() -> impl IntoView {
    let store = use_store();
    let rows = Memo::new(move |_| {
        let catalogue: Vec<i64> = store.snapshot.with(|s| match s {
            Load::Ready(s) => s.products.iter().map(|p| p.id).collect(),
            _ => Vec::new(),
        });
        store.board.with(|b| b.shelf(&catalogue))
    });
    view! {
        <Sheet title=t().all_products.to_string() id="shelf">
            {move || rows.with(Vec::is_empty).then(|| view! { <p class="vt-empty">{t().no_products}</p> })}
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
