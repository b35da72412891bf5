//! The store's side of an embedded overlay: connecting to the brand's page,
//! its cart when it keeps one, and the analytics it is told about. (Not a
//! component: `impl Store`, kept apart so the store's own file stays about
//! the show and our cart.)

use std::rc::Rc;

use leptos::prelude::*;

use crate::api::host::{Analytics, AnalyticsItem, Connect, Ecommerce, Host, HostCart, HostItem, Item};
use crate::api::ApiError;
use crate::browser;
use crate::domain::money;
use crate::ui::store::{Load, Sheet, Store};

impl Store {
    /// Connects to the page that embeds us (`?embed=1&host=<origin>`); nothing
    /// is sent anywhere else, and nothing at all when not embedded.
    pub fn connect_host(self, origin: &str) {
        let host = Host::connect(origin, move |kind, json| match kind.as_str() {
            "connect" => match browser::from_json::<Connect>(&json) {
                Ok(c) => self.host_cart.set((c.cart == "host").then(|| c.cart_state.map_or(0, |s| s.count))),
                Err(e) => browser::warn(&format!("vetrina: a malformed connect from the host page: {e}")),
            },
            // Sanitised where it is applied, like the show's own theme.
            "theme" => match browser::string_pairs(&json) {
                Some(theme) => self.brand_theme.update(|t| t.extend(theme)),
                None => browser::warn("vetrina: a malformed theme from the host page"),
            },
            "cart.sync" => match browser::from_json::<HostCart>(&json) {
                Ok(c) if self.host_cart.get_untracked().is_some() => self.host_cart.set(Some(c.count)),
                Ok(_) => {}
                Err(e) => browser::warn(&format!("vetrina: a malformed cart from the host page: {e}")),
            },
            _ => {}
        });
        self.host.set_value(Some(Rc::new(host)));
    }

    /// Hands an item to the host's cart: the count moves at once and moves
    /// back, with the host's reason, if the host says no.
    pub(super) async fn add_to_host_cart(&self, variant_id: i64, quantity: u32) -> Result<(), ApiError> {
        let Some((host, item)) = self.host.get_value().zip(self.host_item(variant_id, quantity)) else {
            return Err(ApiError::Decode("no such variant".into()));
        };
        self.host_cart.update(|c| *c = c.map(|n| n + quantity));
        match host.request("cart.add", &Item { item }).await {
            Ok(()) => {
                self.track_lines("add_to_cart", &[(variant_id, quantity)], None);
                Ok(())
            }
            Err(e) => {
                self.host_cart.update(|c| *c = c.map(|n| n.saturating_sub(quantity)));
                Err(ApiError::Server {
                    status: 409,
                    code: "host_refused".into(),
                    message: e.to_string(),
                    fields: vec![],
                })
            }
        }
    }

    /// Checkout: ours, or the host's when it keeps the cart (the overlay's
    /// part ends here and the page takes over).
    pub fn begin_checkout(self) {
        let lines: Vec<(i64, u32)> =
            self.cart.with_untracked(|c| c.iter().flat_map(|c| &c.lines).map(|l| (l.variant_id, l.quantity)).collect());
        self.track_lines("begin_checkout", &lines, None);
        let Some(host) = self.host.get_value().filter(|_| self.host_cart.get_untracked().is_some()) else {
            let on_store = self.pays_on_store().is_some();
            return self.sheet.set(if on_store { Sheet::HandOver } else { Sheet::Checkout });
        };
        self.sheet.set(Sheet::Closed);
        leptos::task::spawn_local(async move {
            if let Err(e) = host.request("checkout", &()).await {
                self.tell(e.to_string(), true);
            }
        });
    }

    fn host_item(&self, variant_id: i64, quantity: u32) -> Option<HostItem> {
        self.snapshot.with_untracked(|s| {
            let Load::Ready(s) = s else { return None };
            let p = s.products.iter().find(|p| p.variants.iter().any(|v| v.id == variant_id))?;
            let v = p.variants.iter().find(|v| v.id == variant_id)?;
            Some(HostItem {
                product_id: p.id,
                variant_id,
                title: p.title.clone(),
                variant: v.options.join(" / "),
                quantity,
                price_minor: v.price_minor,
                currency: s.show.currency.clone(),
            })
        })
    }

    /// Tells the host page (if any) about a GA4 ecommerce event for these
    /// (variant, quantity) lines; `order` is the order number and total.
    pub fn track_lines(&self, event: &'static str, lines: &[(i64, u32)], order: Option<(String, i64)>) {
        let Some(host) = self.host.get_value() else { return };
        let items: Vec<AnalyticsItem> = lines
            .iter()
            .filter_map(|&(variant, quantity)| self.host_item(variant, quantity))
            .map(|i| AnalyticsItem {
                item_id: i.product_id.to_string(),
                price: money::to_major(i.price_minor, &i.currency),
                item_name: i.title,
                item_variant: i.variant,
                quantity: i.quantity,
            })
            .collect();
        let currency = self.currency();
        let value = match &order {
            Some((_, total)) => money::to_major(*total, &currency),
            None => items.iter().map(|i| i.price * f64::from(i.quantity)).sum(),
        };
        let video_time_s = (self.playhead_ms() - self.started_at_ms()) / 1000;
        let ecommerce = Ecommerce { currency, value, transaction_id: order.map(|o| o.0), items };
        let message = Analytics { event, ecommerce, video_time_s };
        leptos::task::spawn_local(async move {
            if let Err(e) = host.request("analytics", &message).await {
                browser::warn(&format!("vetrina: the host page did not take an analytics event: {e}"));
            }
        });
    }
}
