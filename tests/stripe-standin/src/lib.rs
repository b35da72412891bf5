//! A local stand-in for the part of Stripe's API that Vetrina uses, so the
//! Stripe provider is tested over HTTP, offline, as it talks to Stripe.
//!
//! What it keeps, in memory: PaymentIntents (create, retrieve, confirm with a
//! ConfirmationToken or a test PaymentMethod, cancel), ConfirmationTokens (as
//! Stripe.js makes them with the publishable key, and as test mode's
//! `test_helpers` endpoint makes them with the secret key), refunds, and the
//! events each change raises, delivered to one webhook endpoint signed as
//! Stripe signs them (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`).
//! Requests with an `Idempotency-Key` are answered once and replayed after,
//! and a key reused with other parameters is refused, as Stripe does.
//!
//! The objects start from Stripe's own published fixtures (stripe/openapi,
//! `openapi/fixtures3.json`, pinned in `fixtures3.subset.json` by commit) with
//! the fields this stand-in decides filled in. Test payment methods behave as
//! Stripe documents them: `pm_card_visa` and `pm_card_mastercard` succeed,
//! `pm_card_chargeDeclined` and `pm_card_chargeDeclinedInsufficientFunds` are
//! declined, `pm_card_authenticationRequired` and
//! `pm_card_threeDSecure2Required` need 3-D Secure, which a test completes or
//! fails with `POST /_standin/payment_intents/{id}/authenticate` (what the
//! buyer does in Stripe.js's challenge).
//!
//! Controls for tests, under `/_standin/`: hold webhook deliveries and release
//! them in any order, resend an event, delay every API answer (a request that
//! did its work but whose answer came too late), and count what was created.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};

const FIXTURES: &str = include_str!("../fixtures3.subset.json");

/// Keys and where events go.
#[derive(Clone, Debug)]
pub struct Config {
    pub secret_key: String,
    pub publishable_key: String,
    pub webhook_secret: String,
    /// Where events are POSTed; none: they are only recorded.
    pub webhook_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secret_key: "sk_test_standin".into(),
            publishable_key: "pk_test_standin".into(),
            webhook_secret: "whsec_standin".into(),
            webhook_url: None,
        }
    }
}

/// A recorded event and what its delivery got back.
#[derive(Clone, Debug)]
struct Delivery {
    event: Value,
    /// The webhook endpoint's status for each delivery of it.
    answers: Vec<u16>,
}

#[derive(Default)]
struct Store {
    intents: HashMap<String, Value>,
    /// ConfirmationToken id → (the token, its test PaymentMethod).
    tokens: HashMap<String, (Value, String)>,
    /// PaymentIntent id → refunded so far.
    refunded: HashMap<String, i64>,
    /// (API key, Idempotency-Key) → (request fingerprint, status, body).
    replies: HashMap<(String, String), (String, u16, Value)>,
    events: Vec<Delivery>,
    hold: bool,
    delay_ms: u64,
    created: HashMap<&'static str, u64>,
}

/// The stand-in: clone it to reach its state from a test.
#[derive(Clone)]
pub struct StandIn {
    config: Arc<Mutex<Config>>,
    store: Arc<Mutex<Store>>,
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn random(prefix: &str) -> String {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("random source: {e}"));
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let tail: String = bytes.iter().map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()])).collect();
    format!("{prefix}_{tail}")
}

fn fixture(name: &str) -> Value {
    let all: Value = serde_json::from_str(FIXTURES).unwrap_or_else(|e| panic!("fixtures: {e}"));
    all["resources"][name].clone()
}

/// The `Stripe-Signature` header for `payload` at `t` under `secret`.
pub fn signature(secret: &str, t: i64, payload: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// A Stripe error answer.
fn error(status: StatusCode, kind: &str, code: &str, message: &str, extra: Value) -> (u16, Value) {
    let mut e = json!({ "type": kind, "code": code, "message": message });
    if let (Some(e), Some(extra)) = (e.as_object_mut(), extra.as_object()) {
        e.extend(extra.clone());
    }
    (status.as_u16(), json!({ "error": e }))
}

fn params(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn param<'a>(p: &'a [(String, String)], name: &str) -> Option<&'a str> {
    p.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `metadata[k]=v` pairs as an object.
fn metadata(p: &[(String, String)]) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in p {
        if let Some(key) = k.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) {
            m.insert(key.to_string(), Value::String(v.clone()));
        }
    }
    Value::Object(m)
}

