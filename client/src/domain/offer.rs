//! Flash drops as a viewer sees them: on the video's clock. A drop runs from
//! its start to its end on the stream's clock, so a viewer whose video is
//! behind live sees it start, count down and end that much later, exactly as
//! the server honours it (see the server's `offers` module).

use vetrina_wire::{Offer, Product};

/// The drop on one of `product`'s variants that a video at `at_ms` is inside.
pub fn running<'a>(offers: &'a [Offer], product: &Product, at_ms: i64) -> Option<&'a Offer> {
    offers.iter().find(|o| o.runs_at(at_ms) && product.variants.iter().any(|v| v.id == o.variant_id))
}

/// The drop on `variant_id` that a video at `at_ms` is inside (what an add
/// to cart claims).
pub fn running_on(offers: &[Offer], variant_id: i64, at_ms: i64) -> Option<&Offer> {
    offers.iter().find(|o| o.variant_id == variant_id && o.runs_at(at_ms))
}

/// Whether any drop could still start or run for a video at `at_ms` (the
/// overlay keeps its countdown clock going while one can).
pub fn any_ahead(offers: &[Offer], at_ms: i64) -> bool {
    offers.iter().any(|o| o.ends_at_ms > at_ms)
}

/// The countdown: whole seconds left, rounded up, as `m:ss`.
pub fn countdown(offer: &Offer, at_ms: i64) -> String {
    let left = ((offer.ends_at_ms - at_ms).max(0) + 999) / 1000;
    format!("{}:{:02}", left / 60, left % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vetrina_wire::Variant;

    fn offer(variant_id: i64, starts: i64, ends: i64) -> Offer {
        Offer {
            id: 1,
            product_id: 1,
            variant_id,
            price_minor: 900,
            unit_cap: 10,
            per_buyer: 1,
            starts_at_ms: starts,
            ends_at_ms: ends,
        }
    }

    fn product(variants: &[i64]) -> Product {
        Product {
            id: 1,
            title: "Mug".into(),
            description: String::new(),
            image_url: String::new(),
            option_names: Vec::new(),
            max_per_buyer: None,
            variants: variants
                .iter()
                .map(|id| Variant { id: *id, options: Vec::new(), price_minor: 1800, compare_at_minor: None, stock: 5 })
                .collect(),
        }
    }

    #[test]
    fn a_viewer_behind_live_gets_the_same_window_later() {
        let offers = [offer(7, 100_000, 130_000)];
        let mug = product(&[7, 8]);
        // At the live edge, 1 s after the drop: running, 29 s left.
        assert_eq!(running(&offers, &mug, 101_000).map(|o| countdown(o, 101_000)), Some("0:29".into()));
        // 8 s behind: the drop has not started on this viewer's video yet...
        assert!(running(&offers, &mug, 93_000).is_none());
        assert!(any_ahead(&offers, 93_000), "the clock keeps going for it");
        // ...and when it has, it runs its whole 30 s, past the live edge's end.
        assert_eq!(running(&offers, &mug, 108_000).map(|o| countdown(o, 108_000)), Some("0:22".into()));
        assert!(running(&offers, &mug, 129_999).is_some());
        assert!(running(&offers, &mug, 130_000).is_none());
        assert!(!any_ahead(&offers, 130_000));
        // Another product's drop is not this one's.
        assert!(running(&offers, &product(&[9]), 101_000).is_none());
        // By variant, as a claim looks it up.
        assert!(running_on(&offers, 7, 101_000).is_some());
        assert!(running_on(&offers, 8, 101_000).is_none());
        assert!(running_on(&offers, 7, 130_000).is_none());
    }

    #[test]
    fn countdowns_round_up_to_whole_seconds() {
        let o = offer(7, 0, 600_000);
        assert_eq!(countdown(&o, 0), "10:00");
        assert_eq!(countdown(&o, 599_001), "0:01");
        assert_eq!(countdown(&o, 600_000), "0:00");
        assert_eq!(countdown(&o, 700_000), "0:00");
    }
}
