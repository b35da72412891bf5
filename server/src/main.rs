//! `vetrina-server`: runs the reference backend (and with `--demo` the demo
//! show), imports catalogues, creates shows, prints the OpenAPI document.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};
use vetrina_server::http::idempotency;
use vetrina_server::shop::orders;
use vetrina_server::show::{catalogue, import};
use vetrina_server::state::net::Cidr;
use vetrina_server::state::ratelimit;
use vetrina_server::store::{self, db};
use vetrina_server::{app, demo, live, AppState, Assets, Config};
use vetrina_wire::CatalogueFormat;

/// Vetrina's reference backend: the API, the overlay and the studio; the demo
/// show with --demo. Serving is the default command.
#[derive(Parser)]
#[command(name = "vetrina-server", version, args_conflicts_with_subcommands = true)]
#[command(after_help = "Secrets (the database, NATS and SMTP URLs, the operator token) may also come from a file \
    that VETRINA_DATABASE_URL_FILE, VETRINA_NATS_URL_FILE, VETRINA_SMTP_URL_FILE or VETRINA_OPERATOR_TOKEN_FILE \
    names (a container's or systemd's secret, kept out of the environment and the command line).")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `serve`'s flags, when no command is given.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve(Box<ServeArgs>),
    /// Create a show and print its creator token (valid 30 days).
    CreateShow(CreateShowArgs),
    /// Import a catalogue into a show. Every bad row is reported with its line
    /// and reason; with any, nothing is imported unless --skip-bad is given.
    Import(ImportArgs),
    /// Print the OpenAPI document.
    Openapi,
}

/// Where the data lives: every command that touches it takes these.
#[derive(Args, Clone)]
struct Storage {
    /// The SQLite database and generated media live here.
    #[arg(long, default_value = ".vetrina")]
    data_dir: PathBuf,
    /// postgres://USER@HOST:PORT/DB: keep everything in this Postgres database
    /// instead, shared by any number of servers.
    #[arg(long, env = "VETRINA_DATABASE_URL", hide_env_values = true)]
    database: Option<String>,
}

