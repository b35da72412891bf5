//! Stripe as the payment provider: PaymentIntents over Stripe's HTTP API, and
//! the verification of the events Stripe sends to our webhook.
//!
//! The buyer's card never reaches us: the overlay mounts Stripe's Payment
//! Element (and the Express Checkout Element for wallets), which turns what
//! the buyer enters into a ConfirmationToken; checkout sends that token. Here
//! an order's payment is a PaymentIntent created for the order's total as the
//! server computed it (`open`), its id recorded, then confirmed with the token
//! (`confirm`). Each call carries an `Idempotency-Key` derived from the order
//! number, so a retry after a lost answer finds the same PaymentIntent and the
//! same confirmation rather than charging again.
//!
//! Amounts: Stripe counts most currencies in the minor units we use. Its
//! exceptions are converted here and only here: ISK, whose ISO minor unit is
//! the krona, Stripe counts in hundredths; three-decimal currencies it takes
//! only in multiples of ten.

use std::time::Duration;

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use serde_json::Value;

use super::payments::{Charge, Outcome, PaymentProvider, Pending};

/// What the server needs to talk to Stripe. The secret key and the webhook
/// secrets are never logged or sent anywhere but Stripe's API.
#[derive(Clone)]
pub struct StripeConfig {
    pub secret_key: String,
    pub publishable_key: String,
    /// Every secret a webhook signature may be made with (two while one is rotated).
    pub webhook_secrets: Vec<String>,
    /// `https://api.stripe.com`; a stand-in's address in tests.
    pub api_base: String,
    /// The Stripe.js the checkout loads: `https://js.stripe.com/v3/`.
    pub js_url: String,
    /// How long one API call may take before it counts as unanswered.
    pub timeout: Duration,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig")
            .field("publishable_key", &self.publishable_key)
            .field("api_base", &self.api_base)
            .field("secret_key", &"[hidden]")
            .field("webhook_secrets", &format!("[{} hidden]", self.webhook_secrets.len()))
            .finish()
    }
}

pub const API_BASE: &str = "https://api.stripe.com";
pub const JS_URL: &str = "https://js.stripe.com/v3/";

type Https = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

/// The provider.
pub struct Stripe {
    config: StripeConfig,
    client: Client<Https, Full<Bytes>>,
}

/// Stripe's amount for `minor` units of `currency`, or why it cannot take it.
pub fn to_stripe_amount(minor: i64, currency: &str) -> Result<i64, String> {
    let currency = currency.to_ascii_uppercase();
    if currency == "ISK" {
        return minor.checked_mul(100).ok_or_else(|| "amount too large".to_string());
    }
    if vetrina_wire::minor_digits(&currency) == 3 && minor % 10 != 0 {
        return Err(format!("Stripe takes {currency} amounts in multiples of 0.010"));
    }
    Ok(minor)
}

/// Our minor units for Stripe's `amount` of `currency`.
pub fn from_stripe_amount(amount: i64, currency: &str) -> i64 {
    if currency.eq_ignore_ascii_case("ISK") {
        amount / 100
    } else {
        amount
    }
}

impl Stripe {
    pub fn new(config: StripeConfig) -> Result<Self, String> {
        let tls = hyper_rustls::HttpsConnectorBuilder::new().with_webpki_roots().https_or_http().enable_http1().build();
        let client =
            Client::builder(hyper_util::rt::TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(60)).build(tls);
        if !config.secret_key.starts_with("sk_") && !config.secret_key.starts_with("rk_") {
            return Err("the Stripe secret key starts with sk_ (or rk_ for a restricted key)".into());
        }
        if !config.publishable_key.starts_with("pk_") {
            return Err("the Stripe publishable key starts with pk_".into());
        }
        Ok(Stripe { config, client })
    }

    pub fn config(&self) -> &StripeConfig {
        &self.config
    }

