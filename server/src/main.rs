//! `vetrina-server`: runs the reference backend, and with `--demo` the demo show.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use vetrina_server::{app, db, demo, AppState, Assets};

const USAGE: &str = "usage: vetrina-server [--addr 127.0.0.1:8080] [--data-dir .vetrina] [--dist dist]
                     [--demo] [--demo-token TOKEN] [--host-every SECONDS]

  --addr         where to listen (default 127.0.0.1:8080)
  --data-dir     the SQLite database and generated media live here (default .vetrina)
  --dist         the trunk-built overlay to serve at / (default dist, if present)
  --demo         seed the demo show, generate its video, run the scripted host
  --demo-token   use this creator token for the demo show instead of a random one
  --host-every   seconds between the scripted host's pins (default 7; 0 turns the host off)";

struct Options {
    addr: SocketAddr,
    data_dir: PathBuf,
    dist: Option<PathBuf>,
    demo: bool,
    demo_token: Option<String>,
    host_every: u64,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        data_dir: PathBuf::from(".vetrina"),
        dist: None,
        demo: false,
        demo_token: None,
        host_every: 7,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--addr" => o.addr = value("--addr")?.parse().map_err(|e| format!("--addr: {e}"))?,
            "--data-dir" => o.data_dir = value("--data-dir")?.into(),
            "--dist" => o.dist = Some(value("--dist")?.into()),
            "--demo" => o.demo = true,
            "--demo-token" => o.demo_token = Some(value("--demo-token")?),
            "--host-every" => o.host_every = value("--host-every")?.parse().map_err(|e| format!("--host-every: {e}"))?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    if o.dist.is_none() && PathBuf::from("dist/index.html").exists() {
        o.dist = Some("dist".into());
    }
    Ok(o)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "vetrina_server=info".into()),
        )
        .init();
    let options = match parse_args() {
        Ok(o) => o,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(o: Options) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(&o.data_dir)?;
    let media = o.data_dir.join("media");
    std::fs::create_dir_all(&media)?;
    let pool = db::open(&o.data_dir.join("vetrina.sqlite")).await?;
    let state = AppState::new(pool.clone());

    let token = if o.demo {
        let token = demo::seed(&pool, &media, o.demo_token.as_deref()).await?;
        demo::ensure_video(&media).await?;
        if o.host_every > 0 {
            tokio::spawn(demo::run_host(state.clone(), Duration::from_secs(o.host_every)));
        }
        Some(token)
    } else {
        None
    };

    let listener = tokio::net::TcpListener::bind(o.addr).await?;
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");
    println!("Vetrina is running at {base}");
    if let Some(token) = token {
        let show = demo::DEMO_SHOW;
        println!();
        println!("  Viewer overlay:      {base}/?show={show}");
        println!("  Show snapshot (API): {base}/api/shows/{show}");
        println!("  Creator token:       {token}");
        println!();
        println!("  Pin a product yourself:");
        println!("    curl -X POST {base}/api/shows/{show}/pins -H 'Authorization: Bearer {token}' \\");
        println!("         -H 'Content-Type: application/json' -d '{{\"product_id\": 1}}'");
        println!();
    }
    if o.dist.is_none() {
        println!("  (no dist/ folder: serving the API only; build the overlay with trunk)");
    }
    let app = app(state, Assets { dist: o.dist, media: Some(media) });
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
