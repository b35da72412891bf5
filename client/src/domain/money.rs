//! Money is an integer count of a currency's minor unit (cents for EUR, yen for
//! JPY) plus its ISO 4217 code. The browser's `Intl.NumberFormat` does the
//! formatting; this module knows how many decimals a currency has, so a minor
//! amount can be handed to `Intl` as a major amount without floating-point drift
//! on the way, and gives a plain fallback where `Intl` is unavailable.

pub use vetrina_wire::{major_text, minor_digits, parse_major, AmountError};

/// The amount in major units, for `Intl.NumberFormat`. Exact for any amount a
/// shop will see (f64 holds integers up to 2^53 exactly, and one division by a
/// power of ten rounds to the nearest representable value, which `Intl` prints right).
pub fn to_major(minor: i64, currency: &str) -> f64 {
    minor as f64 / 10f64.powi(minor_digits(currency) as i32)
}

/// "EUR 49.00": used only if `Intl` fails, so a price is never missing.
pub fn format_plain(minor: i64, currency: &str) -> String {
    format!("{currency} {}", major_text(minor, currency))
}

/// Whole percent saved against a compare-at price, if it really is a saving.
pub fn percent_off(price_minor: i64, compare_at_minor: Option<i64>) -> Option<u32> {
    let was = compare_at_minor?;
    if was <= 0 || price_minor >= was {
        return None;
    }
    let pct = ((was - price_minor) * 100 + was / 2) / was;
    u32::try_from(pct).ok().filter(|&p| p > 0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn typed_prices_become_minor_units() {
        assert_eq!(parse_major("49.90", "EUR"), Ok(4990));
        assert_eq!(parse_major(&major_text(4990, "EUR"), "EUR"), Ok(4990));
        assert_eq!(major_text(1200, "JPY"), "1200");
        assert_eq!(parse_major(" 49,9 ", "EUR"), Ok(4990));
        assert_eq!(parse_major("49", "EUR"), Ok(4900));
        assert_eq!(parse_major(".5", "EUR"), Ok(50));
        assert_eq!(parse_major("0", "EUR"), Ok(0));
        assert_eq!(parse_major("1200", "JPY"), Ok(1200));
        assert_eq!(parse_major("12.5", "JPY"), Err(AmountError::TooManyDecimals(0)));
        assert_eq!(parse_major("4.999", "EUR"), Err(AmountError::TooManyDecimals(2)));
        for bad in ["", ".", "-5", "+5", "1,200.50", "4 9", "abc", "1e3"] {
            assert_eq!(parse_major(bad, "EUR"), Err(AmountError::NotANumber), "{bad:?}");
        }
        assert_eq!(parse_major("99999999999999999999", "EUR"), Err(AmountError::TooLarge));
        assert_eq!(parse_major("1000000001", "EUR"), Err(AmountError::TooLarge));
    }

    #[test]
    fn digits_by_currency() {
        assert_eq!(minor_digits("EUR"), 2);
        assert_eq!(minor_digits("jpy"), 0);
        assert_eq!(minor_digits("KWD"), 3);
    }

    #[test]
    fn major_amounts_are_exact() {
        assert_eq!(to_major(4900, "EUR"), 49.0);
        assert_eq!(to_major(1999, "USD"), 19.99);
        assert_eq!(to_major(1500, "JPY"), 1500.0);
        assert_eq!(to_major(1234, "KWD"), 1.234);
    }

    #[test]
    fn plain_format() {
        assert_eq!(format_plain(4900, "EUR"), "EUR 49.00");
        assert_eq!(format_plain(5, "EUR"), "EUR 0.05");
        assert_eq!(format_plain(-1999, "USD"), "USD -19.99");
        assert_eq!(format_plain(1500, "JPY"), "JPY 1500");
        assert_eq!(format_plain(1005, "KWD"), "KWD 1.005");
    }

    #[test]
    fn savings() {
        assert_eq!(percent_off(4900, Some(6900)), Some(29));
        assert_eq!(percent_off(4900, None), None);
        assert_eq!(percent_off(4900, Some(4900)), None);
        assert_eq!(percent_off(4900, Some(100)), None);
        assert_eq!(percent_off(0, Some(0)), None);
    }
}
