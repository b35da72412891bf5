//! The store: every query the server makes, and nothing else.
//!
//! The server has three layers, each calling only the one below it: HTTP
//! handlers (extract the request, answer it), rules (checkout, stock, flash
//! drops, idempotency, who may do what) and this store. Rules decide; the store
//! reads and writes rows and turns them into the wire's types. So a store
//! function never answers an HTTP error: "no such cart" is `None`, "not enough
//! stock" is `false`, and the rule above says what that means to the client.
//!
//! One implementation serves both databases. The queries are written in the
//! dialect SQLite and Postgres share (`$1` placeholders, `RETURNING`,
//! `ON CONFLICT`, BIGINT columns, 0/1 flags) and run through sqlx's `Any`
//! driver; what differs (opening, migrations, how a writer makes itself the
//! only one) is in [`db`]. A third database is one more arm there, or, if its
//! dialect differs, a second implementation of these modules: no handler or
//! rule changes. `tests/architecture.rs` keeps queries from leaking out.
//!
//! Store functions take a connection (`&mut Conn`: a pool's connection or an
//! open transaction) when the caller decides what happens atomically, or a
//! [`Pool`] for a lone statement.

pub mod carts;
pub mod catalogue;
pub mod claims;
pub mod cluster;
pub mod db;
pub mod events;
pub mod limits;
pub mod offers;
pub mod orders;
pub mod payments;
pub mod refunds;
pub mod shows;

pub use db::{begin_locked, begin_locked_on, begin_write, lock, Backend, Lock};

/// A pool of connections to the database (SQLite or Postgres).
pub type Pool = sqlx::AnyPool;
/// One connection, or an open transaction (which dereferences to one).
pub type Conn = sqlx::AnyConnection;
/// What a store function fails with: the database's own error.
pub type Error = sqlx::Error;
pub type Result<T> = std::result::Result<T, Error>;

/// Option lists are stored as JSON arrays; the server wrote them, so a bad one is
/// a corrupted row, shown as no options rather than failing the whole catalogue.
fn json_strings(text: String) -> Vec<String> {
    serde_json::from_str(&text).unwrap_or_else(|e| {
        tracing::warn!(%text, error = %e, "stored option list is not a JSON string array");
        Vec::new()
    })
}

/// How a list of strings is stored.
fn json_text(strings: &[String]) -> String {
    serde_json::to_string(strings).unwrap_or_else(|_| "[]".into())
}

/// A count column as the wire's unsigned number (never negative in practice).
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
