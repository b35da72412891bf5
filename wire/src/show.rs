//! A show: its status, settings, shipping policy, the snapshot a viewer opens
//! it with, and the rules for a new show and its settings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::*;
use crate::catalogue::present_or_null;

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
    /// The brand's Shopify store (a host name such as `brand.myshopify.com`),
    /// from a catalogue import or the show's settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shopify_store: Option<String>,
    /// Buyers pay on the brand's Shopify store: the cart hands over to its
    /// checkout (`GET /api/carts/{cart}/handover`) instead of Vetrina's.
    #[serde(default)]
    pub checkout_on_store: bool,
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
    /// With Stripe: what the checkout gives Stripe.js (loaded only when the
    /// checkout opens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe: Option<StripeClient>,
}

/// Stripe's public side: the publishable key and the Stripe.js to load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StripeClient {
    pub publishable_key: String,
    pub js_url: String,
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
    /// Stripe: the payment token is a ConfirmationToken from Stripe.js's
    /// Payment Element or Express Checkout Element (see `ShowSnapshot::stripe`).
    Stripe,
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
    /// The brand's Shopify store: its host name (`brand.myshopify.com` or its
    /// own domain); an empty string forgets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = 300)))]
    pub shopify_store: Option<String>,
    /// Hand the cart over to the Shopify store's checkout (needs the store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_on_store: Option<bool>,
}

/// A store's host name as a creator may type it (`https://Brand.myshopify.com/`),
/// reduced to the host (`brand.myshopify.com`), or why it is not one. Only a
/// DNS name with a dot and a letter in its last label: never an address, a
/// port, a path or another scheme, so the link a buyer follows goes to
/// `https://` that host and nowhere else.
pub fn store_host(input: &str) -> Result<String, &'static str> {
    const WRONG: &str = "The store is its web address, such as brand.myshopify.com.";
    let trimmed = input.trim();
    let lower = trimmed.to_ascii_lowercase();
    let host = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let host = host.strip_suffix('/').unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let last_is_name = labels.last().is_some_and(|l| l.bytes().any(|b| b.is_ascii_lowercase()));
    if host.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) || !last_is_name {
        return Err(WRONG);
    }
    Ok(host.to_string())
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
        if let Some(store) = self.shopify_store.as_deref().filter(|s| !s.trim().is_empty()) {
            if let Err(e) = store_host(store) {
                return Some(("shopify_store", e));
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

#[cfg(test)]
mod store_host_tests {
    use super::store_host;

    #[test]
    fn a_typed_address_becomes_its_host() {
        assert_eq!(store_host(" https://Brand.MyShopify.com/ ").as_deref(), Ok("brand.myshopify.com"));
        assert_eq!(store_host("shop.brand.it").as_deref(), Ok("shop.brand.it"));
    }

    #[test]
    fn nothing_but_a_dns_name_is_a_store() {
        for bad in [
            "",
            "localhost",
            "127.0.0.1",
            "brand.myshopify.com:8443",
            "brand.myshopify.com/cart",
            "evil.com@brand.myshopify.com",
            "javascript:alert(1)",
            "//brand.myshopify.com",
            "-brand.myshopify.com",
            "brand..com",
            "bränd.com",
            "brand.myshopify.com?x=1",
            "brand.myshopify.com#x",
            "brand myshopify.com",
        ] {
            assert!(store_host(bad).is_err(), "{bad:?} was taken for a store");
        }
    }
}
