//! The JSON that crosses the wire between the Vetrina overlay and a Vetrina backend.
//!
//! Brands may run their own backend: anything that serves these shapes at the
//! documented paths works with the overlay. Our reference server (`vetrina-server`)
//! uses the very same types, so the two can never disagree about a field name.
//!
//! Money is always an integer amount of the currency's minor unit (cents for EUR)
//! plus an ISO 4217 code. Prices, totals and stock are decided by the server; the
//! client only ever sends ids and quantities.

pub mod theme;

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// The most of one variant a single cart line may hold. Shared so the overlay's
/// quantity picker and the server's validation agree.
pub const MAX_LINE_QUANTITY: u32 = 10;

/// The header that makes a checkout safe to retry: the same key never places a second order.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// Decimal places of a currency's minor unit (ISO 4217). Unlisted codes have two.
pub fn minor_digits(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
        | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Parses a decimal amount ("49.9", "1200") into minor units of `currency`,
/// refusing more decimals than the currency has rather than rounding money.
pub fn parse_minor(text: &str, currency: &str) -> Result<i64, String> {
    let digits = minor_digits(currency) as usize;
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let ok_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !ok_digits(whole) || !ok_digits(frac) {
        return Err(format!("'{text}' is not a plain decimal amount"));
    }
    if frac.len() > digits {
        return Err(format!("'{text}' has more decimals than {currency} allows ({digits})"));
    }
    let frac = format!("{frac:0<digits$}");
    format!("{whole}{frac}").parse::<i64>().map_err(|_| format!("'{text}' is too large"))
}

/// Where a show is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShowStatus {
    Scheduled,
    Live,
    Ended,
}

/// How a show charges shipping, published so a viewer sees the cost before buying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShippingPolicy {
    /// Charged on an order below the threshold.
    pub flat_minor: i64,
    /// Orders with a subtotal at or above this ship free; `None`: never free.
    pub free_from_minor: Option<i64>,
}

impl ShippingPolicy {
    /// The reference server's policy: 4.90 flat, free from 50.00.
    pub const STANDARD: ShippingPolicy = ShippingPolicy { flat_minor: 490, free_from_minor: Some(5000) };

    /// Shipping for an order of `subtotal_minor` (nothing for an empty order).
    pub fn shipping_for(&self, subtotal_minor: i64) -> i64 {
        match self.free_from_minor {
            _ if subtotal_minor <= 0 => 0,
            Some(free) if subtotal_minor >= free => 0,
            _ => self.flat_minor,
        }
    }
}

impl Default for ShippingPolicy {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// A live show: what the overlay needs to present it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Show {
    pub id: String,
    pub title: String,
    pub status: ShowStatus,
    /// ISO 4217 code every price of this show is in.
    pub currency: String,
    /// BCP 47 locale the show is presented in (the viewer's own locale wins for formatting).
    pub locale: String,
    /// URL of the video (a file or an HLS playlist).
    pub stream_url: String,
    /// Unix milliseconds when the stream started; pins carry offsets from it.
    pub started_at_ms: i64,
    /// Theme tokens: values for the overlay's CSS custom properties, by token
    /// name without the `--vt-` prefix (e.g. `"accent": "#d63a1a"`).
    #[serde(default)]
    pub theme: BTreeMap<String, String>,
    #[serde(default)]
    pub shipping: ShippingPolicy,
    /// A still shown before the video plays (and in the page before the overlay runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poster_url: Option<String>,
    /// When the show is planned to start (ms since the Unix epoch), if planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for_ms: Option<i64>,
}

/// One buyable combination of a product's options (say "M" / "Blue").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Variant {
    pub id: i64,
    /// One value per entry of the product's `option_names`, in the same order.
    pub options: Vec<String>,
    pub price_minor: i64,
    /// The struck-through "was" price, when the variant is on sale.
    pub compare_at_minor: Option<i64>,
    pub stock: i64,
}

/// A product of a show's catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Product {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub image_url: String,
    /// Names of the option dimensions, e.g. `["Size", "Colour"]`; empty for a single-variant product.
    pub option_names: Vec<String>,
    pub variants: Vec<Variant>,
    /// At most this many units per buyer, when the brand limits a drop.
    #[serde(default)]
    pub max_per_buyer: Option<u32>,
}

impl Product {
    /// The lowest price over all variants: what a card shows before a choice is made.
    pub fn from_price_minor(&self) -> Option<i64> {
        self.variants.iter().map(|v| v.price_minor).min()
    }

    /// The compare-at price that belongs to the cheapest variant, if that variant is on sale.
    pub fn from_compare_at_minor(&self) -> Option<i64> {
        self.variants
            .iter()
            .min_by_key(|v| v.price_minor)
            .and_then(|v| v.compare_at_minor)
            .filter(|&c| Some(c) > self.from_price_minor())
    }

    pub fn total_stock(&self) -> i64 {
        self.variants.iter().fold(0i64, |sum, v| sum.saturating_add(v.stock.max(0)))
    }
}

