//! The overlay's words, one catalogue per language.
//!
//! Every sentence a viewer reads lives in a [`Text`], one `static` per language
//! ([`en::TEXT`], [`it::TEXT`]). A catalogue is a struct, not a map, so a
//! language that misses a sentence does not compile. Sentences that take values
//! mark them `{0}`, `{1}` and are completed by [`fill`]; numbers, money and
//! country names are not here at all: `Intl` formats them in the viewer's locale.
//!
//! Which language: the page may insist (`?lang=it`, for a brand's embed), else
//! the first of the browser's languages that we speak, else the show's own
//! language, else English. [`choose`] decides, purely, so it is tested natively.

use std::cell::Cell;

pub mod en;
pub mod it;

/// A language the overlay speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    It,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::It];

    /// The BCP 47 primary language subtag.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::It => "it",
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::En => &en::TEXT,
            Lang::It => &it::TEXT,
        }
    }

    /// The language of a BCP 47 tag ("it-IT", "IT", "it_CH"), if we speak it.
    pub fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }
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
}

/// Makes `lang` the language of everything rendered from now on.
pub fn set(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
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
        t.only_one_left.to_string()
    } else {
        fill(t.only_n_left, &[&n.to_string()])
    }
}

/// Every sentence of the overlay. Field names say where the sentence is used.
pub struct Text {
    // The stage
    pub loading_show: &'static str,
    pub show_failed: &'static str,
    pub show_missing: &'static str,
    pub try_again: &'static str,
    pub live: &'static str,
    pub scheduled: &'static str,
    pub replay: &'static str,
    pub sound_on: &'static str,
    pub sound_off: &'static str,
    pub close: &'static str,
    // Pins and the shelf
    pub pinned_products: &'static str,
    /// `{0}`: product title.
    pub now_showing: &'static str,
    pub products: &'static str,
    pub all_products: &'static str,
    pub pinned_now: &'static str,
    pub no_products: &'static str,
    pub chapters: &'static str,
    // Prices and stock
    pub from: &'static str,
    pub was: &'static str,
    pub sold_out: &'static str,
    pub sold_out_suffix: &'static str,
    pub only_one_left: &'static str,
    /// `{0}`: how many.
    pub only_n_left: &'static str,
    pub in_stock: &'static str,
    // The product sheet
    /// `{0}`: the option's name, lower case ("size").
    pub choose_first: &'static str,
    pub variant: &'static str,
    pub quantity: &'static str,
    pub fewer: &'static str,
    pub more: &'static str,
    pub add_to_cart: &'static str,
    pub buy_now: &'static str,
    pub buying: &'static str,
    pub adding: &'static str,
    /// `{0}`: product title.
    pub added: &'static str,
    /// `{0}`: price.
    pub cost_free_shipping: &'static str,
    /// `{0}`: price, `{1}`: shipping.
    pub cost_plus_shipping: &'static str,
    /// `{0}`: cost, `{1}`: name, `{2}`: city.
    pub express_note: &'static str,
    // The cart
    pub cart_title: &'static str,
    pub cart_empty: &'static str,
    pub cart_empty_hint: &'static str,
    pub back_to_show: &'static str,
    /// `{0}`: product title.
    pub quantity_of: &'static str,
    pub remove: &'static str,
    pub line_sold_out: &'static str,
    /// `{0}`: the price when it was added.
    pub price_changed: &'static str,
    pub subtotal: &'static str,
    pub shipping: &'static str,
    pub free: &'static str,
    pub total: &'static str,
    pub go_to_checkout: &'static str,
    pub cart_button_empty: &'static str,
    pub cart_button_one: &'static str,
    /// `{0}`: item count.
    pub cart_button_many: &'static str,
    /// `{0}`: the reason.
    pub cart_not_loaded: &'static str,
    pub retrying: &'static str,
    // Checkout
    pub checkout_title: &'static str,
    pub email: &'static str,
    pub full_name: &'static str,
    pub address: &'static str,
    pub address_more: &'static str,
    pub city: &'static str,
    pub postal_code: &'static str,
    pub country: &'static str,
    pub payment: &'static str,
    /// `{0}`: the test token.
    pub test_card_approves: &'static str,
    /// `{0}`: the test token.
    pub test_card_declines: &'static str,
    pub remember_me: &'static str,
    pub check_fields: &'static str,
    /// `{0}`: the reason.
    pub change_cart: &'static str,
    /// `{0}`: product titles.
    pub not_enough_of: &'static str,
    pub placing_order: &'static str,
    pub place_order: &'static str,
    /// `{0}`: total.
    pub place_order_total: &'static str,
    pub back_to_cart: &'static str,
    pub need_email: &'static str,
    pub need_name: &'static str,
    pub need_line1: &'static str,
    pub need_line2: &'static str,
    pub need_city: &'static str,
    pub need_postal_code: &'static str,
    pub need_country: &'static str,
    pub need_payment: &'static str,
    // The confirmation
    pub thank_you: &'static str,
    pub order: &'static str,
    /// `{0}`: email address.
    pub confirmation_sent: &'static str,
    pub keep_watching: &'static str,
    // Status and errors
    pub offline_banner: &'static str,
    pub reconnecting: &'static str,
    pub err_offline: &'static str,
    pub err_server: &'static str,
    pub err_sold_out: &'static str,
    pub err_insufficient_stock: &'static str,
    pub err_limit: &'static str,
    pub err_declined: &'static str,
    pub err_funds: &'static str,
    pub err_cart_closed: &'static str,
    pub err_cart_empty: &'static str,
    pub err_rate_limited: &'static str,
}