impl StandIn {
    pub fn new(config: Config) -> Self {
        StandIn { config: Arc::new(Mutex::new(config)), store: Arc::new(Mutex::new(Store::default())) }
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn config(&self) -> Config {
        self.config.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Points webhook deliveries at `url` (a server started after the stand-in).
    pub fn set_webhook_url(&self, url: &str) {
        self.config.lock().unwrap_or_else(|p| p.into_inner()).webhook_url = Some(url.to_string());
    }

    /// Holds deliveries (`true`) until [`StandIn::deliver`], or sends them as they happen.
    pub fn hold(&self, on: bool) {
        self.store().hold = on;
    }

    /// Delays every API answer by `ms` after its work is done.
    pub fn delay(&self, ms: u64) {
        self.store().delay_ms = ms;
    }

    /// How many objects of a kind (`payment_intent`, `confirmation`, `refund`, `cancel`) were made.
    pub fn created(&self, kind: &str) -> u64 {
        self.store().created.get(kind).copied().unwrap_or(0)
    }

    /// A PaymentIntent as it stands.
    pub fn intent(&self, id: &str) -> Option<Value> {
        self.store().intents.get(id).cloned()
    }

    /// Every event so far: (id, type, statuses the endpoint answered).
    pub fn events(&self) -> Vec<(String, String, Vec<u16>)> {
        self.store()
            .events
            .iter()
            .map(|d| {
                (
                    d.event["id"].as_str().unwrap_or("").into(),
                    d.event["type"].as_str().unwrap_or("").into(),
                    d.answers.clone(),
                )
            })
            .collect()
    }

    /// The raw event, for a test to send itself (unsigned, badly signed, late).
    pub fn event(&self, id: &str) -> Option<Value> {
        self.store().events.iter().find(|d| d.event["id"] == id).map(|d| d.event.clone())
    }

    /// Sends the events not yet delivered, newest first if `reverse`; waits for the answers.
    pub async fn deliver(&self, reverse: bool) {
        let mut pending: Vec<String> = self
            .store()
            .events
            .iter()
            .filter(|d| d.answers.is_empty())
            .map(|d| d.event["id"].as_str().unwrap_or("").to_string())
            .collect();
        if reverse {
            pending.reverse();
        }
        for id in pending {
            self.send(&id).await;
        }
    }

    /// Delivers (again) the event `id`, signed now; the endpoint's status.
    pub async fn send(&self, id: &str) -> Option<u16> {
        let event = self.event(id)?;
        let config = self.config();
        let url = config.webhook_url?;
        let body = serde_json::to_vec(&event).ok()?;
        let sig = signature(&config.webhook_secret, now(), &body);
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http::<http_body_util::Full<Bytes>>();
        let request = hyper::Request::post(url)
            .header("content-type", "application/json; charset=utf-8")
            .header("stripe-signature", sig)
            .header("user-agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .body(http_body_util::Full::new(Bytes::from(body)))
            .ok()?;
        let status = match client.request(request).await {
            Ok(r) => r.status().as_u16(),
            Err(_) => 0,
        };
        if let Some(d) = self.store().events.iter_mut().find(|d| d.event["id"] == id) {
            d.answers.push(status);
        }
        Some(status)
    }

    /// Records an event about `object` and sends it unless deliveries are held.
    fn emit(&self, kind: &str, object: &Value, request_key: Option<&str>) {
        let mut event = fixture("event");
        event["id"] = json!(random("evt"));
        event["type"] = json!(kind);
        event["created"] = json!(now());
        event["data"] = json!({ "object": object });
        event["pending_webhooks"] = json!(1);
        event["request"] = json!({ "id": random("req"), "idempotency_key": request_key });
        let id = event["id"].as_str().unwrap_or("").to_string();
        let hold = {
            let mut s = self.store();
            s.events.push(Delivery { event, answers: vec![] });
            s.hold
        };
        if !hold {
            let me = self.clone();
            tokio::spawn(async move {
                me.send(&id).await;
            });
        }
    }

    fn count(&self, kind: &'static str) {
        *self.store().created.entry(kind).or_default() += 1;
    }
}

const STRIPE_JS: &str = include_str!("../stripe.js");

/// The stand-in's routes: the API, its Stripe.js at `/v3/`, the test controls.
pub fn app(standin: StandIn) -> Router {
    Router::new()
        .route("/v3/", get(|| async { ([("content-type", "text/javascript; charset=utf-8")], STRIPE_JS) }))
        .route("/v1/payment_intents", post(api))
        .route("/v1/payment_intents/{id}", get(api))
        .route("/v1/payment_intents/{id}/confirm", post(api))
        .route("/v1/payment_intents/{id}/cancel", post(api))
        .route("/v1/confirmation_tokens", post(api))
        .route("/v1/test_helpers/confirmation_tokens", post(api))
        .route("/v1/refunds", post(api))
        .route("/_standin/payment_intents/{id}/authenticate", post(authenticate))
        .with_state(standin)
        .layer(axum::middleware::from_fn(cors))
}

/// Stripe's API answers browsers on any origin (Stripe.js calls it with the
/// publishable key): so does the stand-in.
async fn cors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut response = if request.method() == axum::http::Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    h.insert("access-control-allow-origin", axum::http::HeaderValue::from_static("*"));
    h.insert(
        "access-control-allow-headers",
        axum::http::HeaderValue::from_static("authorization, content-type, idempotency-key"),
    );
    h.insert("access-control-allow-methods", axum::http::HeaderValue::from_static("GET, POST"));
    response
}

/// Binds `addr` and serves the stand-in in the background.
pub async fn serve(config: Config, addr: SocketAddr) -> std::io::Result<(SocketAddr, StandIn)> {
    let standin = StandIn::new(config);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let router = app(standin.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((bound, standin))
}

/// Which key a request carries: secret, publishable, or neither.
#[derive(PartialEq)]
enum Key {
    Secret,
    Publishable,
}

fn key_of(headers: &HeaderMap, config: &Config) -> Option<(Key, String)> {
    let given = headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ")?.trim().to_string();
    if given == config.secret_key {
        Some((Key::Secret, given))
    } else if given == config.publishable_key {
        Some((Key::Publishable, given))
    } else {
        None
    }
}

async fn api(
    State(s): State<StandIn>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let config = s.config();
    let path = uri.path().to_string();
    let mut p = params(&body);
    p.extend(params(uri.query().unwrap_or("").as_bytes()));
    let (status, reply) = match key_of(&headers, &config) {
        None => error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "api_key_invalid",
            "Invalid API Key provided.",
            json!({}),
        ),
        Some((key, key_text)) => {
            let idem = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
            let mut sorted = p.clone();
            sorted.sort();
            let fingerprint = format!("{method} {path} {sorted:?}");
            let earlier = idem.as_ref().and_then(|k| s.store().replies.get(&(key_text.clone(), k.clone())).cloned());
            match earlier {
                Some((f, status, reply)) if f == fingerprint => {
                    let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), Json(reply)).into_response();
                    r.headers_mut().insert("idempotent-replayed", axum::http::HeaderValue::from_static("true"));
                    return r;
                }
                Some(_) => error(
                    StatusCode::BAD_REQUEST,
                    "idempotency_error",
                    "idempotency_key_in_use",
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    json!({}),
                ),
                None => {
                    let done = route(&s, &method, &path, &p, key, idem.as_deref());
                    if let (Some(k), true) = (idem, method == axum::http::Method::POST) {
                        s.store().replies.insert((key_text, k), (fingerprint, done.0, done.1.clone()));
                    }
                    done
                }
            }
        }
    };
    let delay = s.store().delay_ms;
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), Json(reply)).into_response()
}