/// Everything a viewer joining now needs: the show, its catalogue, what is pinned,
/// and the id of the last event included, to resume the event stream from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShowSnapshot {
    pub show: Show,
    pub products: Vec<Product>,
    /// Pinned product ids, most recently pinned first.
    pub pinned: Vec<i64>,
    pub last_event_id: i64,
    /// Flash drops that a viewer's video may still be showing (see [`Offer`]).
    #[serde(default)]
    pub offers: Vec<Offer>,
    /// Who takes this shop's payments, so the overlay can say before a buyer
    /// fills the form that no order can be placed.
    #[serde(default)]
    pub payments: Payments,
}

/// The payment provider a server checks out with, as its shows tell viewers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Payments {
    /// The built-in test provider ([`TEST_PAYMENT_TOKENS`]): chosen explicitly
    /// (the demo, the tests). What a backend that does not say is taken to use.
    #[default]
    Test,
    /// None configured: checkout answers 409 `checkout_unavailable` (a studio
    /// preview's test orders still work).
    Unavailable,
}

/// A flash drop: for a short window, a variant at a lower price, for at most
/// `unit_cap` units in all and `per_buyer` units per buyer. The window is on
/// the stream's clock (like pins): a viewer whose video runs 8 s behind live
/// sees it, and may claim it, 8 s later than a viewer at the live edge. A
/// claim (adding the variant at the flash price while the viewer's video is in
/// the window) holds the price for [`OFFER_HOLD_MS`] to check out in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Offer {
    pub id: i64,
    pub product_id: i64,
    pub variant_id: i64,
    /// The flash price, minor units of the show's currency.
    pub price_minor: i64,
    pub unit_cap: u32,
    pub per_buyer: u32,
    /// The window on the stream's clock (ms since the Unix epoch, as the
    /// stream tells time: HLS program date-time, else the show's start plus
    /// the video's position).
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
}

impl Offer {
    /// Whether a video at `at_ms` on the stream's clock is inside the window.
    pub fn runs_at(&self, at_ms: i64) -> bool {
        (self.starts_at_ms..self.ends_at_ms).contains(&at_ms)
    }
}

/// The event that announces a drop (the inverse of [`ShowEvent::offer`]).
impl From<&Offer> for ShowEvent {
    fn from(o: &Offer) -> Self {
        ShowEvent::Offer {
            product_id: o.product_id,
            variant_id: o.variant_id,
            offer_id: o.id,
            price_minor: o.price_minor,
            unit_cap: o.unit_cap,
            per_buyer: o.per_buyer,
            starts_at_ms: o.starts_at_ms,
            ends_at_ms: o.ends_at_ms,
        }
    }
}

/// How long a claimed flash price is held for checkout.
pub const OFFER_HOLD_MS: i64 = 10 * 60 * 1000;

/// How far behind live a viewer's video may be and still claim a flash drop
/// in its (shifted) window. A claim reports where the viewer's video is; the
/// server believes it only within this bound.
pub const OFFER_MAX_LAG_MS: i64 = 30_000;

/// Flash drop durations, in seconds.
pub const OFFER_SECONDS: std::ops::RangeInclusive<u32> = 5..=600;

/// `POST /api/shows/{show}/offers` (creator): starts a flash drop now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewOffer {
    pub variant_id: i64,
    /// Below the variant's price.
    pub price_minor: i64,
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1_000_000)))]
    pub unit_cap: u32,
    /// At most `unit_cap`.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1_000_000)))]
    pub per_buyer: u32,
    #[cfg_attr(feature = "schema", schemars(range(min = 5, max = 600)))]
    pub duration_s: u32,
}

impl NewOffer {
    /// What is wrong with this offer, as (field, sentence), given the variant's
    /// regular price; checked by the studio before sending and by the server.
    pub fn problem(&self, regular_price_minor: i64) -> Option<FieldError> {
        if self.price_minor >= regular_price_minor {
            return Some(FieldError::new("price_minor", "A flash price is below the regular price."));
        }
        self.problems().into_iter().next()
    }
}

/// What happened on a show, as carried in each Server-Sent Event's `data:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShowEvent {
    Pin {
        product_id: i64,
    },
    Unpin {
        product_id: i64,
    },
    /// A variant's stock changed (a sale, a restock).
    Stock {
        product_id: i64,
        variant_id: i64,
        stock: i64,
    },
    /// A variant's price changed.
    Price {
        product_id: i64,
        variant_id: i64,
        price_minor: i64,
        compare_at_minor: Option<i64>,
    },
    /// The show went live or ended.
    ShowStatus {
        status: ShowStatus,
    },
    /// A flash drop started (its window is on the stream's clock).
    Offer {
        product_id: i64,
        variant_id: i64,
        offer_id: i64,
        price_minor: i64,
        unit_cap: u32,
        per_buyer: u32,
        starts_at_ms: i64,
        ends_at_ms: i64,
    },
}

