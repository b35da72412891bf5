//! The overlay's words, one catalogue per language.
//!
//! Every sentence a viewer reads lives in a [`Text`]. English is compiled in
//! ([`en::TEXT`]): it is the fallback and costs no request. Every other language
//! is a JSON catalogue (`public/i18n/<code>.json`, served beside the overlay)
//! that is fetched only when a viewer needs it, so an English viewer downloads
//! no Italian, Spanish, French or German. The server puts the catalogue of the
//! language it chose into the page, which saves that request too. A catalogue
//! is checked against the English keys and placeholders by the tests below; a
//! sentence missing at run time falls back to English with a warning.
//!
//! Sentences that take values mark them `{0}`, `{1}` and are completed by
//! [`fill`]; numbers, money and country names are not here at all: `Intl`
//! formats them in the viewer's locale.
//!
//! Which language: the page may insist (`?lang=it`, for a brand's embed), else
//! the first of the browser's languages that we speak, else the show's own
//! language, else English. [`choose`] decides, purely, so it is tested natively.

use std::cell::{Cell, RefCell};

/// `text! { key: "sentence", ... }`: a whole catalogue, checked when compiled.
macro_rules! text {
    ($($key:ident: $sentence:expr,)*) => {
        Text::of_pairs(&[$((Key::$key as usize, $sentence)),*])
    };
}

pub mod en;

/// A language the overlay speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    It,
    Es,
    Fr,
    De,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::It, Lang::Es, Lang::Fr, Lang::De];

    /// The BCP 47 primary language subtag, also the catalogue's file name.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::It => "it",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::De => "de",
        }
    }

    /// This language's catalogue if it is compiled in or installed; else English.
    pub fn text(self) -> &'static Text {
        if self == Lang::En {
            return &en::TEXT;
        }
        INSTALLED.with_borrow(|all| all.iter().find(|(l, _)| *l == self).map(|(_, t)| *t)).unwrap_or(&en::TEXT)
    }

    /// Whether this language's sentences are at hand (English always is).
    pub fn is_available(self) -> bool {
        self == Lang::En || INSTALLED.with_borrow(|all| all.iter().any(|(l, _)| *l == self))
    }

    /// The language of a BCP 47 tag ("it-IT", "IT", "it_CH"), if we speak it.
    pub fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }
}

/// Makes a loaded catalogue available. `lookup` gives each sentence by key; a
/// key it lacks keeps the English sentence, and the missing keys are returned
/// so the caller can warn. The sentences live as long as the page (a language
/// is installed once), which is what lets [`t`] hand out `&'static` text.
pub fn install(lang: Lang, mut lookup: impl FnMut(&str) -> Option<String>) -> Vec<&'static str> {
    let mut missing = Vec::new();
    let text = Text::from_lookup(&mut |key| match lookup(key) {
        Some(s) => Some(&*Box::leak(s.into_boxed_str())),
        None => {
            missing.push(key);
            None
        }
    });
    let text: &'static Text = Box::leak(Box::new(text));
    INSTALLED.with_borrow_mut(|all| {
        all.retain(|(l, _)| *l != lang);
        all.push((lang, text));
    });
    missing
}

/// The language chosen for a viewer, and the locale `Intl` should format in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub lang: Lang,
    /// A full tag when one is known ("it-CH" from the browser keeps Swiss
    /// number formatting), else the bare language.
    pub locale: String,
}

/// Picks the language: an explicit request, then the browser's languages in the
/// viewer's order, then the show's locale, then English. The locale for
/// formatting is the first of those tags in the chosen language.
pub fn choose(requested: Option<&str>, browser: &[String], show: Option<&str>) -> Choice {
    let candidates = requested.into_iter().chain(browser.iter().map(String::as_str)).chain(show);
    let lang = candidates.clone().find_map(Lang::of_tag).unwrap_or(Lang::En);
    let locale = candidates
        .filter(|t| Lang::of_tag(t) == Some(lang) && t.len() > 2)
        .map(|t| t.replace('_', "-"))
        .next()
        .unwrap_or_else(|| lang.code().to_string());
    Choice { lang, locale }
}