impl Storage {
    /// The database URL, from the flag, the environment or its `_FILE`.
    fn database(&self) -> Option<String> {
        secret(self.database.clone(), "VETRINA_DATABASE_URL")
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    storage: Storage,
    /// nats://HOST:PORT: with --database, publish this server's events there and
    /// deliver the other servers' events to this one's viewers.
    #[arg(long, env = "VETRINA_NATS_URL", hide_env_values = true)]
    nats: Option<String>,
    /// The trunk-built overlay to serve at / (default: dist, if present).
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Seed the demo show, generate its video, run the scripted host.
    #[arg(long)]
    demo: bool,
    /// With --demo: stream the show live over HLS made by ffmpeg (pins are
    /// written into the playlist as EXT-X-DATERANGE tags; once the show ends
    /// the recording is its replay) instead of a looping video file.
    #[arg(long)]
    live: bool,
    /// With --demo: also serve a sample brand site here (say 127.0.0.1:8081), as
    /// http://localhost:PORT, a second origin that embeds the demo show.
    #[arg(long)]
    brand_addr: Option<SocketAddr>,
    /// Use this creator token for the demo show instead of a random one.
    #[arg(long)]
    demo_token: Option<String>,
    /// Seconds between the scripted host's pins (0 turns the host off).
    #[arg(long, default_value_t = 7)]
    host_every: u64,
    /// Let pages on this origin call the API (repeatable; none by default).
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    /// Pin rate limit per show, bursts of twice that (default 5; 0 = unlimited).
    #[arg(long)]
    pins_per_second: Option<f64>,
    /// Checkout rate limit per client address (default 20; 0 = unlimited).
    #[arg(long)]
    checkouts_per_minute: Option<f64>,
    /// New carts per client address (default 60 at once, then one a second; 0 = unlimited).
    #[arg(long)]
    carts_per_minute: Option<f64>,
    /// Wrong creator or operator tokens per client address and per show before
    /// 429 (default bursts of 10, then one every 6 s; 0 = unlimited, for a fuzzer).
    #[arg(long)]
    wrong_tokens_per_minute: Option<f64>,
    /// Believe X-Forwarded-For from this proxy address or block, e.g.
    /// 10.0.0.0/8 (repeatable; none by default, so the header is ignored).
    #[arg(long = "trusted-proxy")]
    trusted_proxies: Vec<Cidr>,
    /// Open event streams per client address (default 64; more answer 429).
    #[arg(long)]
    max_streams_per_client: Option<usize>,
    /// Open connections in all, event streams included (default 19000: the
    /// process may hold 20000 files); more are closed as they arrive.
    #[arg(long)]
    max_connections: Option<usize>,
    /// Open connections per client address, an IPv6 client by its /64
    /// (default 512; a --trusted-proxy is not limited).
    #[arg(long)]
    max_connections_per_client: Option<usize>,
    /// Send order confirmations through this SMTP server, e.g.
    /// smtps://user:pass@smtp.example.com:465; without it each confirmation is
    /// written to DATA_DIR/outbox/<order number>.eml.
    #[arg(long, env = "VETRINA_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The confirmations' sender (default "Vetrina <orders@vetrina.invalid>").
    #[arg(long, env = "VETRINA_MAIL_FROM")]
    mail_from: Option<String>,
    /// Who may create shows over the API (POST /api/shows) and in the studio:
    /// the bearer of this token, 16 characters or more; without it shows are
    /// created with create-show (with --demo a random one is printed).
    #[arg(long, env = "VETRINA_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: Option<String>,
    /// Who charges orders: `stripe` (real money, or Stripe's test mode with
    /// test keys: the --stripe-* settings below), or `test`, the built-in test
    /// provider (test cards, nothing charged). Without it (or with `none`) no
    /// order can be placed but a studio preview's test orders. --demo implies
    /// test unless told otherwise; a Stripe secret key implies stripe.
    #[arg(long, env = "VETRINA_PAYMENTS", value_parser = ["stripe", "test", "none"])]
    payments: Option<String>,
    /// Stripe's secret key (sk_live_… or sk_test_…; or a restricted rk_ key
    /// allowed PaymentIntents and refunds). Also from VETRINA_STRIPE_SECRET_KEY_FILE.
    #[arg(long, env = "VETRINA_STRIPE_SECRET_KEY", hide_env_values = true)]
    stripe_secret_key: Option<String>,
    /// Stripe's publishable key (pk_…), which the checkout gives Stripe.js.
    #[arg(long, env = "VETRINA_STRIPE_PUBLISHABLE_KEY")]
    stripe_publishable_key: Option<String>,
    /// The signing secret of the webhook endpoint (whsec_…) that Stripe
    /// delivers to at /api/payments/stripe/webhook; two, comma-separated,
    /// while one is rolled. Also from VETRINA_STRIPE_WEBHOOK_SECRET_FILE.
    #[arg(long, env = "VETRINA_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
    stripe_webhook_secret: Option<String>,
    /// Stripe's API (the offline tests point it at a stand-in).
    #[arg(long, env = "VETRINA_STRIPE_API", default_value = vetrina_server::state::stripe::API_BASE)]
    stripe_api: String,
    /// The Stripe.js the checkout loads (the offline tests serve a stand-in).
    #[arg(long, env = "VETRINA_STRIPE_JS", default_value = vetrina_server::state::stripe::JS_URL)]
    stripe_js: String,
    /// Browsers reach this server over HTTPS (a TLS proxy in front): every
    /// answer says Strict-Transport-Security.
    #[arg(long, env = "VETRINA_BEHIND_TLS", value_parser = clap::builder::BoolishValueParser::new())]
    behind_tls: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "vetrina_server=info".into()),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::CreateShow(args)) => create_show(args).await,
        Some(Command::Import(args)) => run_import(args).await,
        Some(Command::Openapi) => {
            println!("{}", serde_json::to_string_pretty(&vetrina_server::openapi()).unwrap_or_default());
            Ok(())
        }
        Some(Command::Serve(args)) => serve(*args).await,
        None => serve(cli.serve).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => Cli::command().error(clap::error::ErrorKind::ValueValidation, message).exit(),
        Err(Failure::Run(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Run(String),
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Run(e.to_string())
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage(message.into())
}

/// The database and the pool writes go through: Postgres when `--database`
/// (or `VETRINA_DATABASE_URL`) names one, shared by any number of servers; else
/// `vetrina.sqlite` in the data folder, with its one writer connection.
async fn open_db(data_dir: &Path, url: Option<&str>) -> Result<(store::Pool, store::Pool), Failure> {
    if let Some(url) = url {
        if !db::is_postgres(url) {
            return Err(usage("--database: give a postgres:// URL (SQLite is the default, in --data-dir)"));
        }
        let pool = db::open_postgres(url).await.map_err(|e| format!("opening {}: {e}", redact(url)))?;
        return Ok((pool.clone(), pool));
    }
    std::fs::create_dir_all(data_dir)?;
    let file = data_dir.join("vetrina.sqlite");
    let pool = db::open(&file).await?;
    let writer = db::open_writer(&file).await?;
    Ok((pool, writer))
}

/// A database URL fit for a log line: without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &url[scheme + 3..at];
            let user = user.split(':').next().unwrap_or_default();
            format!("{}{user}:…{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// `n` a minute, all of them at once if they come so; 0 (or less): no limit.
fn per_minute(n: f64) -> ratelimit::Rate {
    if n > 0.0 {
        ratelimit::Rate { per_second: n / 60.0, burst: n }
    } else {
        ratelimit::Rate::UNLIMITED
    }
}

/// A secret setting from the file `NAME_FILE` names (a container's or
/// systemd's secret, kept out of the process's environment and command line),
/// for when neither the flag nor `NAME` gives it.
fn secret_file(name: &str) -> Option<String> {
    let file = std::env::var(format!("{name}_FILE")).ok().filter(|f| !f.trim().is_empty())?;
    match std::fs::read_to_string(&file) {
        Ok(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        Err(e) => {
            tracing::error!(error = %e, file, "could not read {name}_FILE");
            None
        }
    }
}

/// A secret from its flag (or `NAME`, which clap reads), else from `NAME_FILE`.
fn secret(given: Option<String>, name: &str) -> Option<String> {
    given.filter(|v| !v.trim().is_empty()).or_else(|| secret_file(name))
}

async fn serve(args: ServeArgs) -> Result<(), Failure> {
    let ServeArgs { addr, demo: is_demo, live: live_hls, brand_addr, host_every, .. } = args;
    let demo_token = args.demo_token;
    let data_dir = args.storage.data_dir.clone();
    let database = args.storage.database();
    let nats = secret(args.nats, "VETRINA_NATS_URL");
    let smtp_url = secret(args.smtp_url, "VETRINA_SMTP_URL");
    let mut dist = args.dist;
    let stripe_secret = secret(args.stripe_secret_key, "VETRINA_STRIPE_SECRET_KEY");
    let payments = args.payments.or_else(|| stripe_secret.is_some().then(|| "stripe".to_string()));
    let stripe = stripe_secret.map(|secret_key| vetrina_server::state::stripe::StripeConfig {
        secret_key,
        publishable_key: args.stripe_publishable_key.unwrap_or_default(),
        webhook_secrets: secret(args.stripe_webhook_secret, "VETRINA_STRIPE_WEBHOOK_SECRET")
            .map(|s| s.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default(),
        api_base: args.stripe_api.trim_end_matches('/').to_string(),
        js_url: args.stripe_js,
        timeout: Duration::from_secs(15),
    });
    let defaults = Config::default();
    let mut config = Config {
        cors_origins: args.cors_origins,
        trusted_proxies: args.trusted_proxies,
        max_streams_per_client: args.max_streams_per_client.unwrap_or(defaults.max_streams_per_client),
        max_connections: args.max_connections.unwrap_or(defaults.max_connections),
        max_connections_per_client: args.max_connections_per_client.unwrap_or(defaults.max_connections_per_client),
        mail_from: args.mail_from.unwrap_or_else(|| defaults.mail_from.clone()),
        operator_token: secret(args.operator_token, "VETRINA_OPERATOR_TOKEN"),
        behind_tls: args.behind_tls,
        cart_rate: args.carts_per_minute.map_or(defaults.cart_rate, per_minute),
        wrong_token_rate: args.wrong_tokens_per_minute.map_or(defaults.wrong_token_rate, per_minute),
        checkout_rate: args.checkouts_per_minute.map_or(defaults.checkout_rate, per_minute),
        pin_rate: args.pins_per_second.map_or(defaults.pin_rate, |n| {
            // n a second, bursts of twice that.
            let mut rate = per_minute(60.0 * n);
            if n > 0.0 {
                rate.burst = 2.0 * n;
            }
            rate
        }),
        ..defaults
    };
    if config.operator_token.as_ref().is_some_and(|t| t.trim().len() < 16) {
        return Err(usage("--operator-token: use at least 16 characters (it creates shows)"));
    }
    // The demo lets its visitor create shows in the studio too.
    if is_demo && config.operator_token.is_none() {
        config.operator_token = Some(vetrina_server::util::random_id());
    }
    if dist.is_none() && Path::new("dist/index.html").exists() {
        dist = Some("dist".into());
    }
    let media = data_dir.join("media");
    std::fs::create_dir_all(&media)?;
    let (pool, writer) = open_db(&data_dir, database.as_deref()).await?;
    config.mail_from.parse::<lettre::message::Mailbox>().map_err(|e| usage(format!("--mail-from: {e}")))?;
    let outbox = data_dir.join("outbox");
    let mailer: std::sync::Arc<dyn vetrina_server::state::mailer::Mailer> = match &smtp_url {
        Some(url) => std::sync::Arc::new(
            vetrina_server::state::mailer::Smtp::from_url(url)
                .map_err(|e| usage(format!("--smtp-url {}: {}", redact(url), e.replace(url, &redact(url)))))?,
        ),
        None => std::sync::Arc::new(vetrina_server::state::mailer::Outbox(outbox.clone())),
    };
    let serve_config = config.clone();
    let mut state = AppState::with_config(pool.clone(), config).with_writer(writer.clone()).with_mailer(mailer);
    // The demo is a test shop; anything else says which provider, or takes no orders.
    match payments.as_deref().or(is_demo.then_some("test")) {
        Some("test") => {
            state = state.with_payments(std::sync::Arc::new(vetrina_server::state::payments::TestProvider));
            tracing::info!("payments: the built-in test provider (test cards; nothing is charged)");
        }
        Some("stripe") => {
            let config = stripe.ok_or_else(|| usage("--payments stripe needs --stripe-secret-key"))?;
            if config.webhook_secrets.is_empty() {
                return Err(usage(
                    "--payments stripe needs --stripe-webhook-secret (whsec_…): without Stripe's webhooks a buyer \
                     who pays and closes the tab would lose the order",
                ));
            }
            let api = config.api_base.clone();
            let provider =
                vetrina_server::state::stripe::Stripe::new(config).map_err(|e| usage(format!("Stripe: {e}")))?;
            state = state.with_stripe(std::sync::Arc::new(provider));
            tracing::info!(%api, "payments: Stripe (webhooks at /api/payments/stripe/webhook)");
        }
        Some(other) if other != "none" => {
            return Err(usage(format!("--payments: `stripe`, `test` or `none`, not `{other}`")))
        }
        _ => tracing::warn!("no payment provider (--payments): checkout refuses every order but test ones"),
    }
    if let Some(url) = &nats {
        if database.is_none() {
            return Err(usage(
                "--nats: several servers share one Postgres database (--database); SQLite is one server's",
            ));
        }
        vetrina_server::state::fanout::join_cluster(&mut state, url)
            .await
            .map_err(|e| format!("connecting to NATS at {}: {e}", redact(url)))?;
    } else if database.is_some() {
        vetrina_server::state::fanout::start_reports(&state);
    }

    // Kept for the server's lifetime: dropping it stops ffmpeg.
    let mut _live_stream = None;
    let token = if is_demo {
        let stream_url = if live_hls {
            _live_stream = Some(live::hls::spawn_demo_stream(&media, demo::DEMO_SHOW, &state.origin).map_err(|e| {
                Failure::Run(format!("could not start ffmpeg for the live stream (apt-get install ffmpeg): {e}"))
            })?);
            format!("/live/{}.m3u8", demo::DEMO_SHOW)
        } else {
            "/media/demo.mp4".to_string()
        };
        let token = demo::seed_with_stream(&pool, &media, demo_token.as_deref(), &stream_url)
            .await
            .map_err(|e| Failure::Run(e.to_string()))?;
        demo::ensure_video(&media).await.map_err(|e| Failure::Run(e.to_string()))?;
        if host_every > 0 {
            tokio::spawn(demo::run_host(state.clone(), Duration::from_secs(host_every)));
        }
        Some(token)
    } else {
        None
    };
    tokio::spawn(maintenance(state.clone()));
    vetrina_server::state::fanout::sweep_every(state.hub.clone(), Duration::from_secs(60));
    tokio::spawn(resend_confirmations(state.clone()));

    // Built before listening: it reads and compresses the overlay's files, and
    // nothing should connect to a server that cannot answer yet.
    let has_dist = dist.is_some();
    let app = app(state, Assets { dist, media: Some(media) });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("Vetrina is running at {base}   (API description: {base}/api/openapi.json)");
    if let Some(token) = token {
        let show = demo::DEMO_SHOW;
        println!();
        println!("  Viewer overlay:      {base}/?show={show}");
        println!("  Show snapshot (API): {base}/api/shows/{show}");
        println!("  Creator token:       {token}");
        println!("  Creator studio:      {base}/studio   (sign in with show \"{show}\" and the token above)");
        if let Some(operator) = &serve_config.operator_token {
            println!("  Operator token:      {operator}   (creates new shows, in the studio or POST /api/shows)");
        }
        println!();
        println!("  Pin a product yourself:");
        println!("    curl -X POST {base}/api/shows/{show}/pins -H 'Authorization: Bearer {token}' \\");
        println!("         -H 'Content-Type: application/json' -d '{{\"product_id\": 1}}'");
        println!();
    }
    if let (Some(addr), true) = (brand_addr, is_demo) {
        // "localhost", not the address: a second origin beside the demo's 127.0.0.1.
        let brand = tokio::net::TcpListener::bind(addr).await?;
        let origin = format!("http://localhost:{}", brand.local_addr()?.port());
        vetrina_server::edge::embed::set_origins_on(&writer, demo::DEMO_SHOW, std::slice::from_ref(&origin)).await?;
        println!("  Sample brand site:   {origin}/   (the show embedded with one snippet; {origin}/host-cart.html with the site's own cart)");
        println!();
        let site = vetrina_server::edge::brand::router(&base);
        let brand_config = serve_config.clone();
        tokio::spawn(async move {
            let _ = vetrina_server::state::net::serve(brand, site, &brand_config, std::future::pending()).await;
        });
    }
    match &smtp_url {
        Some(_) => println!("  Order confirmations are sent by SMTP from {}.", serve_config.mail_from),
        None => println!("  Order confirmations are written to {}/ as .eml files (no --smtp-url).", outbox.display()),
    }
    if !has_dist {
        println!("  (no dist/ folder: serving the API only; build the overlay with trunk)");
    }
    vetrina_server::state::net::serve(listener, app, &serve_config, shutdown_signal()).await?;
    Ok(())
}

/// Confirmations a mail server refused (or a crash left unsent) go again every minute.
async fn resend_confirmations(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        every.tick().await;
        vetrina_server::shop::mail::send_unsent(&state, Duration::from_secs(60)).await;
    }
}

/// Ctrl-C or SIGTERM: either way the server returns from `serve`, so what it
/// owns (the live stream's ffmpeg) is dropped and stopped with it.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}

/// Housekeeping every ten minutes: expired idempotency records, and stock held
/// by orders whose payment never finished.
async fn maintenance(state: AppState) {
    let pool = state.writer.clone();
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = idempotency::purge(&pool, vetrina_server::util::now_ms()).await {
            tracing::warn!(error = %e, "purging idempotency records failed");
        }
        match vetrina_server::shop::carts::purge_abandoned(&pool, vetrina_server::util::now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "purged carts untouched for 30 days"),
            Err(e) => tracing::warn!(error = %e, "purging old carts failed"),
        }
        match orders::release_abandoned(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "settled unpaid orders (paid, or cancelled and their stock released)"),
            Err(e) => tracing::warn!(error = %e, "releasing unpaid orders failed"),
        }
    }
}