impl ShowEvent {
    /// The name stored and sent as the event's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Pin { .. } => "pin",
            Self::Unpin { .. } => "unpin",
            Self::Stock { .. } => "stock",
            Self::Price { .. } => "price",
            Self::ShowStatus { .. } => "show_status",
            Self::Offer { .. } => "offer",
        }
    }

    /// The offer an `offer` event announces.
    pub fn offer(&self) -> Option<Offer> {
        match *self {
            Self::Offer {
                product_id,
                variant_id,
                offer_id,
                price_minor,
                unit_cap,
                per_buyer,
                starts_at_ms,
                ends_at_ms,
            } => Some(Offer {
                id: offer_id,
                product_id,
                variant_id,
                price_minor,
                unit_cap,
                per_buyer,
                starts_at_ms,
                ends_at_ms,
            }),
            _ => None,
        }
    }

    pub fn product_id(&self) -> Option<i64> {
        match *self {
            Self::Pin { product_id }
            | Self::Unpin { product_id }
            | Self::Stock { product_id, .. }
            | Self::Price { product_id, .. }
            | Self::Offer { product_id, .. } => Some(product_id),
            Self::ShowStatus { .. } => None,
        }
    }
}

/// One event of a show's stream. `id` is also the SSE `id:` line and increases
/// monotonically, so a reconnecting client resumes with `Last-Event-ID`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventEnvelope {
    pub id: i64,
    pub show_id: String,
    /// Milliseconds since the show's stream started when the event was made.
    pub stream_ms: i64,
    #[serde(flatten)]
    pub event: ShowEvent,
}

/// `POST /api/shows/{show}/pins`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PinRequest {
    pub product_id: i64,
}

/// `PUT /api/shows/{show}/embed-origins` (creator), and its answer: the sites
/// allowed to embed the show, as origins (`https://brand.example`,
/// `http://localhost:8081`). The list replaces the previous one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmbedOrigins {
    #[cfg_attr(feature = "schema", schemars(length(max = 50), inner(regex(pattern = r"^https?://[^/\s]+/?$"))))]
    pub origins: Vec<String>,
}

/// `GET /api/shows/{show}/embed`: what a brand's page needs before the viewer
/// asks for more (the facade: poster, title, badge), and whether the asking
/// page's origin may embed the show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmbedCard {
    pub id: String,
    pub title: String,
    pub status: ShowStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poster_url: Option<String>,
    /// Whether the request's `Origin` is on the show's embed list.
    pub embed_allowed: bool,
}

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
    pub currency: String,
    /// When the confirmation went to the mailer (ms since the Unix epoch);
    /// absent until it has.
    pub confirmation_sent_at_ms: Option<i64>,
    /// A test order (from a sandbox cart, see `CreateCart`): in no figure.
    #[serde(default)]
    pub test: bool,
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

/// `PATCH /api/shows/{show}` (creator): show control and settings. Absent
/// fields stay as they are. A status change is an event viewers follow at
/// once; the other settings reach viewers who open the show after it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ShowUpdate {
    /// Go live or end the show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ShowStatus>,
    /// The show's title: 1 to 200 characters, not only spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 200)))]
    pub title: Option<String>,
    /// The video: an `https://` URL or a path on this server (a file or an HLS playlist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 2, max = 2000), regex(pattern = r"^(https://[^\s]|/[^/\\\s])[^\s]*$"))
    )]
    pub stream_url: Option<String>,
    /// A BCP 47 language tag, e.g. `it` or `it-IT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 2, max = 35), regex(pattern = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$"))
    )]
    pub locale: Option<String>,
    /// When the show is planned to start (ms since the Unix epoch); `null` clears it.
    #[serde(default, deserialize_with = "present_or_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub scheduled_for_ms: Option<Option<i64>>,
    /// ISO 4217 code, e.g. `EUR`: only while the show has no orders. Prices
    /// are not converted: they keep their numbers in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^[A-Z]{3}$")))]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<ShippingPolicy>,
    /// Theme tokens (replacing the show's): CSS custom property values by
    /// token name, e.g. `{"accent": "#0a7d5a", "radius": "8px"}`; at most 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<BTreeMap<String, String>>,
}

