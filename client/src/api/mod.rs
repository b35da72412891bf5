//! The only place the overlay and the studio talk to the network: the JSON API over HTTP
//! ([`Client`]) and the show's event stream over Server-Sent Events ([`events`]);
//! the studio adds its creator requests on top, with the same checks.
//!
//! Errors are typed so the UI can say something a viewer understands: offline is
//! not the same as "sold out", and neither is a bug.

pub mod events;

use crate::browser;
use crate::i18n;

use serde::de::DeserializeOwned;
use serde::Serialize;
use vetrina_wire::{
    AddLine, Cart, CheckoutRequest, CreateCart, FieldError, SetQuantity, ShowSnapshot, IDEMPOTENCY_KEY_HEADER,
};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an answer: offline, DNS, connection reset.
    #[error("network unreachable: {0}")]
    Network(String),
    /// The server answered with an error it explained.
    #[error("{message}")]
    Server { status: u16, code: String, message: String, fields: Vec<FieldError> },
    /// The server answered, but not in a shape we understand.
    #[error("unexpected response: {0}")]
    Decode(String),
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            Self::Server { code, .. } => code,
            Self::Network(_) => "network",
            Self::Decode(_) => "decode",
        }
    }

    /// A sentence for the viewer, in their language. Errors the viewer can run
    /// into are known by code; anything else a backend explains is shown in its
    /// own words, and our own failures never leak their details.
    pub fn user_message(&self) -> String {
        let t = i18n::t();
        match self {
            Self::Network(_) => t.err_offline().into(),
            Self::Server { status, code, message, .. } if *status < 500 => {
                t.error(code).map_or_else(|| message.clone(), str::to_string)
            }
            Self::Server { .. } | Self::Decode(_) => t.err_server().into(),
        }
    }
}

/// The JSON API of the Vetrina backend that served the page, and no other.
///
/// Nothing in the page's URL can point it elsewhere: an address in a link
/// (once, `?api=`) would send a buyer's name, address and payment token, and
/// in the studio's preview the creator's token, wherever the link's author
/// liked, from a page on our origin. A brand that runs its own backend serves
/// the overlay from it (README: "Your own backend").
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Client;

/// One HTTP request, as data: built (and tested) natively, sent by [`Client::run`].
/// Keeping requests plain values lets the store send any of them again,
/// unchanged, and keeps one copy of the sending code in the bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: &'static str,
    /// Below `/api`, e.g. `/carts/abc/lines`.
    pub path: String,
    /// JSON text.
    pub body: Option<String>,
    /// A creator token to send as `Authorization: Bearer` (a sandbox cart's creation).
    pub bearer: Option<String>,
}

impl Request {
    fn new(method: &'static str, path: String, body: Option<&impl Serialize>) -> Self {
        // Our wire types always serialize; an impossible failure sends no body
        // and the server's 400 explains it.
        Self { method, path, body: body.and_then(|b| browser::to_json(b).ok()), bearer: None }
    }

    pub fn snapshot(show: &str) -> Self {
        Self::new("GET", format!("/shows/{}", enc(show)), None::<&()>)
    }

    /// Every pin and unpin of a show with its stream time.
    pub fn timeline(show: &str) -> Self {
        Self::new("GET", format!("/shows/{}/timeline", enc(show)), None::<&()>)
    }

    /// A viewer tapped a product's card (for the creator's figures).
    pub fn tap(show: &str, product_id: i64) -> Self {
        Self::new("POST", format!("/shows/{}/taps", enc(show)), Some(&vetrina_wire::Tap { product_id }))
    }

    pub fn cart(cart: &str) -> Self {
        Self::new("GET", format!("/carts/{}", enc(cart)), None::<&()>)
    }