thread_local! {
    // Per thread: the browser has one, and native tests each get their own.
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
    static INSTALLED: RefCell<Vec<(Lang, &'static Text)>> = const { RefCell::new(Vec::new()) };
}

/// Makes `lang` the language of everything rendered from now on (English
/// while its catalogue is not installed).
pub fn set(lang: Lang) {
    CURRENT.with(|c| c.set(if lang.is_available() { lang } else { Lang::En }));
}

pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// The current language's catalogue. Not reactive: the language is settled
/// before the show renders (see `Store::load`), so nothing needs to re-render.
pub fn t() -> &'static Text {
    current().text()
}

/// Completes a sentence: `{0}` becomes `args[0]`, and so on.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let arg = tail.as_bytes().get(1).and_then(|d| d.checked_sub(b'0')).map(usize::from);
        match arg.and_then(|i| args.get(i)).filter(|_| tail.as_bytes().get(2) == Some(&b'}')) {
            Some(value) => {
                out.push_str(value);
                rest = &tail[3..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// "Only 1 left" / "Only 3 left" in the current language.
pub fn only_left(n: i64) -> String {
    let t = t();
    if n == 1 {
        t.only_one_left().to_string()
    } else {
        fill(t.only_n_left(), &[&n.to_string()])
    }
}

/// Declares [`Text`]: one sentence per key, kept in an array so that a
/// catalogue loaded as JSON is filled by one loop (a struct of a hundred
/// fields cost 5 KB of wasm to fill), read through one method per key.
macro_rules! catalogue {
    ($($(#[$doc:meta])* $field:ident,)*) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        enum Key { $($field,)* }

        /// Every sentence of the overlay. Method names say where the sentence is used.
        pub struct Text([&'static str; Text::KEYS.len()]);

        impl Text {
            /// Every key, as in the JSON catalogues, in the array's order.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            $($(#[$doc])* pub fn $field(&self) -> &'static str { self.0[Key::$field as usize] })*

            /// The English catalogue, given as `key: "sentence"` pairs; a key
            /// left out fails the build (see [`en::TEXT`]).
            const fn of_pairs(pairs: &[(usize, &'static str)]) -> Text {
                let mut all = [""; Text::KEYS.len()];
                let mut i = 0;
                while i < pairs.len() {
                    all[pairs[i].0] = pairs[i].1;
                    i += 1;
                }
                assert!(pairs.len() == all.len(), "the English catalogue names a sentence twice or misses one");
                let mut k = 0;
                while k < all.len() {
                    assert!(!all[k].is_empty(), "a sentence of the English catalogue is missing");
                    k += 1;
                }
                Text(all)
            }

            /// A catalogue from `lookup`; what it lacks stays English.
            pub fn from_lookup(lookup: &mut dyn FnMut(&'static str) -> Option<&'static str>) -> Text {
                let mut all = en::TEXT.0;
                for (sentence, key) in all.iter_mut().zip(Self::KEYS) {
                    if let Some(found) = lookup(key) {
                        *sentence = found;
                    }
                }
                Text(all)
            }

            /// The sentence for `key`, if there is such a key.
            pub fn get(&self, key: &str) -> Option<&'static str> {
                Self::KEYS.iter().position(|k| *k == key).map(|i| self.0[i])
            }
        }

    };
}

catalogue! {
    // The stage
    loading_show,
    show_failed,
    show_missing,
    try_again,
    loading,
    sheet_failed,
    live,
    scheduled,
    replay,
    /// The embed's facade on a brand's page (`public/embed.js` keeps these
    /// words itself, to stay a few KB; a test holds it to the catalogues).
    watch,
    sound_on,
    sound_off,
    close,
    // Pins and the shelf
    pinned_products,
    /// `{0}`: product title.
    now_showing,
    products,
    all_products,
    pinned_now,
    no_products,
    chapters,
    // Prices and stock
    from,
    was,
    sold_out,
    sold_out_suffix,
    only_one_left,
    /// `{0}`: how many.
    only_n_left,
    in_stock,
    // The product sheet
    /// `{0}`: the option's name, lower case ("size").
    choose_first,
    variant,
    quantity,
    fewer,
    more,
    add_to_cart,
    buy_now,
    buying,
    /// `{0}`: product title. The card's Buy now, as a screen reader names it
    /// (starting with `buy_now`'s words, which it shows).
    buy_now_of,
    adding,
    /// `{0}`: product title.
    added,
    /// `{0}`: price.
    cost_free_shipping,
    /// `{0}`: price, `{1}`: shipping.
    cost_plus_shipping,
    /// `{0}`: cost, `{1}`: name, `{2}`: city.
    express_note,
    // The cart
    cart_title,
    cart_empty,
    cart_empty_hint,
    back_to_show,
    /// `{0}`: product title.
    quantity_of,
    remove,
    line_sold_out,
    /// `{0}`: the price when it was added.
    price_changed,
    subtotal,
    shipping,
    free,
    total,
    go_to_checkout,
    /// `{0}`: the store's address. The cart's button on a show that checks out there.
    pay_on_store,
    handover_title,
    /// `{0}`: the store's address.
    handover_body,
    handover_loading,
    /// `{0}`: the store's address.
    handover_go,
    opens_new_tab,
    cart_button_empty,
    cart_button_one,
    /// `{0}`: item count.
    cart_button_many,
    /// `{0}`: the reason.
    cart_not_loaded,
    retrying,
    // Checkout
    checkout_title,
    /// Above the checkout form in the studio's preview (a sandbox cart).
    test_mode,
    /// Instead of the checkout form when the shop has no payment provider.
    checkout_unavailable,
    email,
    full_name,
    address,
    address_more,
    city,
    postal_code,
    country,
    payment,
    /// The payment field's label when a real provider takes the money.
    payment_real,
    payment_loading,
    payment_form_failed,
    /// While the buyer's bank asks them to confirm (3-D Secure).
    authenticating,
    /// Between the wallet buttons and the card form.
    or_pay_by_card,
    /// `{0}`: the test token.
    test_card_approves,
    /// `{0}`: the test token.
    test_card_declines,
    remember_me,
    check_fields,
    /// `{0}`: the reason.
    change_cart,
    /// `{0}`: product titles.
    not_enough_of,
    placing_order,
    place_order,
    /// `{0}`: total.
    place_order_total,
    back_to_cart,
    need_email,
    need_name,
    need_line1,
    need_line2,
    need_city,
    need_postal_code,
    need_country,
    need_payment,
    // The confirmation
    thank_you,
    order,
    /// `{0}`: email address.
    confirmation_sent,
    /// On the confirmation of a test order.
    test_order,
    keep_watching,
    // Status and errors
    offline_banner,
    reconnecting,
    err_offline,
    err_server,
    err_sold_out,
    err_insufficient_stock,
    err_limit,
    err_declined,
    err_funds,
    err_cart_closed,
    err_cart_empty,
    err_rate_limited,
    // Flash drops
    flash_price,
    /// `{0}`: the countdown, e.g. 0:23.
    flash_left,
    /// `{0}`: units.
    flash_limit,
    /// `{0}`: the variant's option values.
    flash_on,
    err_offer_ended,
    err_offer_sold_out,
    err_offer_limit,
}

impl Text {
    /// The sentence for a checkout field that failed validation, by the field's
    /// key in [`vetrina_wire::FieldError`]; `None` for a key we do not know.
    pub fn field_error(&self, field: &str) -> Option<&'static str> {
        Some(match field {
            "email" => self.need_email(),
            "name" => self.need_name(),
            "address.line1" => self.need_line1(),
            "address.line2" => self.need_line2(),
            "address.city" => self.need_city(),
            "address.postal_code" => self.need_postal_code(),
            "address.country" => self.need_country(),
            "payment_token" => self.need_payment(),
            _ => return None,
        })
    }

    /// The sentence for an API error code the viewer can run into.
    pub fn error(&self, code: &str) -> Option<&'static str> {
        Some(match code {
            "sold_out" => self.err_sold_out(),
            "insufficient_stock" => self.err_insufficient_stock(),
            "quantity_limit" | "buyer_limit" => self.err_limit(),
            "card_declined" | "invalid_payment_token" => self.err_declined(),
            "insufficient_funds" => self.err_funds(),
            "cart_closed" => self.err_cart_closed(),
            "cart_empty" => self.err_cart_empty(),
            "rate_limited" => self.err_rate_limited(),
            "offer_ended" | "offer_not_started" => self.err_offer_ended(),
            "offer_sold_out" => self.err_offer_sold_out(),
            "offer_limit" => self.err_offer_limit(),
            "checkout_unavailable" => self.checkout_unavailable(),
            _ => return None,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tags(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_viewer_first_then_the_show_then_english() {
        // The browser's first language we speak wins, with its regional formatting.
        assert_eq!(
            choose(None, &tags(&["it-CH", "en"]), Some("en-GB")),
            Choice { lang: Lang::It, locale: "it-CH".into() }
        );
        // Languages we do not speak are skipped in the viewer's order.
        assert_eq!(choose(None, &tags(&["pt-BR", "en-US"]), Some("it-IT")).lang, Lang::En);
        // None of the viewer's languages: the show's.
        assert_eq!(choose(None, &tags(&["ja-JP"]), Some("it-IT")), Choice { lang: Lang::It, locale: "it-IT".into() });
        // Nothing known at all: English.
        assert_eq!(choose(None, &[], None), Choice { lang: Lang::En, locale: "en".into() });
        // A page that asks wins over everything, and borrows a regional tag if one matches.
        assert_eq!(
            choose(Some("IT"), &tags(&["en-US"]), Some("it-IT")),
            Choice { lang: Lang::It, locale: "it-IT".into() }
        );
        assert_eq!(choose(Some("xx"), &tags(&["en_GB"]), None), Choice { lang: Lang::En, locale: "en-GB".into() });
    }

    #[test]
    fn fill_replaces_numbered_values_and_leaves_other_braces() {
        assert_eq!(fill("{1} then {0}", &["a", "b"]), "b then a");
        assert_eq!(fill("{0}{0}", &["x"]), "xx");
        assert_eq!(fill("{2} {x} {", &["a"]), "{2} {x} {");
        assert_eq!(fill("prezzo: {0} €", &["5"]), "prezzo: 5 €");
    }

    /// A JSON catalogue from `public/i18n/`, installed as the browser would.
    fn install_from_disk(lang: Lang) -> serde_json::Map<String, serde_json::Value> {
        let path = format!("{}/../public/i18n/{}.json", env!("CARGO_MANIFEST_DIR"), lang.code());
        let text = std::fs::read_to_string(&path).unwrap();
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
        let missing = install(lang, |k| map.get(k).and_then(|v| v.as_str()).map(str::to_string));
        assert!(missing.is_empty(), "{path} lacks {missing:?}");
        map
    }

    fn placeholders(s: &str) -> Vec<char> {
        let mut p: Vec<char> =
            s.as_bytes().windows(3).filter(|w| w[0] == b'{' && w[2] == b'}').map(|w| w[1] as char).collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    #[test]
    fn every_catalogue_has_exactly_the_english_keys_and_values() {
        for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
            let map = install_from_disk(lang);
            let extra: Vec<&String> = map.keys().filter(|k| !Text::KEYS.contains(&k.as_str())).collect();
            assert!(extra.is_empty(), "{lang:?} has keys English lacks: {extra:?}");
            for key in Text::KEYS {
                let (english, translated) = (en::TEXT.get(key).unwrap(), lang.text().get(key).unwrap());
                assert_eq!(placeholders(translated), placeholders(english), "{lang:?} {key}: {translated}");
                assert!(!translated.trim().is_empty(), "{lang:?} {key} is empty");
                // Leading and trailing spaces are part of some sentences ("from ").
                assert_eq!(translated.ends_with(' '), english.ends_with(' '), "{lang:?} {key}: spacing");
                assert_eq!(translated.starts_with(' '), english.starts_with(' '), "{lang:?} {key}: spacing");
            }
        }
    }

    #[test]
    fn a_language_is_english_until_its_catalogue_arrives() {
        assert!(!Lang::De.is_available());
        set(Lang::De);
        assert_eq!(current(), Lang::En);
        // A partial catalogue keeps English for what it lacks, and says what that was.
        let missing = install(Lang::De, |k| (k == "close").then(|| "Schließen".to_string()));
        assert_eq!(missing.len(), Text::KEYS.len() - 1);
        set(Lang::De);
        assert_eq!((t().close(), t().try_again()), ("Schließen", "Try again"));
    }

    #[test]
    fn plural_and_error_lookups() {
        install_from_disk(Lang::It);
        set(Lang::It);
        assert_eq!(only_left(1), "Ne resta solo 1");
        assert_eq!(only_left(3), "Ne restano solo 3");
        assert_eq!(t().error("buyer_limit"), Some(Lang::It.text().err_limit()));
        set(Lang::En);
        assert_eq!(only_left(3), "Only 3 left");
        assert_eq!(t().field_error("address.city"), Some("Enter a city."));
        assert_eq!(t().error("something_new"), None);
    }
}
