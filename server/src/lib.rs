//! Vetrina's reference backend.
//!
//! It serves the catalogue of a show, the show's events as Server-Sent Events,
//! carts, checkout and orders, all on one SQLite database; and, when given a
//! `dist` folder, the built overlay itself. Brands may replace it with any
//! backend that speaks the same API: the OpenAPI document at
//! `/api/openapi.json` describes it, and the shapes live in `vetrina-wire`.
//!
//! The API is declared once, in [`endpoints`]: each entry is both a route and
//! its documentation, so the router and the OpenAPI document cannot disagree.
//! [`app`] builds the whole HTTP surface from an [`AppState`], so tests drive it
//! with `oneshot` or over a real socket exactly as production does.

pub mod assets;
pub mod auth;
pub mod brand;
pub mod carts;
pub mod catalog;
pub mod creator;
pub mod demo;
pub mod embed;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod import;
pub mod live;
pub mod mail;
pub mod net;
pub mod offers;
pub mod openapi;
pub mod orders;
pub mod page;
pub mod payments;
pub mod ratelimit;
pub mod rooms;
pub mod run_sheet;
pub mod store;
pub mod stream;
pub mod util;

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::{HeaderName, HeaderValue, Method};
use axum::response::IntoResponse;
use axum::routing::MethodRouter;
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

pub use error::ApiError;

/// Card taps one client address may report: a viewer taps a few cards a
/// minute; a carrier's NAT shares an address among many viewers.
pub const TAP_RATE: ratelimit::Rate = ratelimit::Rate { per_second: 2.0, burst: 30.0 };

/// Settings an operator chooses; the defaults suit a single shop.
#[derive(Debug, Clone)]
pub struct Config {
    /// Origins (e.g. `https://brand.example`) allowed to call the API from a browser.
    pub cors_origins: Vec<String>,
    /// Pin and unpin requests per second per show, with a burst allowance.
    pub pin_rate: ratelimit::Rate,
    /// Checkout attempts per minute per client address, with a burst allowance.
    pub checkout_rate: ratelimit::Rate,
    /// New carts per client address (a viewer needs one per show).
    pub cart_rate: ratelimit::Rate,
    /// Wrong creator or operator tokens per client address and per show.
    pub wrong_token_rate: ratelimit::Rate,
    /// How often an idle event stream gets a comment line, so proxies keep it open.
    pub heartbeat: std::time::Duration,
    /// Proxies whose `X-Forwarded-For` is believed (see [`net`]); empty: none.
    pub trusted_proxies: Vec<net::Cidr>,
    /// Event streams one client address may hold open at once.
    pub max_streams_per_client: usize,
    /// How long a client may take to send its request headers.
    pub header_read_timeout: std::time::Duration,
    /// How long a client may take to send a request body (four times this for
    /// a catalogue import, whose body may be megabytes).
    pub body_read_timeout: std::time::Duration,
    /// Connections open at once, in all (event streams included): the process
    /// may hold 20,000 files, and the database and media need some.
    pub max_connections: usize,
    /// Connections one client address may hold open at once (a proxy named in
    /// `trusted_proxies` is not limited: its clients are many).
    pub max_connections_per_client: usize,
    /// The sender of order confirmations.
    pub mail_from: String,
    /// Whether browsers reach this server over HTTPS (a TLS proxy in front):
    /// then every answer carries `Strict-Transport-Security`.
    pub behind_tls: bool,
    /// Who may create shows (`POST /api/shows`): the bearer of this token. None: nobody
    /// (shows are then created on the command line).
    pub operator_token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            cors_origins: Vec::new(),
            pin_rate: ratelimit::Rate { per_second: 5.0, burst: 10.0 },
            checkout_rate: ratelimit::Rate { per_second: 20.0 / 60.0, burst: 20.0 },
            // Generous: a carrier's NAT puts many viewers behind one address.
            cart_rate: ratelimit::Rate { per_second: 1.0, burst: 60.0 },
            wrong_token_rate: auth::SIGN_IN_FAILURES,
            heartbeat: std::time::Duration::from_secs(15),
            trusted_proxies: Vec::new(),
            // Generous: phones behind a carrier's NAT share one address.
            max_streams_per_client: 64,
            header_read_timeout: std::time::Duration::from_secs(10),
            body_read_timeout: std::time::Duration::from_secs(15),
            max_connections: 19_000,
            // A carrier's NAT shares one address among many phones, each with
            // an event stream and a few requests in flight.
            max_connections_per_client: 512,
            mail_from: mail::DEFAULT_FROM.to_string(),
            operator_token: None,
            behind_tls: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    /// Readers: any number at once (WAL).
    pub db: store::Pool,
    /// The one connection every write goes through. SQLite allows one writer at
    /// a time anyway; queueing writers here, in order, instead of letting them
    /// collide in SQLite's sleep-and-retry busy handler keeps tail latency low.
    pub writer: store::Pool,
    pub hub: events::Hub,
    /// Who charges real orders; None: nobody, so only test orders (a studio
    /// preview's) can be placed. The test provider is chosen explicitly
    /// ([`AppState::with_payments`]: the demo and the tests do).
    pub payments: Option<Arc<dyn payments::PaymentProvider>>,
    pub pin_limits: Arc<ratelimit::Limiter>,
    pub checkout_limits: Arc<ratelimit::Limiter>,
    pub cart_limits: Arc<ratelimit::Limiter>,
    /// Wrong creator or operator tokens, per client and per show (this
    /// process's count; see [`auth::gate`]).
    pub sign_in_failures: Arc<ratelimit::Limiter>,
    /// Card taps reported per client address (they only feed a figure, which
    /// a flood should not be able to inflate much).
    pub tap_limits: Arc<ratelimit::Limiter>,
    pub stream_slots: net::StreamSlots,
    pub mailer: Arc<dyn mail::Mailer>,
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
            hub: events::Hub::default(),
            payments: None,
            stream_slots: net::StreamSlots::default(),
            mailer: Arc::new(mail::Memory::default()),
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

