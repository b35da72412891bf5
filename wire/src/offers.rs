//! Flash drops: a lower price for a short window on the stream's clock.

use serde::{Deserialize, Serialize};

use super::*;

/// A flash drop: for a short window, a variant at a lower price, for at most
/// `unit_cap` units in all and `per_buyer` units per buyer. The window is on
/// the stream's clock (like pins): a viewer whose video runs 8 s behind live
/// sees it, and may claim it, 8 s later than a viewer at the live edge. A
/// claim (adding the variant at the flash price while the viewer's video is in
/// the window) holds the price for [`OFFER_HOLD_MS`] to check out in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Offer {
    pub id: i64,
    pub product_id: i64,
    pub variant_id: i64,
    /// The flash price, minor units of the show's currency.
    pub price_minor: i64,
    pub unit_cap: u32,
    pub per_buyer: u32,
    /// The window on the stream's clock (ms since the Unix epoch, as the
    /// stream tells time: HLS program date-time, else the show's start plus
    /// the video's position).
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
}

impl Offer {
    /// Whether a video at `at_ms` on the stream's clock is inside the window.
    pub fn runs_at(&self, at_ms: i64) -> bool {
        (self.starts_at_ms..self.ends_at_ms).contains(&at_ms)
    }
}

/// The event that announces a drop (the inverse of [`ShowEvent::offer`]).
impl From<&Offer> for ShowEvent {
    fn from(o: &Offer) -> Self {
        ShowEvent::Offer {
            product_id: o.product_id,
            variant_id: o.variant_id,
            offer_id: o.id,
            price_minor: o.price_minor,
            unit_cap: o.unit_cap,
            per_buyer: o.per_buyer,
            starts_at_ms: o.starts_at_ms,
            ends_at_ms: o.ends_at_ms,
        }
    }
}

/// How long a claimed flash price is held for checkout.
pub const OFFER_HOLD_MS: i64 = 10 * 60 * 1000;

/// How far behind live a viewer's video may be and still claim a flash drop
/// in its (shifted) window. A claim reports where the viewer's video is; the
/// server believes it only within this bound.
pub const OFFER_MAX_LAG_MS: i64 = 30_000;

/// Flash drop durations, in seconds.
pub const OFFER_SECONDS: std::ops::RangeInclusive<u32> = 5..=600;

/// `POST /api/shows/{show}/offers` (creator): starts a flash drop now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewOffer {
    pub variant_id: i64,
    /// Below the variant's price.
    pub price_minor: i64,
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1_000_000)))]
    pub unit_cap: u32,
    /// At most `unit_cap`.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1_000_000)))]
    pub per_buyer: u32,
    #[cfg_attr(feature = "schema", schemars(range(min = 5, max = 600)))]
    pub duration_s: u32,
}

impl NewOffer {
    /// What is wrong with this offer, as (field, sentence), given the variant's
    /// regular price; checked by the studio before sending and by the server.
    pub fn problem(&self, regular_price_minor: i64) -> Option<FieldError> {
        if self.price_minor >= regular_price_minor {
            return Some(FieldError::new("price_minor", "A flash price is below the regular price."));
        }
        self.problems().into_iter().next()
    }
}
