//! The pin board: which products are pinned right now, built from the show's
//! snapshot and then its event stream.
//!
//! Events carry monotonically increasing ids. The board remembers the highest id
//! it has applied and ignores anything at or below it, so a reconnecting stream
//! that replays an event, or the same event arriving twice, never duplicates a
//! card. Malformed event data is rejected with a reason, never half-applied.

use vetrina_wire::{EventEnvelope, Product, ShowEvent, ShowSnapshot};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PinBoard {
    last_id: i64,
    /// Most recently pinned first.
    pinned: Vec<i64>,
}

/// The shelf's order: every product of `catalogue`, the `pinned` ones first
/// (newest pin first) and marked, the rest in catalogue order. A pin of a
/// product the catalogue does not have is left out.
pub fn shelf(pinned: &[i64], catalogue: &[i64]) -> Vec<(i64, bool)> {
    let first = pinned.iter().filter(|id| catalogue.contains(id)).map(|id| (*id, true));
    let rest = catalogue.iter().filter(|id| !pinned.contains(id)).map(|id| (*id, false));
    first.chain(rest).collect()
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Pinned(i64),
    Unpinned(i64),
    /// A new event that is not about pins (stock, price, show status): the
    /// caller applies it to the catalogue.
    Other,
    /// Already seen (replay or duplicate), or it changed nothing.
    Ignored,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    #[error("event data is not a valid show event: {0}")]
    Malformed(String),
    #[error("event belongs to show '{0}', not this one")]
    OtherShow(String),
}

