//! What an operator chooses, with defaults that suit a single shop.

use super::{mailer, net, ratelimit};

/// Wrong tokens one client (or one show, from anywhere) may present, by
/// default: bursts of 10, then one every 6 s (`Config::wrong_token_rate`).
/// The studio's sign-in tries one token at a time.
pub const SIGN_IN_FAILURES: ratelimit::Rate = ratelimit::Rate { per_second: 1.0 / 6.0, burst: 10.0 };

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
            wrong_token_rate: SIGN_IN_FAILURES,
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
            mail_from: mailer::DEFAULT_FROM.to_string(),
            operator_token: None,
            behind_tls: false,
        }
    }
}
