//! `vetrina-server`: runs the reference backend (and with `--demo` the demo
//! show), imports catalogues, creates shows, prints the OpenAPI document.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use vetrina_server::http::idempotency;
use vetrina_server::shop::orders;
use vetrina_server::show::{catalog, import};
use vetrina_server::state::ratelimit;
use vetrina_server::store::{self, db};
use vetrina_server::{app, demo, live, AppState, Assets, Config};
use vetrina_wire::CatalogueFormat;

const USAGE: &str = "usage:
  vetrina-server [serve] [--addr 127.0.0.1:8080] [--data-dir .vetrina] [--database URL] [--nats URL] [--dist dist]
                 [--demo] [--live] [--demo-token TOKEN] [--host-every SECONDS] [--brand-addr ADDR]
                 [--cors-origin ORIGIN]... [--pins-per-second N] [--checkouts-per-minute N]
                 [--trusted-proxy CIDR]... [--max-streams-per-client N]
                 [--max-connections N] [--max-connections-per-client N]
                 [--smtp-url URL] [--mail-from MAILBOX] [--operator-token TOKEN] [--payments test]
                 [--carts-per-minute N] [--wrong-tokens-per-minute N] [--behind-tls]
  vetrina-server create-show --id ID --title TITLE [--currency EUR] [--locale en] [--stream-url URL]
                 [--data-dir D] [--database URL]
  vetrina-server import --show ID (--shopify products.json | --gmc feed.tsv)
                 [--default-stock N] [--skip-bad] [--data-dir D] [--database URL]
  vetrina-server openapi

serve (the default):
  --addr                 where to listen (default 127.0.0.1:8080)
  --data-dir             the SQLite database and generated media live here (default .vetrina)
  --database             postgres://USER@HOST:PORT/DB: keep everything in this Postgres database
                         instead, shared by any number of servers (env VETRINA_DATABASE_URL)
  --nats                 nats://HOST:PORT: with --database, publish this server's events there and
                         deliver the other servers' events to this one's viewers (env VETRINA_NATS_URL)
  --dist                 the trunk-built overlay to serve at / (default dist, if present)
  --demo                 seed the demo show, generate its video, run the scripted host
  --live                 with --demo: stream the show live over HLS made by ffmpeg (pins are
                         written into the playlist as EXT-X-DATERANGE tags; once the show ends
                         the recording is its replay) instead of a looping video file
  --brand-addr           with --demo: also serve a sample brand site here (say 127.0.0.1:8081),
                         as http://localhost:PORT, a second origin that embeds the demo show
                         (the show allows that origin to frame it)
  --demo-token           use this creator token for the demo show instead of a random one
  --host-every           seconds between the scripted host's pins (default 7; 0 turns the host off)
  --cors-origin          let pages on this origin call the API (repeatable; none by default)
  --pins-per-second      pin rate limit per show (default 5, bursts of 10; 0 = unlimited)
  --checkouts-per-minute checkout rate limit per client address (default 20; 0 = unlimited)
  --trusted-proxy        believe X-Forwarded-For from this proxy address or block, e.g. 10.0.0.0/8
                         (repeatable; none by default, so the header is ignored)
  --max-streams-per-client
                         open event streams per client address (default 64; more answer 429)
  --max-connections      open connections in all, event streams included (default 19000: the
                         process may hold 20000 files); more are closed as they arrive
  --max-connections-per-client
                         open connections per client address, an IPv6 client by its /64
                         (default 512; a --trusted-proxy is not limited)
  --smtp-url             send order confirmations through this SMTP server, e.g.
                         smtps://user:pass@smtp.example.com:465 (env VETRINA_SMTP_URL); without
                         it each confirmation is written to DATA_DIR/outbox/<order number>.eml
  --mail-from            the confirmations' sender (default \"Vetrina <orders@vetrina.invalid>\";
                         env VETRINA_MAIL_FROM)
  --carts-per-minute     new carts per client address (default 60 at once, then one a second; 0 = unlimited)
  --wrong-tokens-per-minute
                         wrong creator or operator tokens per client address and per show before
                         429 (default bursts of 10, then one every 6 s; 0 = unlimited, for a fuzzer)
  --behind-tls           browsers reach this server over HTTPS (a TLS proxy in front): every answer
                         says Strict-Transport-Security (env VETRINA_BEHIND_TLS=1)
  --payments             who charges orders: `test`, the built-in test provider (test cards, nothing
                         charged; env VETRINA_PAYMENTS). Without it (or with `none`) no order can be
                         placed (checkout answers 409 checkout_unavailable) but a studio preview's
                         test orders. --demo implies test unless told `none`
  --operator-token       who may create shows over the API (POST /api/shows) and in the studio: the
                         bearer of this token, 16 characters or more (env VETRINA_OPERATOR_TOKEN); without
                         it shows are created with create-show (with --demo a random one is printed)