fn missing(what: &str, id: &str) -> (u16, Value) {
    error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
        &format!("No such {what}: '{id}'"),
        json!({}),
    )
}

fn route(
    s: &StandIn,
    method: &axum::http::Method,
    path: &str,
    p: &[(String, String)],
    key: Key,
    idem: Option<&str>,
) -> (u16, Value) {
    let parts: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
    let secret_only = || {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "secret_key_required",
            "This API call cannot be made with a publishable API key.",
            json!({}),
        )
    };
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["payment_intents"]) if key == Key::Secret => create_intent(s, p),
        ("GET", ["payment_intents", id]) => {
            let Some(pi) = s.intent(id) else { return missing("payment_intent", id) };
            // With the publishable key only with the client secret, as Stripe.js asks.
            if key == Key::Publishable && param(p, "client_secret") != pi["client_secret"].as_str() {
                return missing("payment_intent", id);
            }
            (200, pi)
        }
        ("POST", ["payment_intents", id, "confirm"]) if key == Key::Secret => confirm(s, id, p, idem),
        ("POST", ["payment_intents", id, "cancel"]) if key == Key::Secret => cancel(s, id, p, idem),
        ("POST", ["confirmation_tokens"]) if key == Key::Publishable => make_token(s, p),
        ("POST", ["test_helpers", "confirmation_tokens"]) if key == Key::Secret => make_token(s, p),
        ("POST", ["refunds"]) if key == Key::Secret => refund(s, p, idem),
        _ if key == Key::Publishable => secret_only(),
        _ => {
            error(StatusCode::NOT_FOUND, "invalid_request_error", "url_invalid", "Unrecognized request URL.", json!({}))
        }
    }
}

