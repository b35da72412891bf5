//! Money on the wire: integer minor units of an ISO 4217 currency, and the one
//! table of how many minor units each currency has.

/// Decimal places of a currency's minor unit (ISO 4217). Unlisted codes have two.
pub fn minor_digits(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
        | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Parses a decimal amount ("49.9", "1200") into minor units of `currency`,
/// refusing more decimals than the currency has rather than rounding money.
pub fn parse_minor(text: &str, currency: &str) -> Result<i64, String> {
    let digits = minor_digits(currency) as usize;
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let ok_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !ok_digits(whole) || !ok_digits(frac) {
        return Err(format!("'{text}' is not a plain decimal amount"));
    }
    if frac.len() > digits {
        return Err(format!("'{text}' has more decimals than {currency} allows ({digits})"));
    }
    let frac = format!("{frac:0<digits$}");
    format!("{whole}{frac}").parse::<i64>().map_err(|_| format!("'{text}' is too large"))
}