Secrets (the database, NATS and SMTP URLs, the operator token) may also come from a
file: VETRINA_DATABASE_URL_FILE, VETRINA_NATS_URL_FILE, VETRINA_SMTP_URL_FILE,
VETRINA_OPERATOR_TOKEN_FILE name it.

create-show prints the new show's creator token (valid 30 days).
import reports every bad row with its line and reason; with any, nothing is
imported unless --skip-bad is given. Items without stock data get --default-stock (10).";

struct Args(std::iter::Peekable<std::iter::Skip<std::env::Args>>);

impl Args {
    fn value(&mut self, name: &str) -> Result<String, String> {
        self.0.next().ok_or(format!("{name} needs a value"))
    }
    fn number<T: std::str::FromStr>(&mut self, name: &str) -> Result<T, String> {
        self.value(name)?.parse().map_err(|_| format!("{name} needs a number"))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "vetrina_server=info".into()),
        )
        .init();
    let mut args = Args(std::env::args().skip(1).peekable());
    let command = match args.0.peek().map(String::as_str) {
        Some("serve" | "create-show" | "import" | "openapi") => args.0.next().unwrap_or_default(),
        _ => "serve".to_string(),
    };
    let result = match command.as_str() {
        "create-show" => create_show(args).await,
        "import" => run_import(args).await,
        "openapi" => {
            println!("{}", serde_json::to_string_pretty(&vetrina_server::openapi()).unwrap_or_default());
            Ok(())
        }
        _ => serve(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            if !message.is_empty() {
                eprintln!("error: {message}\n");
            }
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
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

fn database_from_env() -> Option<String> {
    secret_env("VETRINA_DATABASE_URL")
}

/// A setting that may be a secret, from the environment: `NAME` itself, or
/// the contents of the file `NAME_FILE` names (a container's or systemd's
/// secret, kept out of the process's environment and command line).
fn secret_env(name: &str) -> Option<String> {
    if let Some(value) = std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
        return Some(value);
    }
    let file = std::env::var(format!("{name}_FILE")).ok().filter(|f| !f.trim().is_empty())?;
    match std::fs::read_to_string(&file) {
        Ok(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        Err(e) => {
            tracing::error!(error = %e, file, "could not read {name}_FILE");
            None
        }
    }
}

async fn serve(mut args: Args) -> Result<(), Failure> {
    let mut addr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let mut data_dir = PathBuf::from(".vetrina");
    let mut dist: Option<PathBuf> = None;
    let (mut is_demo, mut demo_token, mut host_every, mut live_hls) = (false, None, 7u64, false);
    let mut config = Config::default();
    let mut brand_addr: Option<SocketAddr> = None;
    let mut database = database_from_env();
    let mut nats = secret_env("VETRINA_NATS_URL");
    let mut smtp_url = secret_env("VETRINA_SMTP_URL");
    if let Ok(from) = std::env::var("VETRINA_MAIL_FROM") {
        config.mail_from = from;
    }
    config.operator_token = secret_env("VETRINA_OPERATOR_TOKEN");
    config.behind_tls = std::env::var("VETRINA_BEHIND_TLS").is_ok_and(|v| v == "1" || v == "true");
    let mut payments = std::env::var("VETRINA_PAYMENTS").ok().filter(|p| !p.trim().is_empty());
    while let Some(arg) = args.0.next() {
        match arg.as_str() {
            "--addr" => addr = args.value("--addr")?.parse().map_err(|e| usage(format!("--addr: {e}")))?,
            "--data-dir" => data_dir = args.value("--data-dir")?.into(),
            "--database" => database = Some(args.value("--database")?),
            "--nats" => nats = Some(args.value("--nats")?),
            "--dist" => dist = Some(args.value("--dist")?.into()),
            "--demo" => is_demo = true,
            "--live" => live_hls = true,
            "--brand-addr" => {
                brand_addr = Some(
                    args.value("--brand-addr")?
                        .parse::<SocketAddr>()
                        .map_err(|e| usage(format!("--brand-addr: {e}")))?,
                )
            }
            "--demo-token" => demo_token = Some(args.value("--demo-token")?),
            "--host-every" => host_every = args.number("--host-every")?,
            "--cors-origin" => config.cors_origins.push(args.value("--cors-origin")?),
            "--trusted-proxy" => {
                let cidr = args.value("--trusted-proxy")?;
                config.trusted_proxies.push(cidr.parse().map_err(|e| usage(format!("--trusted-proxy: {e}")))?);
            }
            "--max-streams-per-client" => config.max_streams_per_client = args.number("--max-streams-per-client")?,
            "--max-connections" => config.max_connections = args.number("--max-connections")?,
            "--max-connections-per-client" => {
                config.max_connections_per_client = args.number("--max-connections-per-client")?
            }
            "--smtp-url" => smtp_url = Some(args.value("--smtp-url")?),
            "--mail-from" => config.mail_from = args.value("--mail-from")?,
            "--operator-token" => config.operator_token = Some(args.value("--operator-token")?),
            "--payments" => payments = Some(args.value("--payments")?),
            "--behind-tls" => config.behind_tls = true,
            "--carts-per-minute" => config.cart_rate = per_minute(args.number("--carts-per-minute")?),
            "--wrong-tokens-per-minute" => {
                config.wrong_token_rate = per_minute(args.number("--wrong-tokens-per-minute")?)
            }
            "--pins-per-second" => {
                let n: f64 = args.number("--pins-per-second")?;
                // n a second, bursts of twice that.
                config.pin_rate = per_minute(60.0 * n);
                if n > 0.0 {
                    config.pin_rate.burst = 2.0 * n;
                }
            }
            "--checkouts-per-minute" => config.checkout_rate = per_minute(args.number("--checkouts-per-minute")?),
            "-h" | "--help" => return Err(usage("")),
            other => return Err(usage(format!("unknown argument: {other}"))),
        }
    }
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
        Some(other) if other != "none" => {
            return Err(usage(format!("--payments: `test` (or `none`) is what this server has, not `{other}`")))
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
            _live_stream = Some(live::hls::spawn_demo_stream(&media, demo::DEMO_SHOW).map_err(|e| {
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
    tokio::spawn(maintenance(writer.clone()));
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
async fn maintenance(pool: store::Pool) {
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
        match orders::release_abandoned(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "released the stock of unpaid orders"),
            Err(e) => tracing::warn!(error = %e, "releasing unpaid orders failed"),
        }
    }
}

async fn create_show(mut args: Args) -> Result<(), Failure> {
    let (mut id, mut title, mut currency, mut locale, mut stream_url) =
        (None, None, "EUR".to_string(), "en".to_string(), String::new());
    let mut data_dir = PathBuf::from(".vetrina");
    let mut database = database_from_env();
    while let Some(arg) = args.0.next() {
        match arg.as_str() {
            "--database" => database = Some(args.value("--database")?),
            "--id" => id = Some(args.value("--id")?),
            "--title" => title = Some(args.value("--title")?),
            "--currency" => currency = args.value("--currency")?,
            "--locale" => locale = args.value("--locale")?,
            "--stream-url" => stream_url = args.value("--stream-url")?,
            "--data-dir" => data_dir = args.value("--data-dir")?.into(),
            other => return Err(usage(format!("unknown argument: {other}"))),
        }
    }
    let (Some(id), Some(title)) = (id, title) else { return Err(usage("create-show needs --id and --title")) };
    let (pool, _) = open_db(&data_dir, database.as_deref()).await?;
    let new = catalog::ShowToCreate {
        id: &id,
        title: &title,
        currency: &currency,
        locale: &locale,
        stream_url: &stream_url,
        token_days: 30,
    };
    let token = catalog::create_show(&pool, new).await?;
    println!("Created show '{id}'. Creator token (valid 30 days): {token}");
    Ok(())
}

async fn run_import(mut args: Args) -> Result<(), Failure> {
    let (mut show, mut source, mut default_stock, mut skip_bad) = (None, None, import::DEFAULT_STOCK, false);
    let mut data_dir = PathBuf::from(".vetrina");
    let mut database = database_from_env();
    while let Some(arg) = args.0.next() {
        match arg.as_str() {
            "--database" => database = Some(args.value("--database")?),
            "--show" => show = Some(args.value("--show")?),
            "--shopify" => source = Some((CatalogueFormat::Shopify, args.value("--shopify")?)),
            "--gmc" => source = Some((CatalogueFormat::Gmc, args.value("--gmc")?)),
            "--default-stock" => default_stock = args.number("--default-stock")?,
            "--skip-bad" => skip_bad = true,
            "--data-dir" => data_dir = args.value("--data-dir")?.into(),
            other => return Err(usage(format!("unknown argument: {other}"))),
        }
    }
    let (Some(show), Some((format, file))) = (show, source) else {
        return Err(usage("import needs --show and one of --shopify or --gmc"));
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
    import::insert(&pool, &show, &parsed.products).await?;
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