impl ShowUpdate {
    /// The first setting that breaks the rules the schema states, if any: its
    /// field name and what is wrong.
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if let Some(title) = &self.title {
            if title.trim().is_empty() || title.chars().count() > 200 {
                return Some(("title", "A title has 1 to 200 characters, not only spaces."));
            }
        }
        if let Some(url) = &self.stream_url {
            let scheme = url.strip_prefix("https://").or_else(|| url.strip_prefix('/'));
            // Anything the schema's `\s` could mean is refused: whitespace and control characters.
            // `//host` and `/\host` are paths only in name: a browser reads both as another host.
            let odd = url.chars().any(|c| c.is_whitespace() || c.is_control())
                || url.starts_with("//")
                || url.starts_with("/\\");
            if scheme.is_none_or(str::is_empty) || odd || url.chars().count() > 2000 {
                return Some(("stream_url", "The stream is an https:// URL or a path on this server, without spaces."));
            }
        }
        if let Some(locale) = &self.locale {
            let mut parts = locale.split('-');
            let language = parts.next().unwrap_or("");
            let language_ok = (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_alphabetic());
            let rest: Vec<&str> = parts.collect();
            let rest_ok = rest.len() <= 3
                && rest.iter().all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
            if !language_ok || !rest_ok {
                return Some(("locale", "The locale is a language tag such as it or it-IT."));
            }
        }
        if let Some(currency) = &self.currency {
            if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
                return Some(("currency", "The currency is an ISO 4217 code such as EUR."));
            }
        }
        if let Some(shipping) = &self.shipping {
            let fine = |m: i64| (0..=MAX_PRICE_MINOR).contains(&m);
            if !fine(shipping.flat_minor) || !shipping.free_from_minor.is_none_or(fine) {
                return Some(("shipping", "Shipping amounts are 0 or more."));
            }
        }
        if let Some(Some(at)) = self.scheduled_for_ms {
            // 2000-01-01 to 2100-01-01: anything else is a typing or unit mistake.
            if !(946_684_800_000..4_102_444_800_000).contains(&at) {
                return Some(("scheduled_for_ms", "The start is a date and time between 2000 and 2100."));
            }
        }
        if let Some(theme) = &self.theme {
            if theme.len() > 20 || !theme.iter().all(|(name, value)| theme::is_token(name, value)) {
                return Some((
                    "theme",
                    "Theme tokens are lowercase names with plain CSS values (a colour, a length), at most 20.",
                ));
            }
        }
        None
    }
}

/// `POST /api/shows` (operator): a new show, scheduled, with no products yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewShowRequest {
    /// Its id in URLs: 1 to 64 letters, digits, `-` or `_`.
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 64), regex(pattern = r"^[A-Za-z0-9_-]+$")))]
    pub id: String,
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 200)))]
    pub title: String,
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^[A-Z]{3}$")))]
    pub currency: String,
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 2, max = 35), regex(pattern = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$"))
    )]
    pub locale: String,
    /// The video, when known (an `https://` URL or a path on the server); set later otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 2, max = 2000), regex(pattern = r"^(https://[^\s]|/[^/\\\s])[^\s]*$"))
    )]
    pub stream_url: Option<String>,
}

/// The one rule for who a buyer is, for per-buyer limits: their email in any
/// case and without a `+tag` (`Ada+again@Example.com` is `ada@example.com`).
/// Mail still goes to the address as given.
pub fn buyer_key(email: &str) -> String {
    let email = email.trim().to_lowercase();
    match email.rsplit_once('@') {
        Some((local, domain)) => format!("{}@{domain}", local.split('+').next().unwrap_or(local)),
        None => email,
    }
}

/// The one rule for a show's id: 1 to 64 ASCII letters, digits, '-' or '_'.
/// Anything else names no show (the server answers it without a lookup).
pub fn is_show_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl NewShowRequest {
    /// The first field that breaks its rules: the id's, then a setting's (see [`ShowUpdate::problem`]).
    pub fn problem(&self) -> Option<(&'static str, &'static str)> {
        if !is_show_id(&self.id) {
            return Some(("id", "A show id is 1 to 64 letters, digits, '-' or '_'."));
        }
        ShowUpdate {
            title: Some(self.title.clone()),
            currency: Some(self.currency.clone()),
            locale: Some(self.locale.clone()),
            stream_url: self.stream_url.clone(),
            ..Default::default()
        }
        .problem()
    }
}

/// A show just created, and the creator token that opens it (shown once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreatedShow {
    pub show: Show,
    pub creator_token: String,
    pub expires_at_ms: i64,
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

/// The kinds of catalogue file `POST /api/shows/{show}/import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CatalogueFormat {
    /// Shopify's `products.json` (`{"products": [...]}`).
    Shopify,
    /// A Google Merchant Center feed, tab-separated with a header row.
    Gmc,
}

/// `POST /api/shows/{show}/import` (creator): a catalogue file to add to the
/// show's products, in the show's currency. Check it first (`dry_run`): the
/// answer lists every product it would add and every bad row with its line
/// and reason. An import with bad rows adds nothing unless `skip_bad`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogueImport {
    pub format: CatalogueFormat,
    /// The file's text (at most 8 MiB).
    pub source: String,
    /// Only check the file: report, write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Add the good products even though some rows are bad (those are left out).
    #[serde(default)]
    pub skip_bad: bool,
    /// Stock for items whose file says only "in stock" (10 when absent).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 1_000_000_000)))]
    pub default_stock: Option<i64>,
}

/// A product a catalogue file holds (or added).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportedProduct {
    /// Where the product starts in the file (1-based).
    pub line: u64,
    pub title: String,
    pub variants: u64,
    /// Units over all its variants.
    pub stock: i64,
    /// Lowest variant price, minor units of the show's currency.
    pub price_from_minor: i64,
}

