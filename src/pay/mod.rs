//! Stripe's payment fields in the checkout: the binding to `stripe-pay.js`,
//! which trunk copies beside the overlay and this module loads only when a
//! checkout opens on a shop that takes payments with Stripe (so the overlay's
//! bundle and first view carry none of it). No wasm-bindgen snippet: a
//! snippet would be imported with the overlay's own JavaScript.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What the wallet gave back with an express payment: who and where.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct WalletDetails {
    pub name: String,
    pub email: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
}

/// How to mount the fields.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Options<'a> {
    pub publishable_key: &'a str,
    pub js_url: &'a str,
    pub locale: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub payment_selector: &'a str,
    pub express_selector: &'a str,
    pub countries: &'a [&'a str],
    pub shipping_label: &'a str,
    pub shipping_minor: i64,
}

/// Callbacks from the fields.
pub struct Events {
    pub on_ready: Box<dyn FnMut()>,
    pub on_express_ready: Box<dyn FnMut(bool)>,
    pub on_express: Box<dyn FnMut(String, WalletDetails)>,
    pub on_express_error: Box<dyn FnMut(String)>,
}

/// Mounted fields (clones share them); unmounted when the last is dropped.
#[derive(Clone)]
pub struct Fields(std::rc::Rc<Mounted>);

struct Mounted {
    handle: JsValue,
    _callbacks: Vec<Box<dyn std::any::Any>>,
}

fn message(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(|| e.as_string().unwrap_or_default(), |e| String::from(e.message()))
}

fn method(target: &JsValue, name: &str) -> Result<Function, String> {
    Reflect::get(target, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| format!("no {name}"))
}

async fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let f = method(target, name)?;
    let array: js_sys::Array = args.iter().collect();
    let promise = f.apply(target, &array).map_err(message)?;
    JsFuture::from(Promise::resolve(&promise)).await.map_err(message)
}

/// A plain JavaScript object (not a `Map`) for `value`.
fn to_object<T: serde::Serialize>(value: &T) -> Result<JsValue, String> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| e.to_string())
}

/// `window.VetrinaPay`, loading `stripe-pay.js` first if it is not there yet.
async fn glue() -> Result<JsValue, String> {
    let window = web_sys::window().ok_or("no window")?;
    let existing = Reflect::get(&window, &"VetrinaPay".into()).unwrap_or(JsValue::UNDEFINED);
    if !existing.is_undefined() {
        return Ok(existing);
    }
    let document = window.document().ok_or("no document")?;
    let script: web_sys::HtmlElement = document.create_element("script").map_err(message)?.unchecked_into();
    script.set_attribute("src", "stripe-pay.js").map_err(message)?;
    let loaded = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    document.head().ok_or("no head")?.append_child(&script).map_err(message)?;
    if JsFuture::from(loaded).await.is_err() {
        script.remove();
        return Err("stripe-pay.js could not be loaded".into());
    }
    Ok(Reflect::get(&window, &"VetrinaPay".into()).unwrap_or(JsValue::UNDEFINED))
}

/// Loads Stripe.js and mounts the Express Checkout and Payment Elements.
pub async fn mount(options: &Options<'_>, events: Events) -> Result<Fields, String> {
    let pay = glue().await?;
    let o = to_object(options)?;
    let Events { on_ready, on_express_ready, mut on_express, on_express_error } = events;
    let ready = Closure::<dyn FnMut()>::new(on_ready);
    let express_ready = Closure::<dyn FnMut(bool)>::new(on_express_ready);
    let express = Closure::<dyn FnMut(String, JsValue)>::new(move |token: String, details: JsValue| {
        let details = serde_wasm_bindgen::from_value(details).unwrap_or_default();
        on_express(token, details)
    });
    let express_error = Closure::<dyn FnMut(String)>::new(on_express_error);
    for (name, f) in [
        ("onReady", ready.as_ref()),
        ("onExpressReady", express_ready.as_ref()),
        ("onExpress", express.as_ref()),
        ("onExpressError", express_error.as_ref()),
    ] {
        Reflect::set(&o, &name.into(), f).map_err(message)?;
    }
    let handle = call(&pay, "mount", &[o]).await?;
    Ok(Fields(std::rc::Rc::new(Mounted {
        handle,
        _callbacks: vec![Box::new(ready), Box::new(express_ready), Box::new(express), Box::new(express_error)],
    })))
}

/// The buyer's details for the payment method, as the checkout form has them.
#[derive(serde::Serialize)]
pub struct Billing<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub line1: &'a str,
    pub line2: &'a str,
    pub city: &'a str,
    pub postal_code: &'a str,
    pub country: &'a str,
}

impl Fields {
    /// A ConfirmationToken for what the buyer entered, or Stripe's words for what is wrong.
    pub async fn token(&self, billing: &Billing<'_>) -> Result<String, String> {
        call(&self.0.handle, "token", &[to_object(billing)?]).await?.as_string().ok_or_else(|| "no token".into())
    }

    /// The buyer confirms with their bank (3-D Secure) in Stripe's own modal.
    pub async fn authenticate(&self, client_secret: &str) -> Result<(), String> {
        call(&self.0.handle, "authenticate", &[client_secret.into()]).await.map(|_| ())
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Ok(f) = method(&self.handle, "destroy") {
            let _ = f.call0(&self.handle);
        }
    }
}