fn create_intent(s: &StandIn, p: &[(String, String)]) -> (u16, Value) {
    let amount = param(p, "amount").and_then(|a| a.parse::<i64>().ok());
    let currency = param(p, "currency").unwrap_or("");
    let Some(amount) = amount.filter(|a| *a > 0) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_missing",
            "Missing required param: amount.",
            json!({ "param": "amount" }),
        );
    };
    if currency.len() != 3 || currency.chars().any(|c| !c.is_ascii_lowercase()) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid_string",
            "Invalid currency.",
            json!({ "param": "currency" }),
        );
    }
    let mut pi = fixture("payment_intent");
    let id = random("pi");
    pi["id"] = json!(id);
    pi["client_secret"] = json!(format!("{id}_secret_{}", random("x").trim_start_matches("x_")));
    pi["amount"] = json!(amount);
    pi["currency"] = json!(currency);
    pi["created"] = json!(now());
    pi["livemode"] = json!(false);
    pi["status"] = json!("requires_payment_method");
    pi["metadata"] = metadata(p);
    pi["description"] = json!(param(p, "description"));
    pi["receipt_email"] = json!(param(p, "receipt_email"));
    pi["automatic_payment_methods"] = json!({
        "enabled": param(p, "automatic_payment_methods[enabled]") == Some("true"),
        "allow_redirects": param(p, "automatic_payment_methods[allow_redirects]").unwrap_or("always"),
    });
    for field in [
        "canceled_at",
        "cancellation_reason",
        "last_payment_error",
        "next_action",
        "latest_charge",
        "payment_method",
        "processing",
        "transfer_data",
        "shipping",
    ] {
        pi[field] = Value::Null;
    }
    pi["amount_received"] = json!(0);
    s.store().intents.insert(id, pi.clone());
    s.count("payment_intent");
    (200, pi)
}

fn make_token(s: &StandIn, p: &[(String, String)]) -> (u16, Value) {
    let Some(pm) = param(p, "payment_method") else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_missing",
            "Missing required param: payment_method.",
            json!({ "param": "payment_method" }),
        );
    };
    if behaviour(pm).is_none() {
        return missing("payment_method", pm);
    }
    let mut t = fixture("confirmation_token");
    let id = random("ctoken");
    t["id"] = json!(id);
    t["created"] = json!(now());
    t["expires_at"] = json!(now() + 12 * 3600);
    t["livemode"] = json!(false);
    t["payment_intent"] = Value::Null;
    t["payment_method_preview"] =
        json!({ "type": "card", "card": { "brand": "visa", "last4": "4242" }, "billing_details": {} });
    s.store().tokens.insert(id, (t.clone(), pm.to_string()));
    (200, t)
}

/// What a test payment method does when confirmed.
enum Behaviour {
    Succeed,
    Decline(&'static str, &'static str),
    Authenticate,
}

