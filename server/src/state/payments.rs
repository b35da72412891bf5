//! Payments: the server never sees card numbers. The overlay (or a provider's
//! own client-side library) turns card details into a token; checkout sends the
//! token and the provider charges it. [`PaymentProvider`] is the seam where a
//! real provider plugs in; [`TestProvider`] is built in, with documented tokens
//! (`vetrina_wire::TEST_PAYMENT_TOKENS`) that succeed or decline.

use std::future::Future;
use std::pin::Pin;

#[derive(Debug, Clone)]
pub struct Charge {
    pub amount_minor: i64,
    pub currency: String,
    pub token: String,
    /// Our order number, for the provider's records.
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Approved {
        reference: String,
    },
    /// The provider refused: `code` is stable (`card_declined`), `message` is for the buyer.
    Declined {
        code: String,
        message: String,
    },
}

pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &'static str;
    fn charge<'a>(&'a self, charge: Charge) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;
}

/// The built-in test provider: instant, deterministic, no network.
pub struct TestProvider;

impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    fn charge<'a>(&'a self, charge: Charge) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
        Box::pin(async move {
            match charge.token.as_str() {
                "tok_visa" | "tok_mastercard" => {
                    Outcome::Approved { reference: format!("test_{}", crate::util::random_id()) }
                }
                "tok_insufficient_funds" => Outcome::Declined {
                    code: "insufficient_funds".into(),
                    message: "The card has insufficient funds. Nothing was charged; try another card.".into(),
                },
                "tok_declined" => Outcome::Declined {
                    code: "card_declined".into(),
                    message: "The card was declined. Nothing was charged; try another card.".into(),
                },
                _ => Outcome::Declined {
                    code: "invalid_payment_token".into(),
                    message: "That payment method is not valid. Nothing was charged.".into(),
                },
            }
        })
    }
}