    /// One API call: the status and the JSON body, or why there is none.
    async fn call(
        &self,
        method: hyper::Method,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: Option<&str>,
    ) -> Result<(u16, Value), String> {
        let body = serde_urlencoded::to_string(form).map_err(|e| e.to_string())?;
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.config.api_base))
            .header("authorization", format!("Bearer {}", self.config.secret_key))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("user-agent", concat!("Vetrina/", env!("CARGO_PKG_VERSION")));
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let request = request.body(Full::new(Bytes::from(body))).map_err(|e| e.to_string())?;
        let answer = tokio::time::timeout(self.config.timeout, async {
            let response = self.client.request(request).await.map_err(|e| format!("Stripe unreachable: {e}"))?;
            let status = response.status().as_u16();
            let bytes = response.into_body().collect().await.map_err(|e| format!("Stripe's answer broke off: {e}"))?;
            Ok::<_, String>((status, bytes.to_bytes()))
        })
        .await
        .map_err(|_| format!("Stripe did not answer within {:?}", self.config.timeout))??;
        let json: Value = serde_json::from_slice(&answer.1).map_err(|e| format!("Stripe's answer is not JSON: {e}"))?;
        Ok((answer.0, json))
    }
}

/// What a PaymentIntent says about its payment.
pub fn outcome_of(pi: &Value) -> Outcome {
    let currency = pi["currency"].as_str().unwrap_or("").to_ascii_uppercase();
    match pi["status"].as_str().unwrap_or("") {
        "succeeded" => Outcome::Approved {
            reference: pi["id"].as_str().unwrap_or("").to_string(),
            amount_minor: from_stripe_amount(pi["amount_received"].as_i64().unwrap_or(0), &currency),
            currency,
        },
        "requires_action" => {
            Outcome::RequiresAction { client_secret: pi["client_secret"].as_str().unwrap_or("").to_string() }
        }
        "canceled" => Outcome::Declined {
            code: "payment_canceled".into(),
            message: "The payment was cancelled. Nothing was charged.".into(),
        },
        "requires_payment_method" if !pi["last_payment_error"].is_null() => declined(&pi["last_payment_error"]),
        "requires_payment_method" | "requires_confirmation" => Outcome::Open,
        // `processing` (some wallets and banks) and `requires_capture` (not used: capture is automatic).
        other => Outcome::Unavailable { message: format!("The payment is {other}; it is not settled yet.") },
    }
}

/// A Stripe error as the buyer is told it: declines in plain words, Stripe's own
/// message for the rest (it is written for buyers).
fn declined(error: &Value) -> Outcome {
    let code = error["decline_code"].as_str().or(error["code"].as_str()).unwrap_or("card_declined").to_string();
    let message = match code.as_str() {
        "insufficient_funds" => "The card has insufficient funds. Nothing was charged; try another card.".into(),
        "payment_intent_authentication_failure" => {
            "The card's bank could not confirm it was you. Nothing was charged; try again or use another card.".into()
        }
        "generic_decline" | "card_declined" | "do_not_honor" => {
            "The card was declined. Nothing was charged; try another card.".into()
        }
        _ => format!("{} Nothing was charged.", error["message"].as_str().unwrap_or("The payment was refused.")),
    };
    Outcome::Declined { code, message }
}

fn unavailable(why: String) -> Outcome {
    tracing::warn!(%why, "Stripe did not settle a payment");
    Outcome::Unavailable { message: why }
}

impl PaymentProvider for Stripe {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn open<'a>(&'a self, charge: &'a Charge) -> Pending<'a, Result<String, String>> {
        Box::pin(async move {
            let amount = to_stripe_amount(charge.amount_minor, &charge.currency)?;
            let form = [
                ("amount", amount.to_string()),
                ("currency", charge.currency.to_ascii_lowercase()),
                // Cards and wallets, confirmed on the page: no redirect away from the video.
                ("automatic_payment_methods[enabled]", "true".into()),
                ("automatic_payment_methods[allow_redirects]", "never".into()),
                ("description", format!("Vetrina order {}", charge.reference)),
                ("metadata[vetrina_order]", charge.reference.clone()),
            ];
            let key = format!("vetrina-{}-open", charge.reference);
            match self.call(hyper::Method::POST, "/v1/payment_intents", &form, Some(&key)).await? {
                (200, pi) => {
                    pi["id"].as_str().map(str::to_string).ok_or_else(|| "Stripe's PaymentIntent has no id".into())
                }
                (status, body) => {
                    Err(format!("Stripe refused the PaymentIntent ({status}): {}", body["error"]["message"]))
                }
            }
        })
    }

