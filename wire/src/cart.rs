//! Carts and their lines, with server-computed totals.

use serde::{Deserialize, Serialize};

/// The most of one variant a single cart line may hold. Shared so the overlay's
/// quantity picker and the server's validation agree.
pub const MAX_LINE_QUANTITY: u32 = 10;

/// `POST /api/carts`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateCart {
    pub show_id: String,
    /// A sandbox cart, for trying the checkout without a real order (the
    /// studio's preview): needs `Authorization: Bearer <creator token>` of the
    /// show. Its checkout places a test order: charged by the test provider
    /// only, no stock taken, left out of the show's figures, marked `test`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sandbox: bool,
}

/// `POST /api/carts/{cart}/lines`: adds `quantity` of a variant to the cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddLine {
    pub variant_id: i64,
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 10)))]
    pub quantity: u32,
    /// Claims this flash drop for the line (the whole line takes its price,
    /// within its limits); refused, adding nothing, once it has ended for
    /// this viewer or sold out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<i64>,
    /// Where the viewer's video is on the stream's clock (see `Offer`), for
    /// a claim; absent: at the live edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playhead_ms: Option<i64>,
}

/// `PUT /api/carts/{cart}/lines/{variant}`: sets a line's quantity; 0 removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SetQuantity {
    #[cfg_attr(feature = "schema", schemars(range(max = 10)))]
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CartLine {
    pub variant_id: i64,
    pub product_id: i64,
    pub title: String,
    /// The variant's option values, e.g. `["M", "Blue"]`.
    pub options: Vec<String>,
    pub image_url: String,
    pub unit_price_minor: i64,
    pub quantity: u32,
    pub line_total_minor: i64,
    /// Units still in stock now; below `quantity` means the line cannot be bought as is.
    pub available: i64,
    /// The unit price when the viewer last added or changed this line. When it
    /// differs from `unit_price_minor` the price changed since; the order is
    /// charged at `unit_price_minor`. Absent when the backend does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_price_minor: Option<i64>,
    /// The most this line may hold: the product's per-buyer limit, or the
    /// general per-line cap. Absent when the backend does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_quantity: Option<u32>,
    /// The flash drop whose price this line holds, and until when (ms since
    /// the Unix epoch, server time); after that the line is at the regular price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_held_until_ms: Option<i64>,
}

impl CartLine {
    /// The stock on hand can no longer cover this line as it is.
    pub fn is_short(&self) -> bool {
        self.available < i64::from(self.quantity)
    }
}

/// A cart with every figure computed by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cart {
    /// Unguessable: the id is the only credential a cart has.
    pub id: String,
    pub show_id: String,
    pub currency: String,
    pub lines: Vec<CartLine>,
    pub item_count: u32,
    pub subtotal_minor: i64,
    pub shipping_minor: i64,
    pub total_minor: i64,
}

/// `GET /api/carts/{cart}/handover`: where to send a buyer to pay on the
/// brand's own Shopify store, with this cart in its checkout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HandOver {
    /// The store's host name, to tell the buyer where they are going.
    pub store: String,
    /// The store's cart permalink (`https://STORE/cart/VARIANT:QTY,...`),
    /// to open as a page of its own.
    pub url: String,
}
