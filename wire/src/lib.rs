//! The JSON that crosses the wire between the Vetrina overlay and a Vetrina backend.
//!
//! Brands may run their own backend: anything that serves these shapes at the
//! documented paths works with the overlay. Our reference server (`vetrina-server`)
//! uses the very same types, so the two can never disagree about a field name.
//!
//! Money is always an integer amount of the currency's minor unit (cents for EUR)
//! plus an ISO 4217 code. Prices, totals and stock are decided by the server; the
//! client only ever sends ids and quantities.

use serde::{Deserialize, Serialize};

/// The most of one variant a single cart line may hold. Shared so the overlay's
/// quantity picker and the server's validation agree.
pub const MAX_LINE_QUANTITY: u32 = 10;

/// The header that makes a checkout safe to retry: the same key never places a second order.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// Where a show is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowStatus {
    Scheduled,
    Live,
    Ended,
}

/// A live show: what the overlay needs to present it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// One buyable combination of a product's options (say "M" / "Blue").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
pub struct Product {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub image_url: String,
    /// Names of the option dimensions, e.g. `["Size", "Colour"]`; empty for a single-variant product.
    pub option_names: Vec<String>,
    pub variants: Vec<Variant>,
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
        self.variants.iter().map(|v| v.stock.max(0)).sum()
    }

    pub fn variant(&self, id: i64) -> Option<&Variant> {
        self.variants.iter().find(|v| v.id == id)
    }
}

/// Everything a viewer joining now needs: the show, its catalogue, what is pinned,
/// and the id of the last event included, to resume the event stream from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShowSnapshot {
    pub show: Show,
    pub products: Vec<Product>,
    /// Pinned product ids, most recently pinned first.
    pub pinned: Vec<i64>,
    pub last_event_id: i64,
}

/// What happened on a show, as carried in each Server-Sent Event's `data:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShowEvent {
    Pin { product_id: i64 },
    Unpin { product_id: i64 },
}

/// One event of a show's stream. `id` is also the SSE `id:` line and increases
/// monotonically, so a reconnecting client resumes with `Last-Event-ID`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
pub struct PinRequest {
    pub product_id: i64,
}

/// `POST /api/carts`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateCart {
    pub show_id: String,
}

/// `POST /api/carts/{cart}/lines`: adds `quantity` of a variant to the cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddLine {
    pub variant_id: i64,
    pub quantity: u32,
}

/// `PUT /api/carts/{cart}/lines/{variant}`: sets a line's quantity; 0 removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetQuantity {
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// A cart with every figure computed by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
pub struct Address {
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// `POST /api/carts/{cart}/checkout`, sent with an `Idempotency-Key` header.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CheckoutRequest {
    pub email: String,
    pub name: String,
    pub address: Address,
}

/// Which checkout field is wrong and why: shown beside that field by the overlay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
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
        need("name", !self.name.trim().is_empty() && self.name.len() <= 200, "Enter your full name.");
        need("address.line1", !self.address.line1.trim().is_empty() && self.address.line1.len() <= 200, "Enter a street address.");
        need("address.line2", self.address.line2.len() <= 200, "Keep the second address line under 200 characters.");
        need("address.city", !self.address.city.trim().is_empty() && self.address.city.len() <= 100, "Enter a city.");
        need(
            "address.postal_code",
            !self.address.postal_code.trim().is_empty() && self.address.postal_code.len() <= 20,
            "Enter a postal code.",
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
        && email.len() <= 254
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub variant_id: i64,
    pub title: String,
    pub options: Vec<String>,
    pub unit_price_minor: i64,
    pub quantity: u32,
    pub line_total_minor: i64,
}

/// A placed order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Human-facing order number, e.g. `VT-000042`.
    pub number: String,
    pub email: String,
    pub name: String,
    pub currency: String,
    pub lines: Vec<OrderLine>,
    pub subtotal_minor: i64,
    pub shipping_minor: i64,
    pub total_minor: i64,
    pub created_at_ms: i64,
}

/// Every error the API returns: a stable machine `code` to branch on and a
/// `message` a person can read. `fields` names checkout fields that failed validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product() -> Product {
        Product {
            id: 1,
            title: "Tee".into(),
            description: String::new(),
            image_url: "/x.svg".into(),
            option_names: vec!["Size".into()],
            variants: vec![
                Variant { id: 10, options: vec!["S".into()], price_minor: 2500, compare_at_minor: Some(3500), stock: 2 },
                Variant { id: 11, options: vec!["L".into()], price_minor: 2900, compare_at_minor: None, stock: -1 },
            ],
        }
    }

    #[test]
    fn event_envelope_is_flat_tagged_json() {
        let e = EventEnvelope {
            id: 7,
            show_id: "demo".into(),
            stream_ms: 1200,
            event: ShowEvent::Pin { product_id: 3 },
        };
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
        assert_eq!(p.variant(11).map(|v| v.price_minor), Some(2900));
        assert!(p.variant(12).is_none());
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
        };
        assert_eq!(ok.validate(), Ok(()));
        let bad = CheckoutRequest { email: "ada@".into(), name: " ".into(), ..ok.clone() };
        let fields: Vec<_> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["email", "name"]);
        let bad_country = CheckoutRequest {
            address: Address { country: "Italy".into(), ..ok.address.clone() },
            ..ok
        };
        assert_eq!(bad_country.validate().unwrap_err()[0].field, "address.country");
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
