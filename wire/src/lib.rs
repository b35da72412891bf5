//! The JSON that crosses the wire between the Vetrina overlay and a Vetrina backend.
//!
//! Brands may run their own backend: anything that serves these shapes at the
//! documented paths works with the overlay. Our reference server (`vetrina-server`)
//! uses the very same types, so the two can never disagree about a field name.
//!
//! Money is always an integer amount of the currency's minor unit (cents for EUR)
//! plus an ISO 4217 code. Prices, totals and stock are decided by the server; the
//! client only ever sends ids and quantities.
//!
//! One module per resource; everything is re-exported here, so a type is
//! `vetrina_wire::Cart` whichever file holds it.

mod cart;
mod catalogue;
mod checkout;
mod creator;
mod embed;
mod events;
mod http;
mod money;
mod offers;
mod show;
pub mod theme;

pub use cart::*;
pub use catalogue::*;
pub use checkout::*;
pub use creator::*;
pub use embed::*;
pub use events::*;
pub use http::*;
pub use money::*;
pub use offers::*;
pub use show::*;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_new_order_names_every_product_once() {
        assert!(is_reordering(&[1, 2, 3], &[3, 1, 2]));
        assert!(!is_reordering(&[1, 2, 3], &[3, 1]), "one missing");
        assert!(!is_reordering(&[1, 2, 3], &[3, 1, 2, 2]), "one twice");
        assert!(!is_reordering(&[1, 2, 3], &[3, 1, 9]), "one from elsewhere");
        assert!(is_reordering(&[], &[]));
    }

    #[test]
    fn moving_a_product_clamps_at_the_ends() {
        assert_eq!(moved(&[1, 2, 3], 3, -1), [1, 3, 2]);
        assert_eq!(moved(&[1, 2, 3], 1, -1), [1, 2, 3]);
        assert_eq!(moved(&[1, 2, 3], 1, 1), [2, 1, 3]);
        assert_eq!(moved(&[1, 2, 3], 3, 5), [1, 2, 3]);
        assert_eq!(moved(&[1, 2, 3], 1, 2), [2, 3, 1]);
        assert_eq!(moved(&[1, 2, 3], 7, 1), [1, 2, 3]);
    }

    #[test]
    fn show_settings_are_checked_as_the_schema_states() {
        let ok = ShowUpdate {
            status: None,
            title: Some("Spring Edit".into()),
            stream_url: Some("https://cdn.example/live.m3u8".into()),
            locale: Some("it-IT".into()),
            scheduled_for_ms: Some(Some(1_893_456_000_000)),
            currency: Some("GBP".into()),
            shipping: Some(ShippingPolicy { flat_minor: 0, free_from_minor: None }),
            theme: Some([("accent".to_string(), "#0a7d5a".to_string())].into()),
            shopify_store: Some("https://brand.myshopify.com/".into()),
            checkout_on_store: Some(true),
        };
        assert_eq!(ok.problem(), None);
        assert_eq!(ShowUpdate { scheduled_for_ms: Some(None), ..Default::default() }.problem(), None, "null clears");
        assert_eq!(ShowUpdate { stream_url: Some("/media/demo.mp4".into()), ..Default::default() }.problem(), None);
        assert_eq!(ShowUpdate::default().problem(), None);
        for (update, field) in [
            (ShowUpdate { title: Some("   ".into()), ..Default::default() }, "title"),
            (
                ShowUpdate { shopify_store: Some("brand.myshopify.com/cart".into()), ..Default::default() },
                "shopify_store",
            ),
            (ShowUpdate { title: Some("x".repeat(201)), ..Default::default() }, "title"),
            (ShowUpdate { stream_url: Some("http://plain.example/a.mp4".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("/".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("//evil.example/a.m3u8".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("/\\evil.example/a.m3u8".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("/a b.mp4".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { stream_url: Some("/a\u{1c}.mp4".into()), ..Default::default() }, "stream_url"),
            (ShowUpdate { locale: Some("italian".into()), ..Default::default() }, "locale"),
            (ShowUpdate { locale: Some("it_IT".into()), ..Default::default() }, "locale"),
        ] {
            assert_eq!(update.problem().map(|p| p.0), Some(field), "{update:?}");
        }
    }

    fn product() -> Product {
        Product {
            id: 1,
            title: "Tee".into(),
            description: String::new(),
            image_url: "/x.svg".into(),
            option_names: vec!["Size".into()],
            max_per_buyer: None,
            variants: vec![
                Variant {
                    id: 10,
                    options: vec!["S".into()],
                    price_minor: 2500,
                    compare_at_minor: Some(3500),
                    stock: 2,
                },
                Variant { id: 11, options: vec!["L".into()], price_minor: 2900, compare_at_minor: None, stock: -1 },
            ],
        }
    }

    #[test]
    fn event_envelope_is_flat_tagged_json() {
        let e =
            EventEnvelope { id: 7, show_id: "demo".into(), stream_ms: 1200, event: ShowEvent::Pin { product_id: 3 } };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"id":7,"show_id":"demo","stream_ms":1200,"type":"pin","product_id":3}"#);
        assert_eq!(serde_json::from_str::<EventEnvelope>(&json).unwrap(), e);
    }

    #[test]
    fn unknown_event_type_is_an_error_not_a_default() {
        let bad = r#"{"id":7,"show_id":"demo","stream_ms":0,"type":"explode","product_id":3}"#;
        assert!(serde_json::from_str::<EventEnvelope>(bad).is_err());
    }

    #[test]
    fn product_price_summary() {
        let p = product();
        assert_eq!(p.from_price_minor(), Some(2500));
        assert_eq!(p.from_compare_at_minor(), Some(3500));
        // Negative stock (never stored, but never trusted either) does not reduce the total.
        assert_eq!(p.total_stock(), 2);
    }

    #[test]
    fn checkout_validation_names_each_bad_field() {
        let ok = CheckoutRequest {
            email: "ada@example.com".into(),
            name: "Ada Lovelace".into(),
            address: Address {
                line1: "1 Via Roma".into(),
                line2: String::new(),
                city: "Milano".into(),
                postal_code: "20100".into(),
                country: "IT".into(),
            },
            payment_token: "tok_visa".into(),
        };
        assert_eq!(ok.validate(), Ok(()));
        let bad = CheckoutRequest { email: "ada@".into(), name: " ".into(), ..ok.clone() };
        let fields: Vec<_> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["email", "name"]);
        let bad_country = CheckoutRequest { address: Address { country: "Italy".into(), ..ok.address.clone() }, ..ok };
        assert_eq!(bad_country.validate().unwrap_err()[0].field, "address.country");
    }

    #[test]
    fn new_event_kinds_round_trip() {
        for event in [
            ShowEvent::Stock { product_id: 1, variant_id: 2, stock: 0 },
            ShowEvent::Price { product_id: 1, variant_id: 2, price_minor: 900, compare_at_minor: None },
            ShowEvent::ShowStatus { status: ShowStatus::Ended },
        ] {
            let e = EventEnvelope { id: 1, show_id: "s".into(), stream_ms: 0, event: event.clone() };
            let json = serde_json::to_value(&e).unwrap();
            assert_eq!(json["type"], event.kind());
            assert_eq!(serde_json::from_value::<EventEnvelope>(json).unwrap().event, event);
        }
    }

    #[test]
    fn variant_update_tells_absent_from_null() {
        let u: VariantUpdate = serde_json::from_str(r#"{"price_minor":900}"#).unwrap();
        assert_eq!(u.compare_at_minor, None);
        let u: VariantUpdate = serde_json::from_str(r#"{"compare_at_minor":null}"#).unwrap();
        assert_eq!(u.compare_at_minor, Some(None));
        let u: VariantUpdate = serde_json::from_str(r#"{"compare_at_minor":1200}"#).unwrap();
        assert_eq!(u.compare_at_minor, Some(Some(1200)));
    }

    #[test]
    fn decimal_amounts_to_minor_units() {
        assert_eq!(parse_major("49.00", "EUR"), Ok(4900));
        assert_eq!(parse_major("49.9", "EUR"), Ok(4990));
        assert_eq!(parse_major("49,9", "EUR"), Ok(4990));
        assert_eq!(parse_major("49", "EUR"), Ok(4900));
        assert_eq!(parse_major("1200", "JPY"), Ok(1200));
        assert_eq!(parse_major("1.234", "KWD"), Ok(1234));
        assert_eq!(parse_major("49.001", "EUR"), Err(AmountError::TooManyDecimals(2)));
        assert_eq!(parse_major("12.5", "JPY"), Err(AmountError::TooManyDecimals(0)));
        for bad in ["", "-1", "1,000.00", "abc", "1e3"] {
            assert_eq!(parse_major(bad, "EUR"), Err(AmountError::NotANumber), "{bad}");
        }
        assert_eq!(parse_major("100000000000000", "EUR"), Err(AmountError::TooLarge));
        assert_eq!(parse_major(&major_text(4990, "XOF"), "XOF"), Ok(4990));
    }

    #[test]
    fn shipping_policy() {
        let p = ShippingPolicy::STANDARD;
        assert_eq!(
            (p.shipping_for(0), p.shipping_for(1800), p.shipping_for(4999), p.shipping_for(5000)),
            (0, 490, 490, 0)
        );
        let never_free = ShippingPolicy { flat_minor: 700, free_from_minor: None };
        assert_eq!(never_free.shipping_for(1_000_000), 700);
    }

    #[test]
    fn email_plausibility() {
        for good in ["a@b.co", "first.last+tag@sub.example.it"] {
            assert!(is_plausible_email(good), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.co", "a@.co", "a@b.", "a b@c.co", "a@b@c.co"] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }
}
