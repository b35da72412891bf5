//! A show's theme tokens become CSS custom properties on the overlay's stage
//! (and on the server's first frame of the page, which must match it). The
//! brand's backend sends them, so they are checked: token names are plain
//! identifiers and values cannot break out of their declaration.

use std::collections::BTreeMap;

/// `{"accent": "#d63a1a"}` → `--vt-accent:#d63a1a;`, skipping anything unsafe.
pub fn style(theme: &BTreeMap<String, String>) -> String {
    theme
        .iter()
        .filter(|(name, value)| is_token_name(name) && is_safe_value(value))
        .map(|(name, value)| format!("--vt-{name}:{};", value.trim()))
        .collect()
}

/// Whether a token would be kept (see [`style`]).
pub fn is_token(name: &str, value: &str) -> bool {
    is_token_name(name) && is_safe_value(value)
}

fn is_token_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_safe_value(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty()
        && v.len() <= 200
        && !v.contains(|c: char| matches!(c, ';' | '{' | '}' | '<' | '>' | '\\' | '"' | '\'') || c.is_control())
        && !v.to_ascii_lowercase().contains("url(")
        && !v.contains("/*")
        && !v.contains("*/")
        && balanced(v)
}

/// Every `(` closed, none closed before it opens.
fn balanced(v: &str) -> bool {
    let mut depth = 0usize;
    for c in v.chars() {
        match c {
            '(' => depth += 1,
            ')' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
    }
    depth == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens_become_custom_properties_and_unsafe_ones_are_dropped() {
        let theme: BTreeMap<String, String> = [
            ("accent", "#0a7"),
            ("radius", " 8px "),
            ("Bad Name", "red"),
            ("surface", "red; background: url(x)"),
            ("text", "url(https://tracker.example)"),
            ("scrim", "rgba(0, 0, 0, 0.5)"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(style(&theme), "--vt-accent:#0a7;--vt-radius:8px;--vt-scrim:rgba(0, 0, 0, 0.5);");
        assert_eq!(style(&BTreeMap::new()), "");
    }

    #[test]
    fn a_value_cannot_open_what_it_does_not_close() {
        // An unclosed `(` or comment would swallow the declarations after it.
        for bad in ["rgba(0, 0, 0", "calc(1px + (2px)", "red /* x", "red */", "0)", "a)(b"] {
            assert!(!is_token("accent", bad), "{bad}");
        }
        for good in ["rgba(0, 0, 0, 0.5)", "calc(1px + (2px * 3))", "8px"] {
            assert!(is_token("accent", good), "{good}");
        }
    }
}