impl Text {
    /// The sentence for a checkout field that failed validation, by the field's
    /// key in [`vetrina_wire::FieldError`]; `None` for a key we do not know.
    pub fn field_error(&self, field: &str) -> Option<&'static str> {
        Some(match field {
            "email" => self.need_email,
            "name" => self.need_name,
            "address.line1" => self.need_line1,
            "address.line2" => self.need_line2,
            "address.city" => self.need_city,
            "address.postal_code" => self.need_postal_code,
            "address.country" => self.need_country,
            "payment_token" => self.need_payment,
            _ => return None,
        })
    }

    /// The sentence for an API error code the viewer can run into.
    pub fn error(&self, code: &str) -> Option<&'static str> {
        Some(match code {
            "sold_out" => self.err_sold_out,
            "insufficient_stock" => self.err_insufficient_stock,
            "quantity_limit" | "buyer_limit" => self.err_limit,
            "card_declined" | "invalid_payment_token" => self.err_declined,
            "insufficient_funds" => self.err_funds,
            "cart_closed" => self.err_cart_closed,
            "cart_empty" => self.err_cart_empty,
            "rate_limited" => self.err_rate_limited,
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
        assert_eq!(choose(None, &tags(&["de-DE", "en-US"]), Some("it-IT")).lang, Lang::En);
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

    /// Each sentence of every catalogue, by name, for the checks below.
    fn sentences(t: &Text) -> Vec<&'static str> {
        let mut all = vec![t.now_showing, t.only_n_left, t.choose_first, t.added, t.cost_free_shipping];
        all.extend([t.cost_plus_shipping, t.express_note, t.quantity_of, t.price_changed, t.cart_button_many]);
        all.extend([t.cart_not_loaded, t.test_card_approves, t.test_card_declines, t.change_cart, t.not_enough_of]);
        all.extend([t.place_order_total, t.confirmation_sent]);
        all
    }

    #[test]
    fn every_language_takes_the_same_values() {
        let placeholders = |s: &str| -> Vec<char> {
            let mut p: Vec<char> =
                s.as_bytes().windows(3).filter(|w| w[0] == b'{' && w[2] == b'}').map(|w| w[1] as char).collect();
            p.sort_unstable();
            p.dedup();
            p
        };
        let english = sentences(Lang::En.text());
        for lang in Lang::ALL {
            for (i, s) in sentences(lang.text()).iter().enumerate() {
                assert_eq!(placeholders(s), placeholders(english[i]), "{lang:?}: {s}");
            }
        }
    }

    #[test]
    fn plural_and_error_lookups() {
        set(Lang::It);
        assert_eq!(only_left(1), "Ne resta solo 1");
        assert_eq!(only_left(3), "Ne restano solo 3");
        assert_eq!(t().error("buyer_limit"), Some(it::TEXT.err_limit));
        set(Lang::En);
        assert_eq!(only_left(3), "Only 3 left");
        assert_eq!(t().field_error("address.city"), Some("Enter a city."));
        assert_eq!(t().error("something_new"), None);
    }
}
