//! Money on the wire: integer minor units of an ISO 4217 currency, the one
//! table of how many minor units each currency has, and the one way a typed
//! or imported decimal amount becomes minor units (and back).

/// Decimal places of a currency's minor unit (ISO 4217). Unlisted codes have two.
pub fn minor_digits(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
        | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// "49.00": the amount in major units with the currency's decimals, as
/// [`parse_major`] reads it back (the studio's price fields).
pub fn major_text(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(digits);
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = digits as usize)
}

/// Why a typed amount is not a price.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Enter an amount such as 49.90.")]
    NotANumber,
    #[error("This currency has {0} decimals at most.")]
    TooManyDecimals(u32),
    #[error("That amount is too large.")]
    TooLarge,
}

/// A price typed in major units ("49.9", "49,90", "1200") as minor units of
/// `currency`. One decimal separator, dot or comma; no signs, no grouping
/// (is "1,200" twelve hundred or one point two? it is refused, not guessed).
pub fn parse_major(text: &str, currency: &str) -> Result<i64, AmountError> {
    let text = text.trim();
    let digits = minor_digits(currency);
    let (whole, fraction) = match text.split_once(['.', ',']) {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(AmountError::NotANumber);
    }
    if fraction.len() > digits as usize {
        return Err(AmountError::TooManyDecimals(digits));
    }
    let scale = 10i64.pow(digits);
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| AmountError::TooLarge)? };
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = digits as usize).parse().map_err(|_| AmountError::NotANumber)?
    };
    let minor = whole.checked_mul(scale).and_then(|w| w.checked_add(fraction)).ok_or(AmountError::TooLarge)?;
    if minor > crate::MAX_PRICE_MINOR {
        return Err(AmountError::TooLarge);
    }
    Ok(minor)
}