/// A row of a catalogue file that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportProblem {
    /// 1-based line in the file.
    pub line: u64,
    pub reason: String,
}

/// What a catalogue file holds, and whether it was added to the show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportReport {
    pub products: Vec<ImportedProduct>,
    /// Every bad row, in file order.
    pub problems: Vec<ImportProblem>,
    /// Whether `products` were added to the show (never on a dry run).
    pub imported: bool,
}

/// `PATCH /api/shows/{show}/variants/{variant}` (creator): a price or stock change
/// during the show. Absent fields stay as they are; `compare_at_minor: null` clears it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VariantUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 100_000_000_000i64)))]
    pub price_minor: Option<i64>,
    #[serde(default, deserialize_with = "present_or_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 100_000_000_000i64)))]
    pub compare_at_minor: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 1_000_000_000i64)))]
    pub stock: Option<i64>,
}

/// The largest price (in minor units) and stock a variant may be given: far
/// beyond any real product, well inside what totals can add up without overflow.
pub const MAX_PRICE_MINOR: i64 = 100_000_000_000;
pub const MAX_STOCK: i64 = 1_000_000_000;

/// The most products one show may have: a catalogue that every viewer loads
/// with the show (and a run sheet a creator scrolls), so it stays a few hundred
/// kilobytes. An import beyond it is refused whole (`too_many_products`).
pub const MAX_PRODUCTS_PER_SHOW: i64 = 2_000;

/// The one rule for a variant's numbers, on every way in (an edit during the
/// show, a catalogue import): the first number that breaks it, as (field,
/// message), if any. `None` is a number not given.
pub fn variant_numbers_problem(
    price_minor: Option<i64>,
    compare_at_minor: Option<i64>,
    stock: Option<i64>,
) -> Option<(&'static str, &'static str)> {
    let numbers = [("price_minor", price_minor), ("compare_at_minor", compare_at_minor), ("stock", stock)];
    for (field, value) in numbers {
        let Some(value) = value else { continue };
        let max = if field == "stock" { MAX_STOCK } else { MAX_PRICE_MINOR };
        if value < 0 {
            return Some((field, "Prices and stock cannot be negative."));
        }
        if value > max {
            return Some((field, "That price or stock is larger than a variant may have."));
        }
    }
    None
}

/// Tells an absent field (`None`, via `default`) from an explicit `null` (`Some(None)`).
fn present_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

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

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Address {
    #[cfg_attr(feature = "schema", schemars(length(max = 200), regex(pattern = r"\S")))]
    pub line1: String,
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 200)))]
    pub line2: String,
    #[cfg_attr(feature = "schema", schemars(length(max = 100), regex(pattern = r"\S")))]
    pub city: String,
    #[cfg_attr(feature = "schema", schemars(length(max = 20), regex(pattern = r"\S")))]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^\s*[A-Za-z]{2}\s*$")))]
    pub country: String,
}

/// `POST /api/carts/{cart}/checkout`, sent with an `Idempotency-Key` header.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckoutRequest {
    /// Checked loosely (see [`is_plausible_email`]): one `@`, a dot in the domain, no spaces.
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = 254), regex(pattern = r"^\s*[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]\s*$"))
    )]
    pub email: String,
    #[cfg_attr(feature = "schema", schemars(length(max = 200), regex(pattern = r"\S")))]
    pub name: String,
    pub address: Address,
    /// A token from the payment provider's client side; card numbers never reach the server.
    /// The built-in test provider documents its tokens (see `TEST_PAYMENT_TOKENS`).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(required, length(max = 200), regex(pattern = r"\S")))]
    pub payment_token: String,
}

/// The test payment provider's tokens and what each does.
pub const TEST_PAYMENT_TOKENS: &[(&str, &str)] = &[
    ("tok_visa", "approved"),
    ("tok_mastercard", "approved"),
    ("tok_declined", "declined: card_declined"),
    ("tok_insufficient_funds", "declined: insufficient_funds"),
];

/// Which checkout field is wrong and why: shown beside that field by the overlay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// A request body's own rules: everything that can be checked without the
/// database. One convention for every body the API reads: the server reads
/// bodies only through its `Valid<T>` extractor, which answers 422
/// `invalid_fields` naming each field that breaks its rule, with a sentence;
/// the overlay and the studio check the same rules before sending.
pub trait Validate {
    /// Every field that breaks its rules; empty: none.
    fn problems(&self) -> Vec<FieldError>;
}

/// Bodies with no rule of their own (what is wrong with them depends on the
/// show: a product that is not in it, a reordering that misses one).
macro_rules! no_rules {
    ($($t:ty),*) => {$(
        impl Validate for $t {
            fn problems(&self) -> Vec<FieldError> {
                Vec::new()
            }
        }
    )*};
}
no_rules!(PinRequest, Tap, ProductOrder, CreateCart, SetQuantity);