    fn confirm<'a>(&'a self, intent: &'a str, charge: &'a Charge) -> Pending<'a, Outcome> {
        Box::pin(async move {
            let token = charge.token.as_str();
            // A ConfirmationToken from Stripe.js; in test mode only, Stripe's
            // test PaymentMethods (`pm_card_visa`) for API clients' own tests.
            // Never another PaymentMethod id: one saved on the account for
            // someone else must not be chargeable by naming it.
            let test_card = token.starts_with("pm_card_") && self.config.secret_key.starts_with("sk_test_");
            let field = if test_card { "payment_method" } else { "confirmation_token" };
            if !token.starts_with("ctoken_") && !test_card {
                return Outcome::Declined {
                    code: "invalid_payment_token".into(),
                    message: "That payment method is not valid. Nothing was charged.".into(),
                };
            }
            let form = [(field, token.to_string())];
            let key = format!("vetrina-{}-confirm-{token}", charge.reference);
            let path = format!("/v1/payment_intents/{intent}/confirm");
            match self.call(hyper::Method::POST, &path, &form, Some(&key)).await {
                Ok((200, pi)) => outcome_of(&pi),
                Ok((402, body)) => declined(&body["error"]),
                Ok((400 | 404, body)) if body["error"]["type"] == "card_error" => declined(&body["error"]),
                Ok((400 | 404, body))
                    if body["error"]["code"] == "token_already_used" || body["error"]["code"] == "resource_missing" =>
                {
                    Outcome::Declined {
                        code: "invalid_payment_token".into(),
                        message: "That payment method was already used or has expired: enter it again. Nothing \
                                  was charged."
                            .into(),
                    }
                }
                // The PaymentIntent moved on (a webhook's view, another tab): ask where it stands.
                Ok((400, body)) if body["error"]["code"] == "payment_intent_unexpected_state" => {
                    self.status(intent).await
                }
                Ok((status, body)) => unavailable(format!("Stripe answered {status}: {}", body["error"]["message"])),
                Err(why) => unavailable(why),
            }
        })
    }

    fn status<'a>(&'a self, intent: &'a str) -> Pending<'a, Outcome> {
        Box::pin(async move {
            match self.call(hyper::Method::GET, &format!("/v1/payment_intents/{intent}"), &[], None).await {
                Ok((200, pi)) => outcome_of(&pi),
                Ok((status, body)) => unavailable(format!("Stripe answered {status}: {}", body["error"]["message"])),
                Err(why) => unavailable(why),
            }
        })
    }

    fn cancel<'a>(&'a self, intent: &'a str) -> Pending<'a, Result<(), String>> {
        Box::pin(async move {
            let form = [("cancellation_reason", "abandoned".to_string())];
            let key = format!("vetrina-{intent}-cancel");
            match self
                .call(hyper::Method::POST, &format!("/v1/payment_intents/{intent}/cancel"), &form, Some(&key))
                .await?
            {
                (200, _) => Ok(()),
                (_, body) if body["error"]["payment_intent"]["status"] == "canceled" => Ok(()),
                (status, body) => Err(format!("Stripe would not cancel ({status}): {}", body["error"]["message"])),
            }
        })
    }

    fn refund<'a>(
        &'a self,
        intent: &'a str,
        amount_minor: i64,
        currency: &'a str,
        key: &'a str,
    ) -> Pending<'a, Result<String, String>> {
        Box::pin(async move {
            let form = [
                ("payment_intent", intent.to_string()),
                ("amount", to_stripe_amount(amount_minor, currency)?.to_string()),
            ];
            match self.call(hyper::Method::POST, "/v1/refunds", &form, Some(&format!("vetrina-{key}"))).await? {
                (200, r) => r["id"].as_str().map(str::to_string).ok_or_else(|| "Stripe's refund has no id".into()),
                (status, body) => Err(format!("Stripe refused the refund ({status}): {}", body["error"]["message"])),
            }
        })
    }
}

