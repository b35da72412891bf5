//! The cart and checkout: every change sent with an idempotency key and sent
//! again (same key) when its answer is lost; the buyer's remembered details;
//! the brand page's own cart when it keeps one.

use super::*;
use crate::api::{self, ApiError, Request};
use crate::browser;
use crate::domain::checkout::Attempt;
use crate::domain::offer;
use crate::i18n::{fill, t};
use leptos::task::spawn_local;
use vetrina_wire::{Cart, CheckoutRequest, HandOver, Order, PaymentAction};

/// What placing the order came to.
pub enum Placed {
    Order(Order),
    /// The buyer confirms with their bank first (Stripe.js, with this secret),
    /// then the same request finishes the order.
    Authenticate {
        client_secret: String,
    },
}

impl Store {
    /// Keeps (or, without consent, forgets) the buyer's details in this browser.
    pub fn remember_buyer(&self, details: Option<&CheckoutRequest>) {
        // A provider's payment token is single-use: only a test card is worth remembering.
        let details = details.map(|d| {
            let mut d = d.clone();
            if !d.payment_token.starts_with("tok_") {
                d.payment_token.clear();
            }
            d
        });
        let details = details.as_ref();
        match details.and_then(|d| browser::to_json(d).ok()) {
            Some(json) => browser::storage_set(BUYER_KEY, &json),
            None => browser::storage_remove(BUYER_KEY),
        }
        self.buyer.set(details.cloned());
    }

    /// Where this browser keeps the cart's id; a sandbox cart apart, so the
    /// preview never touches the creator's own cart as a viewer.
    fn cart_key(&self) -> String {
        let kind = if self.sandbox.with_value(Option::is_some) { "sandbox-cart" } else { "cart" };
        format!("vetrina.{kind}.{}", self.show_id.get_value())
    }

    /// Loads the cart again from the server: on start (its id is kept in this
    /// browser, so a reload keeps the cart), when back online, after a stock error.
    pub fn refresh_cart(self) {
        spawn_local(async move { self.reload_cart().await });
    }

    pub async fn reload_cart(&self) {
        let Some(id) = browser::storage_get(&self.cart_key()) else { return };
        match self.client.get_value().cart(&id).await {
            Ok(cart) => self.cart.set(Some(cart)),
            Err(ApiError::Server { status: 404, .. }) => browser::storage_remove(&self.cart_key()),
            Err(e) => self.tell(fill(t().cart_not_loaded(), &[&e.user_message()]), true),
        }
    }

    fn keep_cart(&self, cart: Cart) {
        browser::storage_set(&self.cart_key(), &cart.id);
        self.cart.set(Some(cart));
    }

    /// Sends a change until it gets an answer. A request that got none (the
    /// network dropped, or its answer was lost on the way back) goes again with
    /// the same idempotency key, so the server applies it exactly once: while the
    /// browser is offline it waits for the network, otherwise it tries
    /// [`RETRY_MS`]`.len()` more times before the viewer is told.
    async fn send(&self, request: Request, key: String) -> Result<String, ApiError> {
        let client = self.client.get_value();
        let mut failures = 0;
        let mut waiting = false;
        let result = loop {
            match client.run(&request, Some(&key)).await {
                Err(ApiError::Network(_)) if failures < RETRY_MS.len() => {
                    if !waiting {
                        waiting = true;
                        self.retrying.update(|n| *n += 1);
                    }
                    if browser::is_online() {
                        browser::sleep(RETRY_MS[failures]).await;
                        failures += 1;
                    } else {
                        browser::sleep(1000).await;
                    }
                }
                other => break other,
            }
        };
        if waiting {
            self.retrying.update(|n| *n = n.saturating_sub(1));
        }
        result
    }

    /// A change to the cart, with a fresh idempotency key; the cart it answers
    /// with becomes the viewer's.
    async fn change_cart(&self, request: Request) -> Result<Cart, ApiError> {
        let cart: Cart = api::parse(&self.send(request, browser::random_key()).await?)?;
        self.keep_cart(cart.clone());
        Ok(cart)
    }