    /// A cart; with the show's creator token, a sandbox cart (its checkout is a test order).
    pub fn create_cart(show: &str, sandbox_token: Option<&str>) -> Self {
        let body = CreateCart { show_id: show.into(), sandbox: sandbox_token.is_some() };
        Self { bearer: sandbox_token.map(|t| format!("Bearer {t}")), ..Self::new("POST", "/carts".into(), Some(&body)) }
    }

    /// Adds to a line; `offer` claims a flash drop (its id, and where the
    /// viewer's video is on the stream's clock when it follows one).
    pub fn add_line(cart: &str, variant_id: i64, quantity: u32, offer: Option<(i64, Option<i64>)>) -> Self {
        let (offer_id, playhead_ms) = offer.map_or((None, None), |(id, at)| (Some(id), at));
        let body = AddLine { variant_id, quantity, offer_id, playhead_ms };
        Self::new("POST", format!("/carts/{}/lines", enc(cart)), Some(&body))
    }

    /// Sets a line's quantity; 0 removes the line.
    pub fn set_quantity(cart: &str, variant_id: i64, quantity: u32) -> Self {
        let path = format!("/carts/{}/lines/{variant_id}", enc(cart));
        match quantity {
            0 => Self::new("DELETE", path, None::<&()>),
            _ => Self::new("PUT", path, Some(&SetQuantity { quantity })),
        }
    }

    /// Where to pay on the brand's own store, with this cart.
    pub fn handover(cart: &str) -> Self {
        Self::new("GET", format!("/carts/{}/handover", enc(cart)), None::<&()>)
    }

    pub fn checkout(cart: &str, req: &CheckoutRequest) -> Self {
        Self::new("POST", format!("/carts/{}/checkout", enc(cart)), Some(req))
    }
}

impl Client {
    /// A path of the page's own origin: never an absolute URL.
    pub fn url(&self, path: &str) -> String {
        format!("/api{path}")
    }

    /// Sends `req` and returns the body of a successful answer. Every change
    /// goes with an idempotency key: the store sends a change whose answer was
    /// lost again with the same key, and the server applies it once.
    pub async fn run(&self, req: &Request, idempotency_key: Option<&str>) -> Result<String, ApiError> {
        use gloo_net::http::{Method, RequestBuilder};
        let method = match req.method {
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "PATCH" => Method::PATCH,
            "DELETE" => Method::DELETE,
            _ => Method::GET,
        };
        let mut builder = RequestBuilder::new(&self.url(&req.path)).method(method).header("Accept", "application/json");
        if let Some(key) = idempotency_key {
            builder = builder.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        if let Some(bearer) = &req.bearer {
            builder = builder.header("Authorization", bearer);
        }
        let request = match &req.body {
            Some(json) => builder.header("Content-Type", "application/json").body(json.as_str()),
            None => builder.build(),
        }
        .map_err(|e| ApiError::Decode(describe(e)))?;
        let response = request.send().await.map_err(|e| ApiError::Network(describe(e)))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| ApiError::Network(describe(e)))?;
        check(status, text)
    }

    pub async fn snapshot(&self, show: &str) -> Result<ShowSnapshot, ApiError> {
        parse(&self.run(&Request::snapshot(show), None).await?)
    }

    pub async fn cart(&self, cart: &str) -> Result<Cart, ApiError> {
        parse(&self.run(&Request::cart(cart), None).await?)
    }
}

/// A language's sentences (JSON text), from beside the overlay's own page, not
/// from the API: the catalogue ships with the overlay, whoever the backend is.
pub async fn catalogue(lang: i18n::Lang) -> Result<String, ApiError> {
    let url = format!("i18n/{}.json", lang.code());
    let response = gloo_net::http::Request::get(&url).send().await.map_err(|e| ApiError::Network(describe(e)))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| ApiError::Network(describe(e)))?;
    check(status, text)
}