#[derive(Args)]
struct CreateShowArgs {
    /// The show's id: 1 to 64 letters, digits, '-' or '_'.
    #[arg(long)]
    id: String,
    #[arg(long)]
    title: String,
    /// ISO 4217 currency of its prices.
    #[arg(long, default_value = "EUR")]
    currency: String,
    /// The show's language.
    #[arg(long, default_value = "en")]
    locale: String,
    /// The HLS or video URL viewers watch.
    #[arg(long, default_value = "")]
    stream_url: String,
    #[command(flatten)]
    storage: Storage,
}

async fn create_show(args: CreateShowArgs) -> Result<(), Failure> {
    let CreateShowArgs { id, title, currency, locale, stream_url, storage } = args;
    let (data_dir, database) = (storage.data_dir.clone(), storage.database());
    let (pool, _) = open_db(&data_dir, database.as_deref()).await?;
    let new = catalogue::ShowToCreate {
        id: &id,
        title: &title,
        currency: &currency,
        locale: &locale,
        stream_url: &stream_url,
        token_days: 30,
    };
    let token = catalogue::create_show(&pool, new).await?;
    println!("Created show '{id}'. Creator token (valid 30 days): {token}");
    Ok(())
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("file").required(true).args(["shopify", "gmc"])))]
struct ImportArgs {
    /// The show to import into.
    #[arg(long)]
    show: String,
    /// A Shopify products.json.
    #[arg(long)]
    shopify: Option<String>,
    /// The Shopify store it came from (brand.myshopify.com), so the show can
    /// hand its carts over to that store's checkout.
    #[arg(long)]
    store: Option<String>,
    /// A Google Merchant Center feed (TSV).
    #[arg(long)]
    gmc: Option<String>,
    /// Stock for items whose file says only "in stock".
    #[arg(long, default_value_t = import::DEFAULT_STOCK)]
    default_stock: i64,
    /// Import the good products even when some rows are bad.
    #[arg(long)]
    skip_bad: bool,
    #[command(flatten)]
    storage: Storage,
}