    /// Adds to the cart, creating it on first use. A cart that has vanished on
    /// the server (ordered in another tab, say) is replaced once, transparently.
    pub async fn add_to_cart(&self, variant_id: i64, quantity: u32) -> Result<(), ApiError> {
        if self.host_cart.get_untracked().is_some() {
            return self.add_to_host_cart(variant_id, quantity).await;
        }
        self.add_to_own_cart(variant_id, quantity).await?;
        self.track_lines("add_to_cart", &[(variant_id, quantity)], None);
        Ok(())
    }

    async fn add_to_own_cart(&self, variant_id: i64, quantity: u32) -> Result<(), ApiError> {
        // A flash drop on this variant that the viewer's video is in: claimed,
        // saying where the video is when the overlay follows its clock.
        let at = self.playhead_ms();
        let offer = self.snapshot.with_untracked(|s| match s {
            Load::Ready(s) => offer::running_on(&s.offers, variant_id, at).map(|o| o.id),
            _ => None,
        });
        let offer = offer.map(|id| (id, self.on_video_clock().then_some(at)));
        if let Some(id) = self.cart.get_untracked().map(|c| c.id) {
            match self.change_cart(Request::add_line(&id, variant_id, quantity, offer)).await {
                Err(ApiError::Server { code, .. }) if code == "not_found" || code == "cart_closed" => {}
                other => return other.map(drop),
            }
        }
        let sandbox = self.sandbox.get_value();
        let cart = self.change_cart(Request::create_cart(&self.show_id.get_value(), sandbox.as_deref())).await?;
        self.change_cart(Request::add_line(&cart.id, variant_id, quantity, offer)).await.map(drop)
    }

    /// Sets a line's quantity; 0 removes it.
    pub async fn set_quantity(&self, variant_id: i64, quantity: u32) -> Result<(), ApiError> {
        let Some(id) = self.cart.get_untracked().map(|c| c.id) else { return Ok(()) };
        self.change_cart(Request::set_quantity(&id, variant_id, quantity)).await.map(drop)
    }

    /// The brand's store's address for this cart, on a show whose buyers pay
    /// there (the server builds it from the show's settings).
    pub async fn handover(&self) -> Result<HandOver, ApiError> {
        let Some(id) = self.cart.get_untracked().map(|c| c.id) else {
            return Err(ApiError::Server {
                status: 409,
                code: "cart_empty".into(),
                message: t().err_cart_empty().into(),
                fields: Vec::new(),
            });
        };
        api::parse(&self.send(Request::handover(&id), browser::random_key()).await?)
    }

    /// Places the order. Retrying the same request (a double tap, a timeout)
    /// reuses the idempotency key, so at most one order is ever placed.
    pub async fn checkout(&self, request: &CheckoutRequest) -> Result<Placed, ApiError> {
        let Some(cart) = self.cart.get_untracked() else {
            return Err(ApiError::Server {
                status: 409,
                code: "cart_empty".into(),
                message: t().err_cart_empty().into(),
                fields: Vec::new(),
            });
        };
        // What makes this attempt this attempt: the cart's contents and the details.
        // (Variant and quantity pairs, not the serialized lines: cheaper in the bundle.)
        let lines: String = cart.lines.iter().map(|l| format!("{}x{},", l.variant_id, l.quantity)).collect();
        let fingerprint = format!("{}|{lines}|{}", cart.id, browser::to_json(request).unwrap_or_default());
        let mut key = String::new();
        self.attempt.update_value(|a| key = a.key_for(&fingerprint, browser::random_key));
        let body = self.send(Request::checkout(&cart.id, request), key).await?;
        // The buyer's bank asks them first (3-D Secure): the attempt stays
        // open, so the request after it goes with the same key.
        if let Ok(action) = api::parse::<PaymentAction>(&body) {
            return Ok(Placed::Authenticate { client_secret: action.client_secret });
        }
        let order: Order = api::parse(&body)?;
        self.attempt.update_value(Attempt::finish);
        let lines: Vec<(i64, u32)> = order.lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
        self.track_lines("purchase", &lines, Some((order.number.clone(), order.total_minor)));
        browser::storage_remove(&self.cart_key());
        self.cart.set(None);
        Ok(Placed::Order(order))
    }
}
