//! The sheets (shelf, product, cart, checkout, confirmation): most of the
//! overlay's code, and none of it needed to show the video and its cards.
//!
//! A shipping build (`cargo xtask`, feature `split`) moves them into a wasm
//! module of their own that the page fetches after the first frame (see
//! [`preload`] and `xtask/split.mjs`), so a phone downloads and compiles about
//! half the code before the show appears. Without the feature (`trunk serve`,
//! the wasm tests) the sheets are part of the one module and [`render`] is
//! ready at once: the same code either way, only where it lives differs.

// The split point is a pair of `extern "C"` functions the build tool rewires
// (see `wasm_split_helpers`); its macro needs `unsafe` for them, and nothing
// else in this file does.
#![cfg_attr(feature = "split", allow(unsafe_code))]

use leptos::prelude::*;

use crate::ui::cart_sheet::CartSheet;
use crate::ui::checkout_sheet::CheckoutSheet;
use crate::ui::confirmation_sheet::ConfirmationSheet;
use crate::ui::handover_sheet::HandOverSheet;
use crate::ui::product_sheet::ProductSheet;
use crate::ui::shelf_sheet::ShelfSheet;
use crate::ui::store::{Sheet, Store};

/// The sheets' module could not be fetched (the phone is offline, say).
/// Nothing is cached about the failure: the next [`render`] tries again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for Unavailable {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Unavailable
    }
}

/// Draws `sheet`, fetching the sheets' module first if it is not there yet.
#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(sheets, wasm_split_path = ::leptos::wasm_split, preload(preload), fallible)]
pub fn render(sheet: Sheet, store: Store) -> Result<AnyView, Unavailable> {
    Ok(view(sheet, store))
}

/// Draws `sheet` (the sheets are in this module: ready at once).
#[cfg(not(feature = "split"))]
pub async fn render(sheet: Sheet, store: Store) -> Result<AnyView, Unavailable> {
    Ok(view(sheet, store))
}

/// Fetches the sheets' module ahead of the first tap (nothing to fetch here).
#[cfg(not(feature = "split"))]
pub async fn preload() -> Result<(), Unavailable> {
    Ok(())
}

fn view(sheet: Sheet, store: Store) -> AnyView {
    match sheet {
        Sheet::Closed => ().into_any(),
        Sheet::Shelf => view! { <ShelfSheet /> }.into_any(),
        Sheet::Product(id) => match store.product(id) {
            Some(p) => view! { <ProductSheet product=p /> }.into_any(),
            None => ().into_any(),
        },
        Sheet::Cart => view! { <CartSheet /> }.into_any(),
        Sheet::Checkout => view! { <CheckoutSheet /> }.into_any(),
        Sheet::HandOver => view! { <HandOverSheet /> }.into_any(),
        Sheet::Confirmation(order) => view! { <ConfirmationSheet order=*order /> }.into_any(),
    }
}
