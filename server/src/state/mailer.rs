//! Where order confirmations go: the transports behind one seam. Two ship:
//! SMTP (`--smtp-url`), and by default an outbox folder of `.eml` files, one
//! per order, so the demo shows exactly what a buyer would get. What a
//! confirmation says is the shop's business ([`crate::shop::mail`]).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Mutex;

use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

type Sending<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Where confirmations go. `number` names the order (the outbox's file name).
pub trait Mailer: Send + Sync {
    fn send<'a>(&'a self, number: &'a str, message: Message) -> Sending<'a>;
}

/// Writes each message to `DIR/<order number>.eml` (written aside, then renamed,
/// so a reader never sees half a file).
pub struct Outbox(pub PathBuf);

impl Mailer for Outbox {
    fn send<'a>(&'a self, number: &'a str, message: Message) -> Sending<'a> {
        Box::pin(async move {
            tokio::fs::create_dir_all(&self.0).await.map_err(|e| e.to_string())?;
            let (tmp, path) = (self.0.join(format!(".{number}.eml.tmp")), self.0.join(format!("{number}.eml")));
            tokio::fs::write(&tmp, message.formatted()).await.map_err(|e| e.to_string())?;
            tokio::fs::rename(&tmp, &path).await.map_err(|e| e.to_string())
        })
    }
}

/// A real mail server, from a URL such as `smtps://user:pass@smtp.example:465`
/// or `smtp://relay:25?tls=required` (lettre's URL format).
pub struct Smtp(AsyncSmtpTransport<Tokio1Executor>);

impl Smtp {
    pub fn from_url(url: &str) -> Result<Self, String> {
        Ok(Self(AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| e.to_string())?.build()))
    }
}

impl Mailer for Smtp {
    fn send<'a>(&'a self, _number: &'a str, message: Message) -> Sending<'a> {
        Box::pin(async move { self.0.send(message).await.map(drop).map_err(|e| e.to_string()) })
    }
}

/// Keeps messages in memory: tests read them back.
#[derive(Default)]
pub struct Memory(pub Mutex<Vec<(String, Message)>>);

impl Mailer for Memory {
    fn send<'a>(&'a self, number: &'a str, message: Message) -> Sending<'a> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push((number.to_string(), message));
        Box::pin(async { Ok(()) })
    }
}

/// The address confirmations come from (`--mail-from`).
pub const DEFAULT_FROM: &str = "Vetrina <orders@vetrina.invalid>";