    /// What the shows of this server tell viewers about payments.
    pub fn payments_mode(&self) -> vetrina_wire::Payments {
        match &self.payments {
            Some(_) => vetrina_wire::Payments::Test,
            None => vetrina_wire::Payments::Unavailable,
        }
    }

    /// Sends order confirmations through `mailer` (the default keeps them in memory: tests).
    pub fn with_mailer(mut self, mailer: Arc<dyn mail::Mailer>) -> Self {
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

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// `Authorization: Bearer <creator token of this show>`.
    Creator,
    /// `Authorization: Bearer <the server's operator token>` (`--operator-token`).
    Operator,
}

/// One API endpoint: its route and its documentation, declared together.
pub struct Endpoint {
    pub method: Method,
    /// Under `/api`, in axum's `{param}` syntax (which is also OpenAPI's).
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    /// The largest request body it reads (413 beyond), once `access` is satisfied.
    pub body_limit: usize,
    /// The request body's schema name, if it has one.
    pub request: Option<openapi::SchemaRef>,
    /// Success status, its description and the response body's schema.
    pub success: (u16, &'static str, Option<openapi::SchemaRef>),
    /// Client errors this endpoint may answer, with when.
    pub errors: &'static [(u16, &'static str)],
    pub handler: MethodRouter<AppState>,
}