fn behaviour(pm: &str) -> Option<Behaviour> {
    Some(match pm {
        "pm_card_visa" | "pm_card_mastercard" | "pm_card_visa_debit" => Behaviour::Succeed,
        "pm_card_chargeDeclined" => Behaviour::Decline("generic_decline", "Your card was declined."),
        "pm_card_chargeDeclinedInsufficientFunds" => {
            Behaviour::Decline("insufficient_funds", "Your card has insufficient funds.")
        }
        "pm_card_authenticationRequired" | "pm_card_threeDSecure2Required" => Behaviour::Authenticate,
        _ => return None,
    })
}

fn succeed(s: &StandIn, pi: &mut Value, idem: Option<&str>) {
    let charge = random("ch");
    pi["status"] = json!("succeeded");
    pi["amount_received"] = pi["amount"].clone();
    pi["latest_charge"] = json!(charge);
    pi["next_action"] = Value::Null;
    pi["last_payment_error"] = Value::Null;
    s.emit("payment_intent.succeeded", pi, idem);
    let mut ch = fixture("charge");
    ch["id"] = json!(charge);
    ch["amount"] = pi["amount"].clone();
    ch["amount_captured"] = pi["amount"].clone();
    ch["currency"] = pi["currency"].clone();
    ch["payment_intent"] = pi["id"].clone();
    ch["metadata"] = pi["metadata"].clone();
    ch["status"] = json!("succeeded");
    ch["paid"] = json!(true);
    s.emit("charge.succeeded", &ch, idem);
}

fn fail(s: &StandIn, pi: &mut Value, code: &str, decline: Option<&str>, message: &str, idem: Option<&str>) -> Value {
    let err = json!({ "type": "card_error", "code": code, "decline_code": decline, "message": message });
    pi["status"] = json!("requires_payment_method");
    pi["last_payment_error"] = err.clone();
    pi["next_action"] = Value::Null;
    s.emit("payment_intent.payment_failed", pi, idem);
    err
}

fn confirm(s: &StandIn, id: &str, p: &[(String, String)], idem: Option<&str>) -> (u16, Value) {
    let Some(mut pi) = s.intent(id) else { return missing("payment_intent", id) };
    let status = pi["status"].as_str().unwrap_or("").to_string();
    if status != "requires_payment_method" && status != "requires_confirmation" {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "payment_intent_unexpected_state",
            &format!("This PaymentIntent's status is {status}; it cannot be confirmed."),
            json!({ "payment_intent": pi }),
        );
    }
    let pm = match (param(p, "confirmation_token"), param(p, "payment_method")) {
        // A ConfirmationToken confirms one PaymentIntent, once.
        (Some(t), _) => match s.store().tokens.get_mut(t) {
            Some((token, _)) if !token["payment_intent"].is_null() => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    "token_already_used",
                    "This ConfirmationToken has already been used.",
                    json!({ "param": "confirmation_token" }),
                )
            }
            Some((token, pm)) => {
                token["payment_intent"] = json!(id);
                pm.clone()
            }
            None => return missing("confirmation_token", t),
        },
        (None, Some(pm)) => pm.to_string(),
        (None, None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "payment_intent_unexpected_state",
                "You must provide a payment method or a confirmation token to confirm.",
                json!({}),
            )
        }
    };
    let Some(b) = behaviour(&pm) else { return missing("payment_method", &pm) };
    s.count("confirmation");
    pi["payment_method"] = json!(random("pm"));
    let answer = match b {
        Behaviour::Succeed => {
            succeed(s, &mut pi, idem);
            (200, pi.clone())
        }
        Behaviour::Decline(decline, message) => {
            let err = fail(s, &mut pi, "card_declined", Some(decline), message, idem);
            let mut e = err;
            e["payment_intent"] = pi.clone();
            (402, json!({ "error": e }))
        }
        Behaviour::Authenticate => {
            pi["status"] = json!("requires_action");
            pi["next_action"] =
                json!({ "type": "use_stripe_sdk", "use_stripe_sdk": { "type": "three_d_secure_redirect" } });
            s.emit("payment_intent.requires_action", &pi, idem);
            (200, pi.clone())
        }
    };
    s.store().intents.insert(id.to_string(), pi);
    answer
}

