//! The bottom layer above the store: the server's configuration and the
//! state its requests share (database pools, the event fan-out, rate
//! limiters, open connections, and the seams to payment and mail).
//!
//! Nothing here knows a route or a rule of the shop; the layers above take
//! from [`AppState`] what they need.

pub mod config;
pub mod fanout;
pub mod mailer;
pub mod net;
pub mod origin;
pub mod payments;
pub mod ratelimit;
pub mod rooms;
pub mod stripe;

use std::path::PathBuf;
use std::sync::Arc;

pub use config::Config;

use crate::{store, util};

/// Card taps one client address may report: a viewer taps a few cards a
/// minute; a carrier's NAT shares an address among many viewers.
pub const TAP_RATE: ratelimit::Rate = ratelimit::Rate { per_second: 2.0, burst: 30.0 };

#[derive(Clone)]
pub struct AppState {
    /// Readers: any number at once (WAL).
    pub db: store::Pool,
    /// The one connection every write goes through. SQLite allows one writer at
    /// a time anyway; queueing writers here, in order, instead of letting them
    /// collide in SQLite's sleep-and-retry busy handler keeps tail latency low.
    pub writer: store::Pool,
    pub hub: fanout::Hub,
    /// Who charges real orders; None: nobody, so only test orders (a studio
    /// preview's) can be placed. The test provider is chosen explicitly
    /// ([`AppState::with_payments`]: the demo and the tests do).
    pub payments: Option<Arc<dyn payments::PaymentProvider>>,
    /// Stripe, when it is the provider: its webhook secrets and publishable key.
    pub stripe: Option<Arc<stripe::Stripe>>,
    pub pin_limits: Arc<ratelimit::Limiter>,
    pub checkout_limits: Arc<ratelimit::Limiter>,
    pub cart_limits: Arc<ratelimit::Limiter>,
    /// Wrong creator or operator tokens, per client and per show (this
    /// process's count; see [`crate::http::auth::gate`]).
    pub sign_in_failures: Arc<ratelimit::Limiter>,
    /// Card taps reported per client address (they only feed a figure, which
    /// a flood should not be able to inflate much).
    pub tap_limits: Arc<ratelimit::Limiter>,
    pub stream_slots: net::StreamSlots,
    /// The live video this server originates (LL-HLS parts in memory).
    pub origin: origin::Origin,
    pub mailer: Arc<dyn mailer::Mailer>,
    pub config: Arc<Config>,
    /// This process's name, random at each start: the owner of the idempotency
    /// claims it takes, and (in a cluster) of its liveness reports.
    pub instance: Arc<str>,
}

impl AppState {
    pub fn new(db: store::Pool) -> Self {
        Self::with_config(db, Config::default())
    }

    pub fn with_config(db: store::Pool, config: Config) -> Self {
        // Limits hold across every server process sharing a Postgres database.
        let limiter = |rate, scope| match store::Backend::of_pool(&db) {
            store::Backend::Sqlite => Arc::new(ratelimit::Limiter::new(rate)),
            store::Backend::Postgres => Arc::new(ratelimit::Limiter::shared(rate, db.clone(), scope)),
        };
        Self {
            pin_limits: limiter(config.pin_rate, "pins"),
            checkout_limits: limiter(config.checkout_rate, "checkouts"),
            cart_limits: limiter(config.cart_rate, "carts"),
            sign_in_failures: Arc::new(ratelimit::Limiter::new(config.wrong_token_rate)),
            tap_limits: limiter(TAP_RATE, "taps"),
            writer: db.clone(),
            db,
            hub: fanout::Hub::default(),
            payments: None,
            stripe: None,
            stream_slots: net::StreamSlots::default(),
            origin: origin::Origin::default(),
            mailer: Arc::new(mailer::Memory::default()),
            config: Arc::new(config),
            instance: util::random_id().into(),
        }
    }
}

impl AppState {
    /// Sends writes through `writer` (see [`store::db::open_writer`]) instead of the shared pool.
    pub fn with_writer(mut self, writer: store::Pool) -> Self {
        self.writer = writer;
        self
    }

    /// Charges real orders through `provider`.
    pub fn with_payments(mut self, provider: Arc<dyn payments::PaymentProvider>) -> Self {
        self.payments = Some(provider);
        self
    }

    /// Stripe as the payment provider.
    pub fn with_stripe(mut self, provider: Arc<stripe::Stripe>) -> Self {
        self.payments = Some(provider.clone());
        self.stripe = Some(provider);
        self
    }

    /// What the shows of this server tell viewers about payments.
    pub fn payments_mode(&self) -> (vetrina_wire::Payments, Option<vetrina_wire::StripeClient>) {
        match (&self.stripe, &self.payments) {
            (Some(stripe), _) => (
                vetrina_wire::Payments::Stripe,
                Some(vetrina_wire::StripeClient {
                    publishable_key: stripe.config().publishable_key.clone(),
                    js_url: stripe.config().js_url.clone(),
                }),
            ),
            (None, Some(_)) => (vetrina_wire::Payments::Test, None),
            (None, None) => (vetrina_wire::Payments::Unavailable, None),
        }
    }

    /// Sends order confirmations through `mailer` (the default keeps them in memory: tests).
    pub fn with_mailer(mut self, mailer: Arc<dyn mailer::Mailer>) -> Self {
        self.mailer = mailer;
        self
    }
}

/// Where the static parts come from; both optional so API tests need neither.
#[derive(Clone, Default)]
pub struct Assets {
    /// The trunk-built overlay (`dist/`), served at `/`.
    pub dist: Option<PathBuf>,
    /// Generated media (product images, the demo video), served at `/media`.
    pub media: Option<PathBuf>,
}