/// Every API endpoint. The router and the OpenAPI document are both built from this.
pub fn endpoints() -> Vec<Endpoint> {
    use openapi::schema as s;
    use vetrina_wire as w;
    vec![
        Endpoint {
            method: Method::POST,
            path: "/shows",
            summary: "Create a show (scheduled, no products yet); answers its creator token, shown this once",
            access: Access::Operator,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::NewShowRequest>),
            success: (201, "The show and its creator token", Some(s::<w::CreatedShow>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong operator token, or this server takes none"),
                (409, "A show with this id exists (show_exists)"),
                (422, "A field breaks its rules (invalid_fields, naming it)"),
            ],
            handler: axum::routing::post(catalog::create),
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}",
            summary: "Snapshot of a show: the show, its products, what is pinned now and the last event id",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The show's current state", Some(s::<w::ShowSnapshot>)),
            errors: &[(404, "No such show")],
            handler: axum::routing::get(catalog::snapshot),
        },
        Endpoint {
            method: Method::PATCH,
            path: "/shows/{show}",
            summary: "Show control and settings: go live or end the show (emits a show_status event); change its \
                      title, stream URL, locale, schedule, currency (while it has no orders), shipping policy or \
                      theme tokens (for viewers who open it from then on)",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::ShowUpdate>),
            success: (200, "The updated show", Some(s::<w::Show>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token"),
                (404, "No such show"),
                (409, "A new currency for a show that has orders (currency_locked)"),
                (422, "A setting breaks its rules (invalid_fields, naming the field)"),
            ],
            handler: axum::routing::patch(catalog::update_show),
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/creator",
            summary: "The creator's session: whether this creator token works for the show, and until when \
                      (how the studio signs in)",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The token works", Some(s::<w::CreatorSession>)),
            errors: &[(401, "Missing or wrong creator token (unauthorized), or an expired one (token_expired)")],
            handler: axum::routing::get(creator::session),
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/creator-token",
            summary: "Replace the show's creator token: the new one is in the answer, and the old one stops \
                      working at once",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The new token", Some(s::<w::CreatorToken>)),
            errors: &[(401, "Missing or wrong creator token (unauthorized), or an expired one (token_expired)")],
            handler: axum::routing::post(creator::rotate),
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/stats",
            summary: "The show's numbers now: event streams open (viewers, previews, studios), paid orders and \
                      revenue, and per product orders, units and revenue",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The show's numbers", Some(s::<w::ShowStats>)),
            errors: &[(401, "Missing or wrong creator token (unauthorized), or an expired one (token_expired)")],
            handler: axum::routing::get(creator::stats),
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/orders",
            summary: "The show's latest 50 orders, newest first: number, time, payment status, buyer, units, total, \
                      and when the confirmation was sent",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The latest orders", Some(s::<Vec<w::ShowOrder>>)),
            errors: &[(401, "Missing or wrong creator token (unauthorized), or an expired one (token_expired)")],
            handler: axum::routing::get(creator::orders),
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/embed",
            summary: "The card a brand's page draws before the viewer asks for the show (title, badge, poster), \
                      and whether the request's Origin may embed it; readable from any origin",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The show's embed card", Some(s::<w::EmbedCard>)),
            errors: &[(404, "No such show")],
            handler: axum::routing::get(embed::card),
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/embed-origins",
            summary: "The sites allowed to embed the show",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The list in force", Some(s::<w::EmbedOrigins>)),
            errors: &[(401, "Missing or wrong creator token (or no such show)")],
            handler: axum::routing::get(embed::get_origins),
        },
        Endpoint {
            method: Method::PUT,
            path: "/shows/{show}/embed-origins",
            summary: "Set the sites allowed to embed the show (the overlay page's CSP frame-ancestors)",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::EmbedOrigins>),
            success: (200, "The list now in force, normalized", Some(s::<w::EmbedOrigins>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token"),
                (404, "No such show"),
                (422, "Not an origin (scheme://host[:port]), or more than 50"),
            ],
            handler: axum::routing::put(embed::put_origins),
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/events",
            summary: "The show's events as Server-Sent Events: each `data:` is an EventEnvelope, each `id:` its id; \
                      resumes after `Last-Event-ID` (or `?since=`); comment heartbeats every 15 s",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "text/event-stream of EventEnvelope", Some(s::<w::EventEnvelope>)),
            errors: &[(404, "No such show")],
            handler: axum::routing::get(stream::stream),
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/timeline",
            summary: "The show's pin timeline: every pin and unpin with its stream time, oldest first",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "Pin and unpin events", Some(s::<Vec<w::EventEnvelope>>)),
            errors: &[(404, "No such show")],
            handler: axum::routing::get(stream::timeline),
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/pins",
            summary: "Pin a product (emits a pin event)",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::PinRequest>),
            success: (201, "The recorded event", Some(s::<w::EventEnvelope>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token"),
                (404, "No such product in this show"),
                (409, "Already pinned"),
                (429, "Too many pins for this show; see Retry-After"),
            ],
            handler: axum::routing::post(events::pin),
        },
        Endpoint {
            method: Method::DELETE,
            path: "/shows/{show}/pins/{product}",
            summary: "Unpin a product (emits an unpin event)",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The recorded event", Some(s::<w::EventEnvelope>)),
            errors: &[
                (401, "Missing or wrong creator token"),
                (404, "No such product in this show"),
                (409, "Not pinned"),
                (429, "Too many pins for this show; see Retry-After"),
            ],
            handler: axum::routing::delete(events::unpin),
        },
        Endpoint {
            method: Method::PATCH,
            path: "/shows/{show}/variants/{variant}",
            summary: "Change a variant's price or stock during the show (emits price and stock events)",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::VariantUpdate>),
            success: (200, "The updated variant", Some(s::<w::Variant>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token"),
                (404, "No such variant in this show"),
                (422, "Negative price or stock, or over the largest a variant may have"),
            ],
            handler: axum::routing::patch(catalog::update_variant),
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/taps",
            summary: "A viewer tapped a product's card (the overlay reports it; only the creator's figures use it)",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::Tap>),
            success: (204, "Counted", None),
            errors: &[
                (400, "Malformed body"),
                (404, "No such product in this show"),
                (429, "Too many taps from this client address; see Retry-After"),
            ],
            handler: axum::routing::post(creator::tap),
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/offers",
            summary: "Start a flash drop on a variant now: a lower price for 5 to 600 s on the stream's clock, \
                      capped in units and per buyer (emits an offer event). Viewers claim it by adding the variant \
                      with its offer_id while their video is in the window",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::NewOffer>),
            success: (200, "The drop, with its window", Some(s::<w::Offer>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token (or no such show)"),
                (404, "No such variant in this show"),
                (409, "A drop on this variant is still running (offer_running)"),
                (422, "A term breaks its rules (invalid_fields, naming it)"),
            ],
            handler: axum::routing::post(offers::create),
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/run-sheet",
            summary: "The run sheet: the show's products in order, each with the creator's private note",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "One entry per product, in the show's order", Some(s::<Vec<w::RunSheetEntry>>)),
            errors: &[(401, "Missing or wrong creator token (or no such show)")],
            handler: axum::routing::get(run_sheet::get),
        },
        Endpoint {
            method: Method::PUT,
            path: "/shows/{show}/products/{product}/note",
            summary: "A product's run-sheet note (at most 500 characters; empty clears it). Viewers never see notes",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::ProductNote>),
            success: (200, "The product's run-sheet entry", Some(s::<w::RunSheetEntry>)),
            errors: &[
                (400, "Malformed body or product id"),
                (401, "Missing or wrong creator token (or no such show)"),
                (404, "No such product in this show"),
                (422, "The note is too long (invalid_fields)"),
            ],
            handler: axum::routing::put(run_sheet::set_note),
        },
        Endpoint {
            method: Method::PUT,
            path: "/shows/{show}/product-order",
            summary: "The order of the show's products (run sheet and viewers' shelves, from their next load): \
                      every product id once",
            access: Access::Creator,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::ProductOrder>),
            success: (200, "The new order", Some(s::<w::ProductOrder>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token (or no such show)"),
                (422, "Not every product exactly once (not_a_reordering)"),
            ],
            handler: axum::routing::put(run_sheet::set_order),
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/import",
            summary: "Catalogue import: a Shopify products.json or a Merchant Center TSV, in the show's currency. \
                      A dry run reports every product and every bad row (line and reason) and writes nothing; \
                      an import adds the products after the show's own, all or (with bad rows) none unless \
                      skip_bad. Send an Idempotency-Key: an import repeated without one adds the products again",
            access: Access::Creator,
            body_limit: idempotency::MAX_IMPORT_BODY,
            request: Some(s::<w::CatalogueImport>),
            success: (200, "What the file holds, and whether it was imported", Some(s::<w::ImportReport>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token (or no such show)"),
                (
                    422,
                    "The file cannot be read at all (invalid_file), has bad rows and skip_bad is not set (bad_rows), \
                     holds no product (nothing_to_import), would take the show past 2,000 products \
                     (too_many_products), or default_stock is out of range (invalid_fields)",
                ),
            ],
            handler: axum::routing::post(import::upload)
                .layer(axum::extract::DefaultBodyLimit::max(idempotency::MAX_IMPORT_BODY)),
        },
        Endpoint {
            method: Method::POST,
            path: "/carts",
            summary: "Create a cart for a show; its unguessable id is its only credential. A sandbox cart \
                      (`sandbox: true`, the studio's preview) also needs the show's creator token as \
                      `Authorization: Bearer`; its checkout places a test order",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::CreateCart>),
            success: (201, "The new, empty cart", Some(s::<w::Cart>)),
            errors: &[
                (400, "Malformed body"),
                (401, "A sandbox cart without the show's creator token"),
                (404, "No such show"),
                (429, "Too many new carts from this client address; see Retry-After"),
            ],
            handler: axum::routing::post(carts::create),
        },
        Endpoint {
            method: Method::GET,
            path: "/carts/{cart}",
            summary: "A cart with server-computed totals",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The cart", Some(s::<w::Cart>)),
            errors: &[(404, "No such cart, or it has been ordered")],
            handler: axum::routing::get(carts::get),
        },
        Endpoint {
            method: Method::POST,
            path: "/carts/{cart}/lines",
            summary: "Add units of a variant to the cart; with an offer_id, at a flash drop's price (claimed \
                      while the viewer's video is in its window, held for 10 minutes)",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::AddLine>),
            success: (200, "The updated cart", Some(s::<w::Cart>)),
            errors: &[
                (400, "Malformed body"),
                (404, "No such cart or variant, or no such flash drop on it"),
                (
                    409,
                    "Sold out, not enough stock, or the cart is already ordered; a flash drop not started, ended \
                     (offer_ended) or sold out (offer_sold_out): nothing was added",
                ),
                (422, "Quantity zero or over a limit (a flash drop's per-buyer limit: offer_limit)"),
            ],
            handler: axum::routing::post(carts::add_line),
        },
        Endpoint {
            method: Method::PUT,
            path: "/carts/{cart}/lines/{variant}",
            summary: "Set a line's quantity; 0 removes it",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::SetQuantity>),
            success: (200, "The updated cart", Some(s::<w::Cart>)),
            errors: &[
                (400, "Malformed body"),
                (404, "No such cart, variant or line"),
                (409, "Not enough stock, or the cart is already ordered"),
                (422, "Quantity over a limit"),
            ],
            handler: axum::routing::put(carts::set_quantity),
        },
        Endpoint {
            method: Method::DELETE,
            path: "/carts/{cart}/lines/{variant}",
            summary: "Remove a line",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The updated cart", Some(s::<w::Cart>)),
            errors: &[(404, "No such cart or line"), (409, "The cart is already ordered")],
            handler: axum::routing::delete(carts::remove_line),
        },
        Endpoint {
            method: Method::POST,
            path: "/carts/{cart}/checkout",
            summary: "Place the order: stock is taken atomically and the payment token charged. \
                      Requires Idempotency-Key.",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: Some(s::<w::CheckoutRequest>),
            success: (201, "The placed, paid order", Some(s::<w::Order>)),
            errors: &[
                (400, "Malformed body or missing Idempotency-Key"),
                (402, "The payment was declined; nothing was bought"),
                (404, "No such cart"),
                (
                    409,
                    "Sold out or short (the message names the product and what is left), a flash drop sold out \
                     before this order (offer_sold_out), cart empty or already ordered, the same Idempotency-Key \
                     still being processed, or no payment provider configured (checkout_unavailable)",
                ),
                (
                    422,
                    "Invalid fields, a per-buyer limit (a flash drop's: offer_limit), or an Idempotency-Key reused \
                     with another body",
                ),
                (429, "Too many checkouts from this client; see Retry-After"),
            ],
            handler: axum::routing::post(carts::checkout),
        },
        Endpoint {
            method: Method::GET,
            path: "/orders/{order}",
            summary: "Look up an order by its unguessable id",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "The order", Some(s::<w::Order>)),
            errors: &[(404, "No such order")],
            handler: axum::routing::get(orders::get),
        },
        Endpoint {
            method: Method::GET,
            path: "/openapi.json",
            summary: "This document",
            access: Access::Public,
            body_limit: idempotency::MAX_BODY,
            request: None,
            success: (200, "OpenAPI 3.1", None),
            errors: &[],
            handler: axum::routing::get(openapi::serve),
        },
    ]
}

