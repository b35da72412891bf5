//! What happens on a show, as each Server-Sent Event carries it, and pins.

use serde::{Deserialize, Serialize};

use super::*;

/// What happened on a show, as carried in each Server-Sent Event's `data:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShowEvent {
    Pin {
        product_id: i64,
    },
    Unpin {
        product_id: i64,
    },
    /// A variant's stock changed (a sale, a restock).
    Stock {
        product_id: i64,
        variant_id: i64,
        stock: i64,
    },
    /// A variant's price changed.
    Price {
        product_id: i64,
        variant_id: i64,
        price_minor: i64,
        compare_at_minor: Option<i64>,
    },
    /// The show went live or ended.
    ShowStatus {
        status: ShowStatus,
    },
    /// A flash drop started (its window is on the stream's clock).
    Offer {
        product_id: i64,
        variant_id: i64,
        offer_id: i64,
        price_minor: i64,
        unit_cap: u32,
        per_buyer: u32,
        starts_at_ms: i64,
        ends_at_ms: i64,
    },
}

impl ShowEvent {
    /// The name stored and sent as the event's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Pin { .. } => "pin",
            Self::Unpin { .. } => "unpin",
            Self::Stock { .. } => "stock",
            Self::Price { .. } => "price",
            Self::ShowStatus { .. } => "show_status",
            Self::Offer { .. } => "offer",
        }
    }

    /// The offer an `offer` event announces.
    pub fn offer(&self) -> Option<Offer> {
        match *self {
            Self::Offer {
                product_id,
                variant_id,
                offer_id,
                price_minor,
                unit_cap,
                per_buyer,
                starts_at_ms,
                ends_at_ms,
            } => Some(Offer {
                id: offer_id,
                product_id,
                variant_id,
                price_minor,
                unit_cap,
                per_buyer,
                starts_at_ms,
                ends_at_ms,
            }),
            _ => None,
        }
    }

    pub fn product_id(&self) -> Option<i64> {
        match *self {
            Self::Pin { product_id }
            | Self::Unpin { product_id }
            | Self::Stock { product_id, .. }
            | Self::Price { product_id, .. }
            | Self::Offer { product_id, .. } => Some(product_id),
            Self::ShowStatus { .. } => None,
        }
    }
}

/// One event of a show's stream. `id` is also the SSE `id:` line and increases
/// monotonically, so a reconnecting client resumes with `Last-Event-ID`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventEnvelope {
    pub id: i64,
    pub show_id: String,
    /// Milliseconds since the show's stream started when the event was made.
    pub stream_ms: i64,
    #[serde(flatten)]
    pub event: ShowEvent,
}

/// `POST /api/shows/{show}/pins`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PinRequest {
    pub product_id: i64,
}
