//! The only place the overlay talks to the network: the JSON API over HTTP
//! ([`Client`]) and the show's event stream over Server-Sent Events ([`events`]).
//!
//! Errors are typed so the UI can say something a viewer understands: offline is
//! not the same as "sold out", and neither is a bug.

pub mod events;

use crate::browser;
use crate::i18n;

use serde::de::DeserializeOwned;
use serde::Serialize;
use vetrina_wire::{
    AddLine, Cart, CheckoutRequest, CreateCart, FieldError, Order, SetQuantity, ShowSnapshot, IDEMPOTENCY_KEY_HEADER,
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
            Self::Network(_) => t.err_offline.into(),
            Self::Server { status, code, message, .. } if *status < 500 => {
                t.error(code).map_or_else(|| message.clone(), str::to_string)
            }
            Self::Server { .. } | Self::Decode(_) => t.err_server.into(),
        }
    }
}

/// The JSON API of one Vetrina backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// Origin and path prefix, e.g. "" (same origin) or "https://shop.example".
    base: String,
}

impl Client {
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into().trim_end_matches('/').to_string() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/api{path}", self.base)
    }

    pub async fn snapshot(&self, show: &str) -> Result<ShowSnapshot, ApiError> {
        self.get(&format!("/shows/{}", enc(show))).await
    }

    // Every change takes an idempotency key: the store retries a change whose
    // answer was lost with the same key, and the server applies it once.

    pub async fn create_cart(&self, show: &str, key: &str) -> Result<Cart, ApiError> {
        self.send("POST", "/carts", Some(&CreateCart { show_id: show.into() }), Some(key)).await
    }

    pub async fn cart(&self, cart: &str) -> Result<Cart, ApiError> {
        self.get(&format!("/carts/{}", enc(cart))).await
    }

    pub async fn add_line(&self, cart: &str, variant_id: i64, quantity: u32, key: &str) -> Result<Cart, ApiError> {
        let body = AddLine { variant_id, quantity };
        self.send("POST", &format!("/carts/{}/lines", enc(cart)), Some(&body), Some(key)).await
    }

    /// Sets a line's quantity; 0 removes the line.
    pub async fn set_quantity(&self, cart: &str, variant_id: i64, quantity: u32, key: &str) -> Result<Cart, ApiError> {
        let path = format!("/carts/{}/lines/{variant_id}", enc(cart));
        if quantity == 0 {
            self.send::<(), _>("DELETE", &path, None, Some(key)).await
        } else {
            self.send("PUT", &path, Some(&SetQuantity { quantity }), Some(key)).await
        }
    }

    pub async fn checkout(&self, cart: &str, key: &str, req: &CheckoutRequest) -> Result<Order, ApiError> {
        self.send("POST", &format!("/carts/{}/checkout", enc(cart)), Some(req), Some(key)).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.send::<(), T>("GET", path, None, None).await
    }

    async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiError> {
        use gloo_net::http::{Method, RequestBuilder};
        let method = match method {
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "DELETE" => Method::DELETE,
            _ => Method::GET,
        };
        let mut builder = RequestBuilder::new(&self.url(path)).method(method).header("Accept", "application/json");
        if let Some(key) = idempotency_key {
            builder = builder.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        let request = match body {
            Some(body) => {
                let json = browser::to_json(body).map_err(ApiError::Decode)?;
                builder.header("Content-Type", "application/json").body(json)
            }
            None => builder.build(),
        }
        .map_err(|e| ApiError::Decode(describe(e)))?;
        let response = request.send().await.map_err(|e| ApiError::Network(describe(e)))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| ApiError::Network(describe(e)))?;
        decode(status, &text)
    }
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

/// Turns a status and body into the typed result; pure, so it is tested natively.
pub fn decode<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        return browser::from_json(body).map_err(ApiError::Decode);
    }
    match browser::from_json::<vetrina_wire::ApiError>(body) {
        Ok(e) => Err(ApiError::Server { status, code: e.code, message: e.message, fields: e.fields }),
        Err(_) => Err(ApiError::Server {
            status,
            code: "http_error".into(),
            message: format!("The server answered {status}."),
            fields: Vec::new(),
        }),
    }
}

/// Percent-encodes a path segment (ids are hex or slugs, but never trust that).
fn enc(segment: &str) -> String {
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

    #[test]
    fn urls_and_encoding() {
        let c = Client::new("https://shop.example/");
        assert_eq!(c.url("/carts"), "https://shop.example/api/carts");
        assert_eq!(enc("a b/c"), "a%20b%2Fc");
        assert_eq!(Client::new("").url("/shows/demo"), "/api/shows/demo");
    }

    #[test]
    fn decode_success_error_and_garbage() {
        assert_eq!(decode::<u32>(200, "5"), Ok(5));
        let err = decode::<u32>(409, r#"{"code":"sold_out","message":"Tee is sold out."}"#).unwrap_err();
        assert_eq!(err.code(), "sold_out");
        assert_eq!(err.user_message(), i18n::t().err_sold_out);
        let err = decode::<u32>(422, r#"{"code":"brand_rule","message":"Our own words."}"#).unwrap_err();
        assert_eq!(err.user_message(), "Our own words.");
        let err = decode::<u32>(502, "<html>bad gateway</html>").unwrap_err();
        assert!(matches!(err, ApiError::Server { status: 502, .. }), "{err:?}");
        assert!(err.user_message().contains("Nothing was lost"));
        assert!(matches!(decode::<u32>(200, "nope"), Err(ApiError::Decode(_))));
    }
}