impl PinBoard {
    /// The board as a snapshot left it: `pinned` latest first, up to `last_event_id`.
    pub fn from_snapshot(pinned: Vec<i64>, last_event_id: i64) -> Self {
        let mut seen = Vec::with_capacity(pinned.len());
        for id in pinned {
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
        Self { last_id: last_event_id, pinned: seen }
    }

    pub fn pinned(&self) -> &[i64] {
        &self.pinned
    }

    pub fn last_id(&self) -> i64 {
        self.last_id
    }

    pub fn apply(&mut self, envelope: &EventEnvelope) -> Applied {
        if envelope.id <= self.last_id {
            return Applied::Ignored;
        }
        self.last_id = envelope.id;
        match envelope.event {
            ShowEvent::Pin { product_id } => {
                // A re-pin moves the product to the front: it is what the host shows now.
                self.pinned.retain(|&p| p != product_id);
                self.pinned.insert(0, product_id);
                Applied::Pinned(product_id)
            }
            ShowEvent::Unpin { product_id } => {
                let before = self.pinned.len();
                self.pinned.retain(|&p| p != product_id);
                if self.pinned.len() < before {
                    Applied::Unpinned(product_id)
                } else {
                    Applied::Ignored
                }
            }
            ShowEvent::Stock { .. }
            | ShowEvent::Price { .. }
            | ShowEvent::ShowStatus { .. }
            | ShowEvent::Offer { .. } => Applied::Other,
        }
    }
}

/// The event's JSON read as one flat object. `EventEnvelope` itself is a
/// flattened, internally tagged enum, whose derived deserializer buffers every
/// field through serde's generic `Content` tree: correct, but several kilobytes
/// of wasm. Reading a flat struct and checking the fields by hand is small.
#[derive(Debug, serde::Deserialize)]
pub struct FlatEvent {
    id: i64,
    show_id: String,
    stream_ms: i64,
    #[serde(rename = "type")]
    kind: String,
    product_id: Option<i64>,
    variant_id: Option<i64>,
    stock: Option<i64>,
    price_minor: Option<i64>,
    #[serde(default)]
    compare_at_minor: Option<i64>,
    status: Option<vetrina_wire::ShowStatus>,
    offer_id: Option<i64>,
    unit_cap: Option<u32>,
    per_buyer: Option<u32>,
    starts_at_ms: Option<i64>,
    ends_at_ms: Option<i64>,
}

/// Checks a flat event's fields for its type and that it is for `show_id`. The
/// JSON itself is read into a [`FlatEvent`] by the caller (the browser's
/// `JSON.parse` in the overlay, serde_json in the tests).
pub fn envelope_from(f: FlatEvent, show_id: &str) -> Result<EventEnvelope, EventError> {
    let missing = |field: &str| EventError::Malformed(format!("a {} event needs `{field}`", f.kind));
    let product_id = || f.product_id.ok_or_else(|| missing("product_id"));
    let event = match f.kind.as_str() {
        "pin" => ShowEvent::Pin { product_id: product_id()? },
        "unpin" => ShowEvent::Unpin { product_id: product_id()? },
        "stock" => ShowEvent::Stock {
            product_id: product_id()?,
            variant_id: f.variant_id.ok_or_else(|| missing("variant_id"))?,
            stock: f.stock.ok_or_else(|| missing("stock"))?,
        },
        "price" => ShowEvent::Price {
            product_id: product_id()?,
            variant_id: f.variant_id.ok_or_else(|| missing("variant_id"))?,
            price_minor: f.price_minor.ok_or_else(|| missing("price_minor"))?,
            compare_at_minor: f.compare_at_minor,
        },
        "show_status" => ShowEvent::ShowStatus { status: f.status.ok_or_else(|| missing("status"))? },
        "offer" => ShowEvent::Offer {
            product_id: product_id()?,
            variant_id: f.variant_id.ok_or_else(|| missing("variant_id"))?,
            offer_id: f.offer_id.ok_or_else(|| missing("offer_id"))?,
            price_minor: f.price_minor.ok_or_else(|| missing("price_minor"))?,
            unit_cap: f.unit_cap.ok_or_else(|| missing("unit_cap"))?,
            per_buyer: f.per_buyer.ok_or_else(|| missing("per_buyer"))?,
            starts_at_ms: f.starts_at_ms.ok_or_else(|| missing("starts_at_ms"))?,
            ends_at_ms: f.ends_at_ms.ok_or_else(|| missing("ends_at_ms"))?,
        },
        other => return Err(EventError::Malformed(format!("unknown event type `{other}`"))),
    };
    if f.show_id != show_id {
        return Err(EventError::OtherShow(f.show_id));
    }
    Ok(EventEnvelope { id: f.id, show_id: f.show_id, stream_ms: f.stream_ms, event })
}

/// Live catalogue changes: new stock and prices, the show going live or
/// ending, a flash drop starting.
pub fn apply_to_catalogue(snapshot: &mut ShowSnapshot, event: &ShowEvent) {
    fn variant(snapshot: &mut ShowSnapshot, product_id: i64, variant_id: i64) -> Option<&mut vetrina_wire::Variant> {
        snapshot
            .products
            .iter_mut()
            .find(|p| p.id == product_id)
            .and_then(|p| p.variants.iter_mut().find(|v| v.id == variant_id))
    }
    match *event {
        ShowEvent::Stock { product_id, variant_id, stock } => {
            if let Some(v) = variant(snapshot, product_id, variant_id) {
                v.stock = stock;
            }
        }
        ShowEvent::Price { product_id, variant_id, price_minor, compare_at_minor } => {
            if let Some(v) = variant(snapshot, product_id, variant_id) {
                v.price_minor = price_minor;
                v.compare_at_minor = compare_at_minor;
            }
        }
        ShowEvent::ShowStatus { status } => snapshot.show.status = status,
        ShowEvent::Offer { offer_id, .. } => {
            if let Some(offer) = event.offer().filter(|_| !snapshot.offers.iter().any(|o| o.id == offer_id)) {
                snapshot.offers.push(offer);
            }
        }
        ShowEvent::Pin { .. } | ShowEvent::Unpin { .. } => {}
    }
}

/// The catalogue grew during the show (an import): `fresh` is the show's
/// products as read now. The result is in `fresh`'s order, but a product
/// already known keeps what events made of it, since an event that arrived
/// while the catalogue was being read may be newer than the read.
pub fn merge_products(known: &mut Vec<Product>, fresh: Vec<Product>) {
    let mut old = std::mem::take(known);
    *known = fresh
        .into_iter()
        .map(|p| match old.iter().position(|o| o.id == p.id) {
            Some(i) => old.swap_remove(i),
            None => p,
        })
        .collect();
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn new_products_join_in_catalogue_order_and_known_ones_keep_their_events() {
        let product = |id: i64, title: &str| Product {
            id,
            title: title.into(),
            description: String::new(),
            image_url: String::new(),
            option_names: Vec::new(),
            max_per_buyer: None,
            variants: Vec::new(),
        };
        let mut known = vec![product(1, "Shirt, after an event"), product(2, "Mug")];
        merge_products(&mut known, vec![product(1, "Shirt"), product(2, "Mug"), product(9, "Hat")]);
        let titles: Vec<&str> = known.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Shirt, after an event", "Mug", "Hat"]);
    }

    fn ev(id: i64, event: ShowEvent) -> EventEnvelope {
        EventEnvelope { id, show_id: "demo".into(), stream_ms: id * 1000, event }
    }
    fn pin(id: i64, p: i64) -> EventEnvelope {
        ev(id, ShowEvent::Pin { product_id: p })
    }
    fn unpin(id: i64, p: i64) -> EventEnvelope {
        ev(id, ShowEvent::Unpin { product_id: p })
    }

    #[test]
    fn the_shelf_puts_pins_first_newest_first() {
        let mut board = PinBoard::from_snapshot(vec![3], 1);
        board.apply(&pin(2, 5));
        board.apply(&pin(3, 99)); // not in the catalogue
        assert_eq!(shelf(board.pinned(), &[1, 3, 5, 7]), vec![(5, true), (3, true), (1, false), (7, false)]);
        board.apply(&unpin(4, 5));
        assert_eq!(shelf(board.pinned(), &[1, 3, 5, 7]), vec![(3, true), (1, false), (5, false), (7, false)]);
        assert_eq!(shelf(&[], &[]), vec![]);
    }

    /// One SSE `data:` payload to an envelope, as the overlay does it.
    fn parse_event(data: &str, show_id: &str) -> Result<EventEnvelope, EventError> {
        let flat: FlatEvent = serde_json::from_str(data).map_err(|e| EventError::Malformed(e.to_string()))?;
        envelope_from(flat, show_id)
    }

    #[test]
    fn pins_stack_latest_first_and_unpin_removes() {
        let mut b = PinBoard::default();
        assert_eq!(b.apply(&pin(1, 10)), Applied::Pinned(10));
        assert_eq!(b.apply(&pin(2, 20)), Applied::Pinned(20));
        assert_eq!(b.pinned(), [20, 10]);
        assert_eq!(b.apply(&unpin(3, 10)), Applied::Unpinned(10));
        assert_eq!(b.pinned(), [20]);
    }

    #[test]
    fn replayed_and_duplicate_events_are_ignored() {
        let mut b = PinBoard::default();
        b.apply(&pin(1, 10));
        b.apply(&pin(2, 20));
        // A reconnect replays from an older id: nothing changes.
        assert_eq!(b.apply(&pin(1, 10)), Applied::Ignored);
        assert_eq!(b.apply(&pin(2, 20)), Applied::Ignored);
        assert_eq!(b.pinned(), [20, 10]);
        assert_eq!(b.last_id(), 2);
    }

    #[test]
    fn events_before_the_snapshot_are_ignored() {
        let mut b = PinBoard::from_snapshot(vec![30, 10, 30], 7);
        assert_eq!(b.pinned(), [30, 10]);
        assert_eq!(b.apply(&unpin(6, 30)), Applied::Ignored);
        assert_eq!(b.apply(&unpin(8, 30)), Applied::Unpinned(30));
        assert_eq!(b.pinned(), [10]);
    }

    #[test]
    fn repin_moves_to_front_without_duplicating() {
        let mut b = PinBoard::default();
        b.apply(&pin(1, 10));
        b.apply(&pin(2, 20));
        assert_eq!(b.apply(&pin(3, 10)), Applied::Pinned(10));
        assert_eq!(b.pinned(), [10, 20]);
    }

    #[test]
    fn unpin_of_unknown_product_changes_nothing_but_advances() {
        let mut b = PinBoard::default();
        assert_eq!(b.apply(&unpin(4, 99)), Applied::Ignored);
        assert_eq!(b.last_id(), 4);
        assert!(b.pinned().is_empty());
    }

    #[test]
    fn other_events_advance_the_position_once() {
        let mut b = PinBoard::default();
        let stock = ev(5, ShowEvent::Stock { product_id: 1, variant_id: 2, stock: 0 });
        assert_eq!(b.apply(&stock), Applied::Other);
        assert_eq!(b.apply(&stock), Applied::Ignored);
        assert_eq!(b.last_id(), 5);
    }

    #[test]
    fn parse_accepts_good_and_rejects_bad() {
        let good = r#"{"id":3,"show_id":"demo","stream_ms":10,"type":"pin","product_id":5}"#;
        assert_eq!(
            parse_event(good, "demo"),
            Ok(pin(3, 5)).map(|mut e: EventEnvelope| {
                e.stream_ms = 10;
                e
            })
        );
        assert!(matches!(parse_event("{not json", "demo"), Err(EventError::Malformed(_))));
        assert!(matches!(parse_event(r#"{"id":1}"#, "demo"), Err(EventError::Malformed(_))));
        assert!(matches!(
            parse_event(r#"{"id":3,"show_id":"demo","stream_ms":1,"type":"dance","product_id":5}"#, "demo"),
            Err(EventError::Malformed(_))
        ));
        assert_eq!(
            parse_event(r#"{"id":3,"show_id":"other","stream_ms":1,"type":"pin","product_id":5}"#, "demo"),
            Err(EventError::OtherShow("other".into()))
        );
        assert!(matches!(
            parse_event(r#"{"id":3,"show_id":"demo","stream_ms":1,"type":"stock","product_id":5}"#, "demo"),
            Err(EventError::Malformed(_))
        ));
    }

    /// The hand-written reader agrees with the wire type's own serialization.
    #[test]
    fn parse_reads_every_event_the_server_writes() {
        use vetrina_wire::ShowStatus;
        for event in [
            ShowEvent::Pin { product_id: 1 },
            ShowEvent::Unpin { product_id: 1 },
            ShowEvent::Stock { product_id: 1, variant_id: 2, stock: 0 },
            ShowEvent::Price { product_id: 1, variant_id: 2, price_minor: 900, compare_at_minor: Some(1200) },
            ShowEvent::Price { product_id: 1, variant_id: 2, price_minor: 900, compare_at_minor: None },
            ShowEvent::ShowStatus { status: ShowStatus::Live },
        ] {
            let envelope = ev(9, event);
            let json = serde_json::to_string(&envelope).unwrap();
            assert_eq!(parse_event(&json, "demo"), Ok(envelope), "{json}");
        }
    }
}