async fn run_import(args: ImportArgs) -> Result<(), Failure> {
    let ImportArgs { show, shopify, store, gmc, default_stock, skip_bad, storage } = args;
    let store = match store.as_deref().map(vetrina_wire::store_host) {
        Some(Err(e)) => return Err(usage(e)),
        Some(Ok(_)) if shopify.is_none() => return Err(usage("--store goes with --shopify")),
        Some(Ok(host)) => Some(host),
        None => None,
    };
    let (data_dir, database) = (storage.data_dir.clone(), storage.database());
    let (format, file) = match (shopify, gmc) {
        (Some(file), _) => (CatalogueFormat::Shopify, file),
        (None, Some(file)) => (CatalogueFormat::Gmc, file),
        (None, None) => return Err(usage("import needs one of --shopify or --gmc")),
    };
    let text = std::fs::read_to_string(&file).map_err(|e| format!("reading {file}: {e}"))?;
    let (pool, _) = open_db(&data_dir, database.as_deref()).await?;
    let mut conn = pool.acquire().await?;
    let currency = vetrina_server::live::shows::load_show(&mut conn, &show).await.map_err(|e| e.to_string())?.currency;
    drop(conn);
    let parsed = import::parse(format, &text, &currency, default_stock).map_err(|e| format!("{file}: {e}"))?;
    for e in &parsed.errors {
        eprintln!("{file}: {e}");
    }
    if !parsed.errors.is_empty() && !skip_bad {
        return Err(Failure::Run(format!(
            "{} bad row(s); nothing imported. Fix them, or pass --skip-bad to import the {} good product(s).",
            parsed.errors.len(),
            parsed.products.len()
        )));
    }
    import::insert(&pool, &show, &parsed.products, store.as_deref()).await?;
    let variants: usize = parsed.products.iter().map(|p| p.variants.len()).sum();
    println!(
        "Imported {} product(s) with {variants} variant(s) into '{show}'{}.",
        parsed.products.len(),
        if parsed.errors.is_empty() {
            String::new()
        } else {
            format!("; skipped {} bad row(s) listed above", parsed.errors.len())
        }
    );
    Ok(())
}