impl Validate for ShowUpdate {
    fn problems(&self) -> Vec<FieldError> {
        self.problem().map(|(field, message)| FieldError::new(field, message)).into_iter().collect()
    }
}

impl Validate for NewShowRequest {
    fn problems(&self) -> Vec<FieldError> {
        self.problem().map(|(field, message)| FieldError::new(field, message)).into_iter().collect()
    }
}

impl Validate for NewOffer {
    /// The terms' own rules; that the price is below the variant's is checked
    /// with the variant ([`NewOffer::problem`]).
    fn problems(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if self.price_minor < 0 {
            problems.push(FieldError::new("price_minor", "A flash price cannot be negative."));
        }
        if !(1..=1_000_000).contains(&self.unit_cap) {
            problems.push(FieldError::new("unit_cap", "Offer at least one unit (and at most a million)."));
        }
        if self.per_buyer == 0 || self.per_buyer > self.unit_cap {
            problems
                .push(FieldError::new("per_buyer", "The per-buyer limit is at least 1 and at most the units offered."));
        }
        if !OFFER_SECONDS.contains(&self.duration_s) {
            problems.push(FieldError::new("duration_s", "A flash drop lasts from 5 to 600 seconds."));
        }
        problems
    }
}

impl Validate for VariantUpdate {
    fn problems(&self) -> Vec<FieldError> {
        variant_numbers_problem(self.price_minor, self.compare_at_minor.flatten(), self.stock)
            .map(|(field, message)| FieldError::new(field, message))
            .into_iter()
            .collect()
    }
}

impl Validate for ProductNote {
    fn problems(&self) -> Vec<FieldError> {
        if self.note.trim().chars().count() > MAX_NOTE_CHARS {
            return vec![FieldError::new("note", format!("A note is at most {MAX_NOTE_CHARS} characters."))];
        }
        Vec::new()
    }
}

/// The most sites one show may be embedded on.
pub const MAX_EMBED_ORIGINS: usize = 50;

impl Validate for EmbedOrigins {
    fn problems(&self) -> Vec<FieldError> {
        if self.origins.len() > MAX_EMBED_ORIGINS {
            return vec![FieldError::new("origins", format!("At most {MAX_EMBED_ORIGINS} origins may embed a show."))];
        }
        match self.origins.iter().find(|o| normalize_origin(o).is_none()) {
            Some(raw) => vec![FieldError::new(
                "origins",
                format!("'{raw}' is not an origin: give scheme://host[:port], e.g. https://brand.example"),
            )],
            None => Vec::new(),
        }
    }
}