/// The browser's own words for a failed request. (Not gloo's `Display`: that
/// would pull serde_json's whole error catalogue into the bundle for a variant
/// we never produce, since JSON goes through `browser::from_json`.)
fn describe(e: gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(e) => e.message,
        gloo_net::Error::GlooError(m) => m,
        gloo_net::Error::SerdeError(_) => "invalid JSON".into(),
    }
}

/// A successful answer's body, or the error it explains; pure, so it is tested natively.
pub fn check(status: u16, body: String) -> Result<String, ApiError> {
    if (200..300).contains(&status) {
        return Ok(body);
    }
    match browser::from_json::<vetrina_wire::ApiError>(&body) {
        Ok(e) => Err(ApiError::Server { status, code: e.code, message: e.message, fields: e.fields }),
        Err(_) => Err(ApiError::Server {
            status,
            code: "http_error".into(),
            message: format!("The server answered {status}."),
            fields: Vec::new(),
        }),
    }
}

/// Reads a successful answer's body as `T`.
pub fn parse<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    browser::from_json(body).map_err(ApiError::Decode)
}

/// Percent-encodes a path segment (ids are hex or slugs, but never trust that).
pub fn enc(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn decode<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
        parse(&check(status, body.to_string())?)
    }

    #[test]
    fn requests_are_plain_data() {
        let r = Request::add_line("c 1", 7, 2, None);
        assert_eq!((r.method, r.path.as_str()), ("POST", "/carts/c%201/lines"));
        assert_eq!(r.body.as_deref(), Some(r#"{"variant_id":7,"quantity":2}"#));
        assert_eq!(
            Request::set_quantity("c", 7, 0),
            Request { method: "DELETE", path: "/carts/c/lines/7".into(), body: None, bearer: None }
        );
        assert_eq!(Request::set_quantity("c", 7, 3).body.as_deref(), Some(r#"{"quantity":3}"#));
        let flash = Request::add_line("c", 7, 1, Some((4, Some(1_700_000_000_000))));
        assert_eq!(
            flash.body.as_deref(),
            Some(r#"{"variant_id":7,"quantity":1,"offer_id":4,"playhead_ms":1700000000000}"#)
        );
        assert_eq!(Request::snapshot("demo").method, "GET");
        // A viewer's cart says nothing of sandboxes; the studio preview's carries its token.
        let viewer = Request::create_cart("demo", None);
        assert_eq!((viewer.body.as_deref(), viewer.bearer), (Some(r#"{"show_id":"demo"}"#), None));
        let sandbox = Request::create_cart("demo", Some("tok"));
        assert_eq!(sandbox.body.as_deref(), Some(r#"{"show_id":"demo","sandbox":true}"#));
        assert_eq!(sandbox.bearer.as_deref(), Some("Bearer tok"));
    }

    #[test]
    fn urls_and_encoding() {
        assert_eq!(Client.url("/carts"), "/api/carts");
        assert_eq!(enc("a b/c"), "a%20b%2Fc");
        assert_eq!(Client.url(&format!("/shows/{}", enc("//evil.example"))), "/api/shows/%2F%2Fevil.example");
    }

    #[test]
    fn decode_success_error_and_garbage() {
        assert_eq!(decode::<u32>(200, "5"), Ok(5));
        let err = decode::<u32>(409, r#"{"code":"sold_out","message":"Tee is sold out."}"#).unwrap_err();
        assert_eq!(err.code(), "sold_out");
        assert_eq!(err.user_message(), i18n::t().err_sold_out());
        let err = decode::<u32>(422, r#"{"code":"brand_rule","message":"Our own words."}"#).unwrap_err();
        assert_eq!(err.user_message(), "Our own words.");
        let err = decode::<u32>(502, "<html>bad gateway</html>").unwrap_err();
        assert!(matches!(err, ApiError::Server { status: 502, .. }), "{err:?}");
        assert!(err.user_message().contains("Nothing was lost"));
        assert!(matches!(decode::<u32>(200, "nope"), Err(ApiError::Decode(_))));
    }
}
