//! Checkout and orders: the buyer's details and their rules, test payment
//! tokens, placed orders.

use serde::{Deserialize, Serialize};

use super::*;

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
    /// Paid, then some of it given back.
    PartiallyRefunded,
    /// Paid, then all of it given back.
    Refunded,
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

/// `202 Accepted` from checkout: the order waits while the buyer authenticates
/// the payment with their bank (3-D Secure) in the provider's own client
/// (Stripe.js `handleNextAction` with `client_secret`); then the same request,
/// with the same Idempotency-Key, finishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PaymentAction {
    pub order: Order,
    pub client_secret: String,
}

/// `POST /api/shows/{show}/orders/{order}/refunds` (creator): gives money
/// back on a paid order through the provider that took it. No lines: the
/// whole order, what is left of it (its shipping too); lines: those units, at
/// the price they were bought at. `restock` puts the units back on sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefundRequest {
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 100)))]
    pub lines: Vec<RefundLine>,
    #[serde(default = "yes")]
    pub restock: bool,
    /// For the shop's records (not sent to the buyer).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 500)))]
    pub reason: String,
}

fn yes() -> bool {
    true
}

/// Units of one variant of the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RefundLine {
    pub variant_id: i64,
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 999)))]
    pub quantity: u32,
}

/// A refund given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Refund {
    pub id: i64,
    pub order_number: String,
    pub amount_minor: i64,
    pub currency: String,
    pub lines: Vec<RefundLine>,
    pub restocked: bool,
    pub created_at_ms: i64,
    /// The order's status after it.
    pub payment_status: PaymentStatus,
    /// Everything given back on the order so far.
    pub refunded_minor: i64,
}

impl RefundRequest {
    /// What is wrong with the request, before the order is looked at.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.lines.len() > 100 {
            errors.push(FieldError::new("lines", "At most 100 lines in one refund."));
        }
        if self.lines.iter().any(|l| l.quantity == 0 || l.quantity > 999) {
            errors.push(FieldError::new("lines", "Each line gives back 1 to 999 units."));
        }
        let mut seen: Vec<i64> = self.lines.iter().map(|l| l.variant_id).collect();
        seen.sort_unstable();
        if seen.windows(2).any(|w| w[0] == w[1]) {
            errors.push(FieldError::new("lines", "Name each variant once."));
        }
        if self.reason.chars().count() > 500 {
            errors.push(FieldError::new("reason", "At most 500 characters."));
        }
        errors
    }
}
