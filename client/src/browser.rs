//! Thin, failure-tolerant wrappers over the browser APIs the UI needs: storage,
//! randomness, `Intl` formatting, the page URL. Each degrades instead of
//! panicking: private browsing without storage still shops, an old engine
//! without `Intl` still shows prices.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::domain::money;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

pub fn storage_get(key: &str) -> Option<String> {
    window()?.local_storage().ok()??.get_item(key).ok()?
}

pub fn storage_set(key: &str, value: &str) {
    if let Some(s) = window().and_then(|w| w.local_storage().ok().flatten()) {
        // Full or forbidden storage only costs persistence across reloads.
        let _ = s.set_item(key, value);
    }
}

pub fn storage_remove(key: &str) {
    if let Some(s) = window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.remove_item(key);
    }
}

/// Where a signed-in studio keeps its show and creator token: `sessionStorage`,
/// so this tab only (the studio's preview frames share it, being same-origin
/// frames of the same tab), gone when the tab closes, never in a URL.
pub const STUDIO_TOKEN_KEY: &str = "vetrina.studio.token";
pub const STUDIO_SHOW_KEY: &str = "vetrina.studio.show";

/// A value of this tab's `sessionStorage`.
pub fn session_get(key: &str) -> Option<String> {
    window()?.session_storage().ok()??.get_item(key).ok()?
}

/// A random UUID for idempotency keys.
pub fn random_key() -> String {
    if let Some(c) = window().and_then(|w| w.crypto().ok()) {
        return c.random_uuid();
    }
    // Without WebCrypto (very old engines): still unique enough to not collide per cart.
    format!("{:x}-{:x}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e16) as u64)
}

/// A query parameter of the page URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// The viewer's preferred languages, most preferred first (`navigator.languages`).
pub fn languages() -> Vec<String> {
    let Some(nav) = window().map(|w| w.navigator()) else { return Vec::new() };
    let list: Vec<String> = nav.languages().iter().filter_map(|l| l.as_string()).collect();
    if list.is_empty() {
        nav.language().into_iter().collect()
    } else {
        list
    }
}

/// An attribute of the page's root element (`<html>`), for whoever embeds
/// the page on the same origin to read (the studio's preview).
pub fn set_root_attribute(name: &str, value: &str) {
    if let Some(root) = window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute(name, value);
    }
}

/// Declares the page's language, so screen readers pronounce it right.
pub fn set_document_lang(lang: &str) {
    if let Some(root) = window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang);
    }
}

/// A country's name in `locale` ("IT" → "Italia" in Italian) through
/// `Intl.DisplayNames`; the code itself where that is missing.
pub fn region_name(code: &str, locale: &str) -> String {
    let name = || -> Option<String> {
        let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let ctor = js_sys::Reflect::get(&intl, &"DisplayNames".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"type".into(), &"region".into()).ok()?;
        let args = js_sys::Array::of2(&locale.into(), &options);
        let names = js_sys::Reflect::construct(&ctor, &args).ok()?;
        let of = js_sys::Reflect::get(&names, &"of".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
        of.call1(&names, &code.into()).ok()?.as_string()
    };
    name().unwrap_or_else(|| code.to_string())
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The text of the element `id`, if the page has it (the server's embedded snapshot).
pub fn element_text(id: &str) -> Option<String> {
    web_sys::window()?.document()?.get_element_by_id(id)?.text_content()
}

/// Removes the element `id` from the page, if it is there.
pub fn remove_element(id: &str) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        el.remove();
    }
}

pub fn is_online() -> bool {
    window().is_none_or(|w| w.navigator().on_line())
}

pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

/// Formats money with `Intl.NumberFormat` in `locale` (falling back to the
/// browser's default locale, then to a plain "EUR 49.00").
pub fn format_money(minor: i64, currency: &str, locale: Option<&str>) -> String {
    intl_money(minor, currency, locale).unwrap_or_else(|| money::format_plain(minor, currency))
}

fn intl_money(minor: i64, currency: &str, locale: Option<&str>) -> Option<String> {
    // `new Intl.NumberFormat` throws a RangeError on a malformed currency code, and
    // that binding cannot catch: reject such codes here so we fall back instead.
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let format = FORMATTERS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (currency.to_string(), locale.map(str::to_string));
        if let Some((_, f)) = cache.iter().find(|(k, _)| *k == key) {
            return f.clone();
        }
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
        let _ = js_sys::Reflect::set(&options, &"currency".into(), &currency.into());
        let locales = js_sys::Array::new();
        if let Some(l) = locale {
            locales.push(&l.into());
        }
        let f = js_sys::Intl::NumberFormat::new(&locales, &options).format();
        cache.push((key, f.clone()));
        f
    });
    let value = JsValue::from_f64(money::to_major(minor, currency));
    format.call1(&JsValue::UNDEFINED, &value).ok()?.as_string()
}

type FormatterKey = (String, Option<String>);

thread_local! {
    /// Building an `Intl.NumberFormat` is far costlier than using one; a show has
    /// one currency and a viewer one locale, so this list stays a single entry.
    static FORMATTERS: std::cell::RefCell<Vec<(FormatterKey, js_sys::Function)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Parses JSON text into `T`. In the browser, `JSON.parse` does the parsing and
/// serde-wasm-bindgen only maps the result onto `T`: that leaves serde_json's
/// parser (number and string decoding, error positions) out of the bundle.
/// Installs a language's JSON catalogue (an object of sentences by key),
/// warning about anything it lacks; a malformed one leaves English in place.
pub fn install_catalogue(lang: crate::i18n::Lang, json: &str) {
    let Some(mut pairs) = string_pairs(json) else {
        return warn(&format!("vetrina: the {} catalogue is not a JSON object; showing English", lang.code()));
    };
    // A few hundred keys, each looked up once: a scan is all it takes.
    let missing = crate::i18n::install(lang, |key: &str| {
        pairs.iter().position(|(k, _)| k == key).map(|i| pairs.swap_remove(i).1)
    });
    if !missing.is_empty() {
        warn(&format!("vetrina: the {} catalogue lacks {}; those stay English", lang.code(), missing.join(", ")));
    }
}

/// The string-valued entries of a JSON object (`{"accent": "#0a7"}`), without
/// serde's map machinery (3 KB of wasm for one theme message); `None` if the
/// text is not a JSON object.
pub fn string_pairs(json: &str) -> Option<Vec<(String, String)>> {
    #[cfg(target_arch = "wasm32")]
    {
        let value = js_sys::JSON::parse(json).ok().filter(JsValue::is_object)?;
        let entries = js_sys::Object::entries(value.unchecked_ref());
        Some(
            entries
                .iter()
                .filter_map(|e| {
                    let pair: js_sys::Array = e.unchecked_into();
                    Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
                })
                .collect(),
        )
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let map: std::collections::BTreeMap<String, serde_json::Value> = serde_json::from_str(json).ok()?;
        Some(map.into_iter().filter_map(|(k, v)| Some((k, v.as_str()?.to_string()))).collect())
    }
}

pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    #[cfg(target_arch = "wasm32")]
    {
        let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_string())?;
        serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

/// Serializes `value` as JSON text: `JSON.stringify` in the browser, so the
/// overlay ships no JSON writer of its own.
pub fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    #[cfg(target_arch = "wasm32")]
    {
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let js = value.serialize(&serializer).map_err(|e| e.to_string())?;
        js_sys::JSON::stringify(&js).map(String::from).map_err(|_| "not serializable".to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::to_string(value).map_err(|e| e.to_string())
    }
}