/// Why a webhook delivery is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SignatureError {
    Missing,
    Malformed,
    /// Older (or newer) than the tolerance: a replay of a captured delivery.
    Stale,
    Mismatch,
}

/// How far a signature's time may be from ours.
pub const TOLERANCE_S: i64 = 300;

/// The signed time of a `Stripe-Signature` header, if it is within the
/// tolerance of `now_s` (checked before the body is read).
pub fn signed_at(header: Option<&str>, now_s: i64) -> Result<i64, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let t = header
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("t="))
        .next()
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or(SignatureError::Malformed)?;
    if (now_s - t).abs() > TOLERANCE_S {
        return Err(SignatureError::Stale);
    }
    Ok(t)
}

/// Checks a delivery as Stripe signs it: HMAC-SHA256 of `t.payload` under the
/// endpoint's secret; every `v1` in the header is tried against every secret
/// we hold (a rolled secret keeps working while both are live); compared in
/// constant time.
pub fn verify(header: Option<&str>, payload: &[u8], secrets: &[String], now_s: i64) -> Result<(), SignatureError> {
    use hmac::Mac;
    let t = signed_at(header, now_s)?;
    let header = header.unwrap_or("");
    let signatures: Vec<Vec<u8>> = header
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("v1="))
        .filter_map(|hex| {
            (hex.len() == 64)
                .then(|| {
                    (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect::<Option<Vec<u8>>>()
                })
                .flatten()
        })
        .collect();
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    for secret in secrets {
        for signature in &signatures {
            let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else { continue };
            mac.update(t.to_string().as_bytes());
            mac.update(b".");
            mac.update(payload);
            if mac.verify_slice(signature).is_ok() {
                return Ok(());
            }
        }
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, t: i64, payload: &[u8]) -> String {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
        mac.update(format!("{t}.").as_bytes());
        mac.update(payload);
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn a_signature_is_checked_as_stripe_makes_it() {
        let body = br#"{"id":"evt_1"}"#;
        let now = 1_800_000_000;
        let secrets = vec!["whsec_old".to_string(), "whsec_new".to_string()];
        let good = format!("t={now},v1={}", sign("whsec_new", now, body));
        assert_eq!(verify(Some(&good), body, &secrets, now), Ok(()));
        // Several v1s (Stripe sends one per live secret): any one will do.
        let two = format!("t={now},v1={},v1={}", sign("whsec_gone", now, body), sign("whsec_old", now, body));
        assert_eq!(verify(Some(&two), body, &secrets, now), Ok(()));
        assert_eq!(verify(Some(&good), br#"{"id":"evt_2"}"#, &secrets, now), Err(SignatureError::Mismatch));
        assert_eq!(verify(Some(&good), body, &["whsec_other".into()], now), Err(SignatureError::Mismatch));
        assert_eq!(verify(None, body, &secrets, now), Err(SignatureError::Missing));
        assert_eq!(verify(Some("v1=abc"), body, &secrets, now), Err(SignatureError::Malformed));
        assert_eq!(verify(Some(&format!("t={now},v0=00")), body, &secrets, now), Err(SignatureError::Malformed));
        assert_eq!(verify(Some(&good), body, &secrets, now + TOLERANCE_S + 1), Err(SignatureError::Stale));
        assert_eq!(verify(Some(&good), body, &secrets, now - TOLERANCE_S - 1), Err(SignatureError::Stale));
    }

    #[test]
    fn amounts_follow_stripes_units() {
        assert_eq!(to_stripe_amount(4990, "EUR"), Ok(4990));
        assert_eq!(to_stripe_amount(5000, "XOF"), Ok(5000));
        assert_eq!(to_stripe_amount(1500, "isk"), Ok(150_000));
        assert_eq!(from_stripe_amount(150_000, "ISK"), 1500);
        assert_eq!(to_stripe_amount(12_340, "KWD"), Ok(12_340));
        assert!(to_stripe_amount(12_345, "KWD").is_err());
    }
}
