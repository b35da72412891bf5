//! The creator's tools: session and token, figures and orders, taps, the run
//! sheet and the product order.

use serde::{Deserialize, Serialize};

use super::*;

/// `GET /api/shows/{show}/creator` (creator): the signed-in creator's session,
/// which is how the studio checks a token before showing the show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreatorSession {
    pub show_id: String,
    /// When the token stops working (ms since the Unix epoch).
    pub expires_at_ms: i64,
}

/// `POST /api/shows/{show}/creator-token` (creator): a new creator token. The
/// old one stops working at once; this is the only time the new one is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreatorToken {
    pub token: String,
    /// When it stops working (ms since the Unix epoch).
    pub expires_at_ms: i64,
}

/// `GET /api/shows/{show}/stats` (creator): the show's numbers now.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShowStats {
    /// Event streams of the show open now: viewers' overlays, previews and studios.
    pub watching: u64,
    /// Paid orders of the show, all products (test orders are not counted
    /// here or anywhere in the figures).
    pub orders: u64,
    /// Their total, shipping included, in minor units of the show's currency.
    pub revenue_minor: i64,
    /// Per product with at least one tap, add or sale: best sellers first,
    /// then the most added, the most tapped.
    pub products: Vec<ProductStats>,
}

/// `GET /api/shows/{show}/orders` (creator): one of the show's latest orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShowOrder {
    pub number: String,
    pub created_at_ms: i64,
    pub payment_status: PaymentStatus,
    pub name: String,
    pub email: String,
    /// Units in the order.
    pub items: u64,
    pub total_minor: i64,
    /// Given back so far (refunds).
    #[serde(default)]
    pub refunded_minor: i64,
    pub currency: String,
    /// When the confirmation went to the mailer (ms since the Unix epoch);
    /// absent until it has.
    pub confirmation_sent_at_ms: Option<i64>,
    /// A test order (from a sandbox cart, see `CreateCart`): in no figure.
    #[serde(default)]
    pub test: bool,
    /// What it holds, and how much of each refunds gave back.
    #[serde(default)]
    pub lines: Vec<ShowOrderLine>,
}

/// One variant of an order in the creator's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShowOrderLine {
    pub variant_id: i64,
    pub title: String,
    pub options: Vec<String>,
    pub quantity: u32,
    /// Units given back (refunds made or under way).
    pub refunded: u32,
}

/// One product's numbers in a show: what viewers did with it, what sold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductStats {
    pub product_id: i64,
    /// Taps on its card (as overlays report them).
    #[serde(default)]
    pub taps: u64,
    /// Times it was added to a cart.
    #[serde(default)]
    pub adds: u64,
    /// Paid orders with this product in them.
    pub orders: u64,
    pub units: u64,
    /// The product's lines, in minor units of the show's currency.
    pub revenue_minor: i64,
}

/// `POST /api/shows/{show}/taps`: a viewer tapped a product's card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Tap {
    pub product_id: i64,
}

/// The longest run-sheet note, in characters.
pub const MAX_NOTE_CHARS: usize = 500;

/// `GET /api/shows/{show}/run-sheet` (creator): one product's line of the run
/// sheet, in the show's order. Notes are the creator's only: viewers never get them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RunSheetEntry {
    pub product_id: i64,
    pub note: String,
}

/// `PUT /api/shows/{show}/products/{product}/note` (creator): the product's
/// run-sheet note; empty clears it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductNote {
    #[cfg_attr(feature = "schema", schemars(length(max = 500)))]
    pub note: String,
}

/// `PUT /api/shows/{show}/product-order` (creator): every product of the show,
/// each once, in the order the run sheet and viewers' shelves list them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProductOrder {
    pub product_ids: Vec<i64>,
}

/// Whether `ids` is `current` in some order: each product once, none missing,
/// none from elsewhere.
pub fn is_reordering(current: &[i64], ids: &[i64]) -> bool {
    let (mut a, mut b) = (current.to_vec(), ids.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    a == b && !b.windows(2).any(|w| w[0] == w[1])
}

/// `ids` with `id` moved `by` places (clamped to the ends); unchanged when
/// `id` is not there.
pub fn moved(ids: &[i64], id: i64, by: isize) -> Vec<i64> {
    let mut out = ids.to_vec();
    if let Some(from) = out.iter().position(|x| *x == id) {
        let to = from.saturating_add_signed(by).min(out.len() - 1);
        let item = out.remove(from);
        out.insert(to, item);
    }
    out
}
