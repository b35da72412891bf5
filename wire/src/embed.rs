//! The embed a brand's page draws, and the sites allowed to embed a show.

use serde::{Deserialize, Serialize};

use super::*;

/// `PUT /api/shows/{show}/embed-origins` (creator), and its answer: the sites
/// allowed to embed the show, as origins (`https://brand.example`,
/// `http://localhost:8081`). The list replaces the previous one.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmbedOrigins {
    #[cfg_attr(feature = "schema", schemars(length(max = 50), inner(regex(pattern = r"^https?://[^/\s]+/?$"))))]
    pub origins: Vec<String>,
}

/// `GET /api/shows/{show}/embed`: what a brand's page needs before the viewer
/// asks for more (the facade: poster, title, badge), and whether the asking
/// page's origin may embed the show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmbedCard {
    pub id: String,
    pub title: String,
    pub status: ShowStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poster_url: Option<String>,
    /// Whether the request's `Origin` is on the show's embed list.
    pub embed_allowed: bool,
    /// The facade's words, in the language chosen for the asking page.
    pub words: EmbedWords,
}

/// The facade's words (its button and its badges) from the overlay's own
/// catalogues, in the language the overlay's rule picks for the asking page:
/// its `lang`, then the browser's languages, then the show's. The loader
/// keeps no copy of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmbedWords {
    /// The language chosen (`en`, `it`, `es`, `fr`, `de`).
    pub lang: String,
    pub watch: String,
    pub live: String,
    pub replay: String,
    pub scheduled: String,
}

/// The most sites one show may be embedded on.
pub const MAX_EMBED_ORIGINS: usize = 50;

/// An origin as the browser sends it in `Origin` (lowercase, no path, no
/// trailing slash), or None if `raw` is not an http(s) origin.
pub fn normalize_origin(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = raw.split_once("://")?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.len() > 253 {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'));
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    (host_ok && port_ok).then_some(raw)
}