fn cancel(s: &StandIn, id: &str, p: &[(String, String)], idem: Option<&str>) -> (u16, Value) {
    let Some(mut pi) = s.intent(id) else { return missing("payment_intent", id) };
    let status = pi["status"].as_str().unwrap_or("").to_string();
    if status == "succeeded" || status == "canceled" {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "payment_intent_unexpected_state",
            &format!("You cannot cancel this PaymentIntent because it has a status of {status}."),
            json!({ "payment_intent": pi }),
        );
    }
    pi["status"] = json!("canceled");
    pi["canceled_at"] = json!(now());
    pi["cancellation_reason"] = json!(param(p, "cancellation_reason"));
    pi["next_action"] = Value::Null;
    s.emit("payment_intent.canceled", &pi, idem);
    s.store().intents.insert(id.to_string(), pi.clone());
    s.count("cancel");
    (200, pi)
}

fn refund(s: &StandIn, p: &[(String, String)], idem: Option<&str>) -> (u16, Value) {
    let Some(id) = param(p, "payment_intent") else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_missing",
            "Missing required param: payment_intent.",
            json!({ "param": "payment_intent" }),
        );
    };
    let Some(pi) = s.intent(id) else { return missing("payment_intent", id) };
    if pi["status"] != "succeeded" {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "charge_not_refundable",
            "This PaymentIntent has no successful charge to refund.",
            json!({}),
        );
    }
    let received = pi["amount_received"].as_i64().unwrap_or(0);
    let before = s.store().refunded.get(id).copied().unwrap_or(0);
    let amount = match param(p, "amount") {
        Some(a) => match a.parse::<i64>() {
            Ok(a) if a > 0 => a,
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    "parameter_invalid_integer",
                    "Invalid integer: amount.",
                    json!({ "param": "amount" }),
                )
            }
        },
        None => received - before,
    };
    if amount <= 0 || before + amount > received {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            if before >= received { "charge_already_refunded" } else { "amount_too_large" },
            &format!("Refund amount ({amount}) is greater than the unrefunded amount ({}).", received - before),
            json!({ "param": "amount" }),
        );
    }
    s.store().refunded.insert(id.to_string(), before + amount);
    let mut r = fixture("refund");
    r["id"] = json!(random("re"));
    r["amount"] = json!(amount);
    r["currency"] = pi["currency"].clone();
    r["payment_intent"] = json!(id);
    r["charge"] = pi["latest_charge"].clone();
    r["created"] = json!(now());
    r["metadata"] = metadata(p);
    r["reason"] = json!(param(p, "reason"));
    r["status"] = json!("succeeded");
    s.emit("refund.created", &r, idem);
    let mut ch = fixture("charge");
    ch["id"] = pi["latest_charge"].clone();
    ch["amount"] = json!(received);
    ch["amount_refunded"] = json!(before + amount);
    ch["refunded"] = json!(before + amount == received);
    ch["currency"] = pi["currency"].clone();
    ch["payment_intent"] = json!(id);
    ch["metadata"] = pi["metadata"].clone();
    s.emit("charge.refunded", &ch, idem);
    s.count("refund");
    (200, r)
}

#[derive(serde::Deserialize)]
struct Authenticate {
    result: String,
}

/// What the buyer does in Stripe.js's 3-D Secure challenge: passes or fails it.
async fn authenticate(State(s): State<StandIn>, Path(id): Path<String>, Query(q): Query<Authenticate>) -> Response {
    let Some(mut pi) = s.intent(&id) else { return StatusCode::NOT_FOUND.into_response() };
    if pi["status"] != "requires_action" {
        return (StatusCode::CONFLICT, Json(json!({ "error": { "message": "not waiting for authentication" } })))
            .into_response();
    }
    if q.result == "succeed" {
        succeed(&s, &mut pi, None);
    } else {
        fail(
            &s,
            &mut pi,
            "payment_intent_authentication_failure",
            None,
            "We are unable to authenticate your payment method.",
            None,
        );
    }
    s.store().intents.insert(id, pi.clone());
    Json(pi).into_response()
}
