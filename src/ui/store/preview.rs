//! The studio's preview: the overlay in a tab signed in to the studio makes
//! sandbox carts, whose orders are test orders.

use crate::browser;

/// The studio's creator token for `show`, when the page is its preview: the
/// overlay frames (`?sandbox=1`) or the brand-embed frame (embedded by a page
/// on our own origin, which brands' pages never are), in a tab signed in to
/// the studio for that show.
pub(super) fn sandbox_token(show: &str) -> Option<String> {
    let own_origin = || web_sys::window().and_then(|w| w.location().origin().ok());
    let embedded_by_us =
        browser::query_param("embed").as_deref() == Some("1") && browser::query_param("host") == own_origin();
    if browser::query_param("sandbox").as_deref() != Some("1") && !embedded_by_us {
        return None;
    }
    let signed_in = browser::session_get(browser::STUDIO_SHOW_KEY).is_some_and(|s| s == show);
    signed_in.then(|| browser::session_get(browser::STUDIO_TOKEN_KEY)).flatten()
}
