//! The brand's page around an embedded overlay: the overlay's half of the
//! embed protocol (the message plumbing is `host.js`; the loader's half is
//! `public/embed.js`). Through it the overlay reports analytics to the host,
//! and, when the host keeps its own cart, hands it items and the checkout.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::browser;

#[wasm_bindgen(module = "/src/api/host.js")]
extern "C" {
    type Bridge;
    #[wasm_bindgen(js_name = connect)]
    fn connect_js(host_origin: &str, on_message: &Closure<dyn FnMut(String, String)>) -> Bridge;
    #[wasm_bindgen(method)]
    fn request(this: &Bridge, kind: &str, json: &str) -> js_sys::Promise;
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HostError {
    /// The host page answered no, in its own words (shown to the viewer).
    #[error("{0}")]
    Refused(String),
}

/// The connection to the host page.
pub struct Host {
    bridge: Bridge,
    _on_message: Closure<dyn FnMut(String, String)>,
}

impl Host {
    /// Says hello to the page at `origin`; `on_message(type, json)` receives
    /// what it sends (`connect`, then `cart.sync`).
    pub fn connect(origin: &str, on_message: impl FnMut(String, String) + 'static) -> Host {
        let on_message = Closure::<dyn FnMut(String, String)>::new(on_message);
        Host { bridge: connect_js(origin, &on_message), _on_message: on_message }
    }

    /// Sends a request and waits for the host's acknowledgement.
    pub async fn request(&self, kind: &str, data: &impl Serialize) -> Result<(), HostError> {
        let json = browser::to_json(data).map_err(HostError::Refused)?;
        wasm_bindgen_futures::JsFuture::from(self.bridge.request(kind, &json))
            .await
            .map(drop)
            .map_err(|e| HostError::Refused(e.as_string().unwrap_or_default()))
    }
}

/// What the loader says when it connects.
#[derive(Debug, Default, Deserialize)]
pub struct Connect {
    /// `"host"`: the page keeps the cart (its handlers are there); else ours.
    #[serde(default)]
    pub cart: String,
    #[serde(default, rename = "cartState")]
    pub cart_state: Option<HostCart>,
}

/// The host's cart as it last pushed it (`Vetrina.updateCart`): only the
/// count matters to the overlay.
#[derive(Debug, Default, Deserialize)]
pub struct HostCart {
    #[serde(default)]
    pub count: u32,
}

/// An item handed to the host's cart (`cart.add`).
#[derive(Debug, Serialize)]
pub struct Item {
    pub item: HostItem,
}

#[derive(Debug, Serialize)]
pub struct HostItem {
    pub product_id: i64,
    pub variant_id: i64,
    pub title: String,
    pub variant: String,
    pub quantity: u32,
    pub price_minor: i64,
    pub currency: String,
}

/// A GA4 ecommerce event for the host (`analytics`): `view_item`,
/// `add_to_cart`, `begin_checkout`, `purchase`, with the video's position.
#[derive(Debug, Serialize)]
pub struct Analytics {
    pub event: &'static str,
    pub ecommerce: Ecommerce,
    /// Seconds into the show when it happened.
    pub video_time_s: i64,
}

#[derive(Debug, Serialize)]
pub struct Ecommerce {
    pub currency: String,
    /// Major units, as GA4 wants (money is minor units everywhere else).
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    pub items: Vec<AnalyticsItem>,
}

#[derive(Debug, Serialize)]
pub struct AnalyticsItem {
    pub item_id: String,
    pub item_name: String,
    pub item_variant: String,
    pub price: f64,
    pub quantity: u32,
}
