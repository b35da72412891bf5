//! The stand-in for Stripe's API as a process, for the browser tests: the
//! server under test is pointed at it (`--stripe-api`, `--stripe-js`), and it
//! delivers its events to the server's webhook.

use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:18085")]
    addr: std::net::SocketAddr,
    /// Where to deliver events (the server's /api/payments/stripe/webhook).
    #[arg(long)]
    webhook_url: Option<String>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let config = stripe_standin::Config { webhook_url: args.webhook_url, ..Default::default() };
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    println!("Stripe stand-in on http://{} (Stripe.js at /v3/)", listener.local_addr()?);
    axum::serve(listener, stripe_standin::app(stripe_standin::StandIn::new(config))).await
}
