//! What every answer and request shares: errors (with the fields a request got
//! wrong), the one validation convention ([`Validate`]), and the Idempotency-Key header.

use serde::{Deserialize, Serialize};

use super::*;

/// The header that makes a checkout safe to retry: the same key never places a second order.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

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

impl Validate for RefundRequest {
    fn problems(&self) -> Vec<FieldError> {
        RefundRequest::problems(self)
    }
}

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
        match (self.format, self.store.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
            (CatalogueFormat::Shopify, Some(store)) => match crate::store_host(store) {
                Ok(_) => Vec::new(),
                Err(e) => vec![FieldError::new("store", e)],
            },
            (CatalogueFormat::Gmc, Some(_)) => {
                vec![FieldError::new("store", "Only a Shopify products.json comes from a Shopify store.")]
            }
            (_, None) => Vec::new(),
        }
    }
}

impl Validate for CheckoutRequest {
    fn problems(&self) -> Vec<FieldError> {
        self.validate().err().unwrap_or_default()
    }
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