/// The API alone: every route under `/api`.
pub fn api(state: &AppState) -> Router<AppState> {
    let mut router = Router::new();
    for e in endpoints() {
        // Outermost first: who may call it (before a byte of the body is
        // read), then the body itself (bounded in size and time) and its
        // Idempotency-Key. Route layers, so an unknown route or method is
        // answered without reading anything.
        let handler = e
            .handler
            .route_layer(axum::middleware::from_fn_with_state((state.clone(), e.body_limit), idempotency::layer))
            .route_layer(axum::middleware::from_fn_with_state((state.clone(), e.access), auth::gate));
        // Entries sharing a path (GET and PATCH of a show) merge into one route.
        router = router.route(e.path, handler);
    }
    router
        .fallback(|| async { ApiError::NotFound("No such API route.".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::map_response(no_store))
}

/// API answers carry carts, orders, buyers' details and tokens: no cache
/// (a browser's, a proxy's or a CDN's) may keep one, unless its handler says
/// otherwise.
async fn no_store(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().entry(axum::http::header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The whole server: API, media and the overlay.
pub fn app(state: AppState, assets: Assets) -> Router {
    let behind_tls = state.config.behind_tls;
    let mut api = api(&state);
    if !state.config.cors_origins.is_empty() {
        api = api.layer(cors(&state.config.cors_origins));
    }
    // JSON and generated media compress well; event streams are left alone
    // (tower-http's default predicate skips text/event-stream and images).
    let compress = tower_http::compression::CompressionLayer::new().br(true).gzip(true);
    let mut router = Router::new().nest("/api", api.layer(compress.clone())).with_state(state.clone());
    if let Some(media) = assets.media {
        // Live playlists are rewritten on the way out (pins as DATERANGE tags);
        // their segments are plain files under /media.
        let live = Router::new()
            .route("/live/{file}", axum::routing::get(live::playlist))
            .route("/live/{show}/{file}", axum::routing::get(live::rendition))
            .with_state((state.clone(), media.clone()));
        let media = Router::new()
            .nest_service(
                "/media",
                // A missing file is a JSON 404 like every other error of ours.
                ServeDir::new(media).not_found_service(tower::service_fn(|_| async {
                    Ok::<_, std::convert::Infallible>(ApiError::NotFound("No such file.".into()).into_response())
                })),
            )
            .layer(axum::middleware::from_fn(assets::media_cache))
            .layer(compress);
        router = router.merge(live).merge(media);
    }
    if let Some(dir) = assets.dist {
        match assets::Dist::load(&dir) {
            Ok(dist) => {
                let pages = Router::new().fallback(page::serve).with_state((state, Arc::new(dist)));
                router = router.merge(pages);
            }
            Err(e) => tracing::error!(error = %e, dist = %dir.display(), "could not read the overlay's files"),
        }
    } else {
        router = router.fallback(|| async { ApiError::NotFound("No such page.".into()) });
    }
    router.layer(axum::middleware::map_response(move |response| security_headers(response, behind_tls)))
}

/// Headers every answer carries: no MIME sniffing, and no full URLs (which
/// hold cart and order ids) leaking to other sites in `Referer`; behind TLS,
/// HSTS, so a browser never again asks over plain HTTP. The one list: the
/// middleware below and the event stream's hand-written head (`stream.rs`).
pub fn security_headers_for(behind_tls: bool) -> Vec<(&'static str, &'static str)> {
    let mut headers =
        vec![("x-content-type-options", "nosniff"), ("referrer-policy", "strict-origin-when-cross-origin")];
    if behind_tls {
        headers.push(("strict-transport-security", "max-age=31536000; includeSubDomains"));
    }
    headers
}

async fn security_headers(mut response: axum::response::Response, behind_tls: bool) -> axum::response::Response {
    let headers = response.headers_mut();
    for (name, value) in security_headers_for(behind_tls) {
        // A page may set its own Referrer-Policy; the rest are the same everywhere.
        if name != "referrer-policy" || !headers.contains_key(name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([
            axum::http::header::CONTENT_TYPE,
            axum::http::header::AUTHORIZATION,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([axum::http::header::RETRY_AFTER, HeaderName::from_static("idempotent-replayed")])
}