/// An origin as the browser sends it in `Origin` (lowercase, no path, no
/// trailing slash), or None if `raw` is not an http(s) origin.
pub fn normalize_origin(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = raw.split_once("://")?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.len() > 253 {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'));
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    (host_ok && port_ok).then_some(raw)
}

impl Validate for AddLine {
    fn problems(&self) -> Vec<FieldError> {
        if self.quantity == 0 {
            return vec![FieldError::new("quantity", "Add at least one.")];
        }
        Vec::new()
    }
}

impl Validate for CatalogueImport {
    fn problems(&self) -> Vec<FieldError> {
        if self.default_stock.is_some_and(|s| !(0..=MAX_STOCK).contains(&s)) {
            return vec![FieldError::new(
                "default_stock",
                format!("The default stock is a whole number from 0 to {MAX_STOCK}."),
            )];
        }
        Vec::new()
    }
}

impl Validate for CheckoutRequest {
    fn problems(&self) -> Vec<FieldError> {
        self.validate().err().unwrap_or_default()
    }
}

impl CheckoutRequest {
    /// The request with control and direction-override characters taken out
    /// of the buyer's name and address (a terminal escape, or text that reads
    /// backwards, in an order list or an email).
    pub fn without_controls(mut self) -> Self {
        let clean = |s: &mut String| {
            s.retain(|c| {
                !(c.is_control()
                    || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
            })
        };
        clean(&mut self.name);
        clean(&mut self.address.line1);
        clean(&mut self.address.line2);
        clean(&mut self.address.city);
        clean(&mut self.address.postal_code);
        clean(&mut self.address.country);
        self
    }
}

impl CheckoutRequest {
    /// The checks both sides make: the overlay before sending, the server before trusting.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut need = |field: &str, ok: bool, message: &str| {
            if !ok {
                errors.push(FieldError { field: field.into(), message: message.into() });
            }
        };
        need("email", is_plausible_email(&self.email), "Enter an email address like name@example.com.");
        // Lengths in characters, as the JSON Schema (and a person) counts them;
        // and no NUL, which no name or address holds (and Postgres cannot store).
        let fits = |s: &str, max: usize| s.chars().count() <= max && !s.contains('\0');
        need("name", !self.name.trim().is_empty() && fits(&self.name, 200), "Enter your full name.");
        need(
            "address.line1",
            !self.address.line1.trim().is_empty() && fits(&self.address.line1, 200),
            "Enter a street address.",
        );
        need("address.line2", fits(&self.address.line2, 200), "Keep the second address line under 200 characters.");
        need("address.city", !self.address.city.trim().is_empty() && fits(&self.address.city, 100), "Enter a city.");
        need(
            "address.postal_code",
            !self.address.postal_code.trim().is_empty() && fits(&self.address.postal_code, 20),
            "Enter a postal code.",
        );
        need(
            "payment_token",
            !self.payment_token.trim().is_empty() && fits(&self.payment_token, 200),
            "Choose a payment method.",
        );
        let country = self.address.country.trim();
        need(
            "address.country",
            country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()),
            "Choose a country.",
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Deliberately loose: one `@`, something before it, a dot after it. The only real
/// test of an address is mail arriving; this only catches slips of the thumb.
pub fn is_plausible_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.contains(char::is_whitespace)
        && email.chars().count() <= 254
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderLine {
    pub variant_id: i64,
    pub title: String,
    pub options: Vec<String>,
    pub unit_price_minor: i64,
    pub quantity: u32,
    pub line_total_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
}

/// A placed order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Order {
    /// Unguessable id: `GET /api/orders/{id}` looks the order up.
    pub id: String,
    /// Human-facing order number, e.g. `VT-000042`.
    pub number: String,
    pub show_id: String,
    pub payment_status: PaymentStatus,
    pub email: String,
    pub name: String,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    pub subtotal_minor: i64,
    pub shipping_minor: i64,
    pub total_minor: i64,
    pub created_at_ms: i64,
    /// A test order from a sandbox cart: nothing charged, no stock taken,
    /// nothing to ship.
    #[serde(default)]
    pub test: bool,
}

/// Every error the API returns: a stable machine `code` to branch on and a
/// `message` a person can read. `fields` names checkout fields that failed validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_new_order_names_every_product_once() {
        assert!(is_reordering(&[1, 2, 3], &[3, 1, 2]));
        assert!(!is_reordering(&[1, 2, 3], &[3, 1]), "one missing");
        assert!(!is_reordering(&[1, 2, 3], &[3, 1, 2, 2]), "one twice");
        assert!(!is_reordering(&[1, 2, 3], &[3, 1, 9]), "one from elsewhere");
        assert!(is_reordering(&[], &[]));
    }

    #[test]
    fn moving_a_product_clamps_at_the_ends() {
        assert_eq!(moved(&[1, 2, 3], 3, -1), [1, 3, 2]);
        assert_eq!(moved(&[1, 2, 3], 1, -1), [1, 2, 3]);
        assert_eq!(moved(&[1, 2, 3], 1, 1), [2, 1, 3]);
        assert_eq!(moved(&[1, 2, 3], 3, 5), [1, 2, 3]);
        assert_eq!(moved(&[1, 2, 3], 1, 2), [2, 3, 1]);
        assert_eq!(moved(&[1, 2, 3], 7, 1), [1, 2, 3]);
    }

    #[test]
    fn show_settings_are_checked_as_the_schema_states() {
        let ok = ShowUpdate {
            status: None,
            title: Some("Spring Edit".into()),
            stream_url: Some("https://cdn.example/live.m3u8".into()),
            locale: Some("it-IT".into()),
            scheduled_for_ms: Some(Some(1_893_456_000_000)),
            currency: Some("GBP".into()),
            shipping: Some(ShippingPolicy { flat_minor: 0, free_from_minor: None }),
            theme: Some([("accent".to_string(), "#0a7d5a".to_string())].into()),
        };
        assert_eq!(ok.problem(), None);
        assert_eq!(ShowUpdate { scheduled_for_ms: Some(None), ..Default::default() }.problem(), None, "null clears");
        assert_eq!(ShowUpdate { stream_url: Some("/media/demo.mp4".into()), ..Default::default() }.problem(), None);
        assert_eq!(ShowUpdate::default().problem(), None);
        for (update, field) in [
            (ShowUpdate { title: Some("   ".into()), ..Default::default() }, "title"),
            (ShowUpdate { title: Some("x".repeat(201)), ..Default::default() }, "title"),
            (ShowUpdate { stream_url: Some("http://plain.example/a.mp4".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("/".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("//evil.example/a.m3u8".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("/\\evil.example/a.m3u8".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("/a b.mp4".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("/a\u{1c}.mp4".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { locale: Some("italian".into()), ..Default::default() }, "locale"),
            (ShowUpdate { locale: Some("it_IT".into()), ..Default::default() }, "locale"),
        ] {
            assert_eq!(update.problem().map(|p| p.0), Some(field), "{update:?}");
        }
    }

    fn product() -> Product {
        Product {
            id: 1,
            title: "Tee".into(),
            description: String::new(),
            image_url: "/x.svg".into(),
            option_names: vec!["Size".into()],
            max_per_buyer: None,
            variants: vec![
                Variant {
                    id: 10,
                    options: vec!["S".into()],
                    price_minor: 2500,
                    compare_at_minor: Some(3500),
                    stock: 2,
                },
                Variant { id: 11, options: vec!["L".into()], price_minor: 2900, compare_at_minor: None, stock: -1 },
            ],
        }
    }

    #[test]
    fn event_envelope_is_flat_tagged_json() {
        let e =
            EventEnvelope { id: 7, show_id: "demo".into(), stream_ms: 1200, event: ShowEvent::Pin { product_id: 3 } };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"id":7,"show_id":"demo","stream_ms":1200,"type":"pin","product_id":3}"#);
        assert_eq!(serde_json::from_str::<EventEnvelope>(&json).unwrap(), e);
    }

    #[test]
    fn unknown_event_type_is_an_error_not_a_default() {
        let bad = r#"{"id":7,"show_id":"demo","stream_ms":0,"type":"explode","product_id":3}"#;
        assert!(serde_json::from_str::<EventEnvelope>(bad).is_err());
    }

    #[test]
    fn product_price_summary() {
        let p = product();
        assert_eq!(p.from_price_minor(), Some(2500));
        assert_eq!(p.from_compare_at_minor(), Some(3500));
        // Negative stock (never stored, but never trusted either) does not reduce the total.
        assert_eq!(p.total_stock(), 2);
    }

    #[test]
    fn checkout_validation_names_each_bad_field() {
        let ok = CheckoutRequest {
            email: "ada@example.com".into(),
            name: "Ada Lovelace".into(),
            address: Address {
                line1: "1 Via Roma".into(),
                line2: String::new(),
                city: "Milano".into(),
                postal_code: "20100".into(),
                country: "IT".into(),
            },
            payment_token: "tok_visa".into(),
        };
        assert_eq!(ok.validate(), Ok(()));
        let bad = CheckoutRequest { email: "ada@".into(), name: " ".into(), ..ok.clone() };
        let fields: Vec<_> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["email", "name"]);
        let bad_country = CheckoutRequest { address: Address { country: "Italy".into(), ..ok.address.clone() }, ..ok };
        assert_eq!(bad_country.validate().unwrap_err()[0].field, "address.country");
    }

    #[test]
    fn new_event_kinds_round_trip() {
        for event in [
            ShowEvent::Stock { product_id: 1, variant_id: 2, stock: 0 },
            ShowEvent::Price { product_id: 1, variant_id: 2, price_minor: 900, compare_at_minor: None },
            ShowEvent::ShowStatus { status: ShowStatus::Ended },
        ] {
            let e = EventEnvelope { id: 1, show_id: "s".into(), stream_ms: 0, event: event.clone() };
            let json = serde_json::to_value(&e).unwrap();
            assert_eq!(json["type"], event.kind());
            assert_eq!(serde_json::from_value::<EventEnvelope>(json).unwrap().event, event);
        }
    }

    #[test]
    fn variant_update_tells_absent_from_null() {
        let u: VariantUpdate = serde_json::from_str(r#"{"price_minor":900}"#).unwrap();
        assert_eq!(u.compare_at_minor, None);
        let u: VariantUpdate = serde_json::from_str(r#"{"compare_at_minor":null}"#).unwrap();
        assert_eq!(u.compare_at_minor, Some(None));
        let u: VariantUpdate = serde_json::from_str(r#"{"compare_at_minor":1200}"#).unwrap();
        assert_eq!(u.compare_at_minor, Some(Some(1200)));
    }

    #[test]
    fn decimal_amounts_to_minor_units() {
        assert_eq!(parse_minor("49.00", "EUR"), Ok(4900));
        assert_eq!(parse_minor("49.9", "EUR"), Ok(4990));
        assert_eq!(parse_minor("49", "EUR"), Ok(4900));
        assert_eq!(parse_minor("1200", "JPY"), Ok(1200));
        assert_eq!(parse_minor("1.234", "KWD"), Ok(1234));
        assert!(parse_minor("49.001", "EUR").is_err());
        assert!(parse_minor("12.5", "JPY").is_err());
        for bad in ["", "-1", "1,00", "abc", ".5", "1e3"] {
            assert!(parse_minor(bad, "EUR").is_err(), "{bad}");
        }
    }

    #[test]
    fn shipping_policy() {
        let p = ShippingPolicy::STANDARD;
        assert_eq!(
            (p.shipping_for(0), p.shipping_for(1800), p.shipping_for(4999), p.shipping_for(5000)),
            (0, 490, 490, 0)
        );
        let never_free = ShippingPolicy { flat_minor: 700, free_from_minor: None };
        assert_eq!(never_free.shipping_for(1_000_000), 700);
    }

    #[test]
    fn email_plausibility() {
        for good in ["a@b.co", "first.last+tag@sub.example.it"] {
            assert!(is_plausible_email(good), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.co", "a@.co", "a@b.", "a b@c.co", "a@b@c.co"] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }
}
