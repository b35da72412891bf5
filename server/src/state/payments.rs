//! Payments: the server never sees card numbers. The buyer's browser turns
//! card details into a token inside the provider's own fields (for Stripe, a
//! ConfirmationToken from the Payment Element or a wallet); checkout sends the
//! token and the server charges it. [`PaymentProvider`] is the seam:
//! [`TestProvider`] is built in, with documented tokens
//! (`vetrina_wire::TEST_PAYMENT_TOKENS`) that succeed or decline; [`super::stripe::Stripe`] takes real money.
//!
//! A payment has two steps so that what the provider holds is always findable
//! from our side: [`PaymentProvider::open`] creates it for the order's total,
//! nothing charged, and the checkout records its id before
//! [`PaymentProvider::confirm`] charges the token. A retry, a webhook or the
//! reaper then asks [`PaymentProvider::status`].

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

/// An order's payment, as the provider is asked for it.
#[derive(Debug, Clone)]
pub struct Charge {
    pub amount_minor: i64,
    pub currency: String,
    pub token: String,
    /// Our order number, for the provider's records (and its idempotency keys).
    pub reference: String,
}

/// Where a payment stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Paid: the provider's reference, and what it says it took.
    Approved { reference: String, amount_minor: i64, currency: String },
    /// The provider refused: `code` is stable (`card_declined`), `message` is for the buyer.
    Declined { code: String, message: String },
    /// The buyer must act in the provider's own client (3-D Secure) with this secret.
    RequiresAction { client_secret: String },
    /// Opened and not yet confirmed: the token can be charged.
    Open,
    /// The provider could not be reached or did not answer: nothing is known
    /// (money may have moved). Retrying with the same order asks again.
    Unavailable { message: String },
}

pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &'static str;
    /// Opens the order's payment, charging nothing; the provider's id for it.
    /// The same order opens the same payment however often it is asked.
    fn open<'a>(&'a self, charge: &'a Charge) -> Pending<'a, Result<String, String>>;
    /// Charges `charge.token` against the payment `intent`.
    fn confirm<'a>(&'a self, intent: &'a str, charge: &'a Charge) -> Pending<'a, Outcome>;
    /// Where the payment `intent` stands now.
    fn status<'a>(&'a self, intent: &'a str) -> Pending<'a, Outcome>;
    /// Cancels an unpaid payment, so it can never be charged; `Err` if it was
    /// paid meanwhile or the provider could not be reached.
    fn cancel<'a>(&'a self, intent: &'a str) -> Pending<'a, Result<(), String>>;
    /// Gives back `amount_minor` of a paid payment (once per `key`): the
    /// provider's refund id.
    fn refund<'a>(
        &'a self,
        intent: &'a str,
        amount_minor: i64,
        currency: &'a str,
        key: &'a str,
    ) -> Pending<'a, Result<String, String>>;
}

/// The built-in test provider: instant, deterministic, no network. Its
/// payments live as long as the process (one table for all its uses: test
/// orders use it whatever the shop's own provider is).
pub struct TestProvider;

fn test_payments() -> std::sync::MutexGuard<'static, HashMap<String, Outcome>> {
    static PAYMENTS: std::sync::OnceLock<Mutex<HashMap<String, Outcome>>> = std::sync::OnceLock::new();
    PAYMENTS.get_or_init(Mutex::default).lock().unwrap_or_else(|p| p.into_inner())
}

impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    fn open<'a>(&'a self, charge: &'a Charge) -> Pending<'a, Result<String, String>> {
        Box::pin(async move {
            let intent = format!("test_{}", charge.reference);
            test_payments().entry(intent.clone()).or_insert(Outcome::Open);
            Ok(intent)
        })
    }

    fn confirm<'a>(&'a self, intent: &'a str, charge: &'a Charge) -> Pending<'a, Outcome> {
        Box::pin(async move {
            let outcome = match charge.token.as_str() {
                "tok_visa" | "tok_mastercard" => Outcome::Approved {
                    reference: intent.to_string(),
                    amount_minor: charge.amount_minor,
                    currency: charge.currency.clone(),
                },
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
            };
            test_payments().insert(intent.to_string(), outcome.clone());
            outcome
        })
    }

    fn status<'a>(&'a self, intent: &'a str) -> Pending<'a, Outcome> {
        Box::pin(async move {
            // A payment from before a restart was never confirmed here.
            test_payments().get(intent).cloned().unwrap_or(Outcome::Open)
        })
    }

    fn cancel<'a>(&'a self, intent: &'a str) -> Pending<'a, Result<(), String>> {
        Box::pin(async move {
            let mut payments = test_payments();
            if matches!(payments.get(intent), Some(Outcome::Approved { .. })) {
                return Err("already paid".into());
            }
            payments.remove(intent);
            Ok(())
        })
    }

    fn refund<'a>(
        &'a self,
        intent: &'a str,
        _amount_minor: i64,
        _currency: &'a str,
        key: &'a str,
    ) -> Pending<'a, Result<String, String>> {
        Box::pin(async move {
            // A test payment from before a restart is forgotten here, but was paid.
            match test_payments().get(intent) {
                Some(Outcome::Approved { .. }) | None if intent.starts_with("test_") => Ok(format!("test_re_{key}")),
                _ => Err("not paid".into()),
            }
        })
    }
}
