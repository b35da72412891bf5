//! Opening the database, and the few things SQLite and Postgres do differently.
//!
//! The server talks to either through sqlx's `Any` driver: one set of queries
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`, BIGINT columns and 0/1 flags)
//! runs on both. What differs lives here: how each is opened, its migrations
//! (`migrations/` for SQLite, `migrations-postgres/` for Postgres), and how
//! writing transactions keep out of each other's way.
//!
//! SQLite (the default) is one file and one process: WAL so readers never wait
//! for the checkout writer, one writer connection so writes queue in order.
//!
//! Postgres is shared by any number of server processes, and writers need not
//! queue behind each other: the hot paths (carts, checkout, flash-drop claims,
//! a show's events) lock only what they touch ([`Lock`]: a cart, a buyer, a
//! drop, a show's event log, as transaction-scoped advisory locks) and take
//! stock with a conditional `UPDATE` whose row lock orders the buyers of one
//! variant. Rare writes (a creator's settings, an import, a new drop) still
//! take one lock that makes them the only such writer ([`begin_write`]).
//! Each guarantee SQLite's one writer gives still holds where it is needed:
//! no more units sold than stock, a drop's cap and a buyer's limits across
//! carts, and a show's event ids committed in the order they are handed out.

use std::path::Path;
use std::str::FromStr;
use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection};

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_pool(pool: &AnyPool) -> Self {
        if is_postgres(pool.connect_options().database_url.as_str()) {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    pub fn of(conn: &AnyConnection) -> Self {
        if conn.backend_name() == "PostgreSQL" {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

fn install_drivers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(sqlx::any::install_default_drivers);
}

/// Opens (and migrates) the database at `url`: `postgres://…`, or a path to a SQLite file.
pub async fn open_url(url: &str) -> Result<AnyPool, sqlx::Error> {
    if is_postgres(url) {
        open_postgres(url).await
    } else {
        open(Path::new(url.strip_prefix("sqlite://").unwrap_or(url))).await
    }
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A shared Postgres database: any number of server processes may use it at once.
pub async fn open_postgres(url: &str) -> Result<AnyPool, sqlx::Error> {
    let pool = open_postgres_unmigrated(url).await?;
    sqlx::migrate!("./migrations-postgres").run(&pool).await?;
    Ok(pool)
}

/// A pool on a Postgres database as it is (no migrations run).
pub async fn open_postgres_unmigrated(url: &str) -> Result<AnyPool, sqlx::Error> {
    install_drivers();
    AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(AnyConnectOptions::from_str(url)?.disable_statement_logging())
        .await
}

pub async fn open(path: &Path) -> Result<AnyPool, sqlx::Error> {
    let pool = sqlite_pool(8).connect_with(sqlite_url(path, "rwc")?).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// A private in-memory database for tests. One connection: every connection to
/// `:memory:` would otherwise be a different, empty database.
pub async fn open_in_memory() -> Result<AnyPool, sqlx::Error> {
    install_drivers();
    let pool = sqlite_pool(1).connect_with(AnyConnectOptions::from_str("sqlite::memory:")?).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// A pool of exactly one connection to the same file, for every write: writers
/// then wait their turn in an async queue rather than in SQLite's busy handler.
pub async fn open_writer(path: &Path) -> Result<AnyPool, sqlx::Error> {
    sqlite_pool(1).connect_with(sqlite_url(path, "rw")?).await
}

fn sqlite_url(path: &Path, mode: &str) -> Result<AnyConnectOptions, sqlx::Error> {
    install_drivers();
    Ok(AnyConnectOptions::from_str(&format!("sqlite://{}?mode={mode}", path.display()))?.disable_statement_logging())
}

/// The `Any` driver opens SQLite from a URL, which cannot carry pragmas: each
/// new connection sets them itself. WAL so readers never wait for the writer; a
/// busy timeout so a second process's writer queues instead of failing.
fn sqlite_pool(connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(connections).after_connect(|conn, _| {
        Box::pin(async move {
            sqlx::Executor::execute(
                &mut *conn,
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; \
                 PRAGMA foreign_keys = ON;",
            )
            .await?;
            Ok(())
        })
    })
}

/// What a writing transaction locks on Postgres, so that others touching the
/// same thing wait for it and nothing else does (transaction-scoped advisory
/// locks, released by the commit or rollback).
///
/// Every transaction takes its locks in this order (a cart, then a buyer,
/// then a drop, then a show, then the settings), and variant rows in id
/// order, so no two can wait for each other in a circle.
#[derive(Debug, Clone, Copy)]
pub enum Lock<'a> {
    /// A cart: its lines, and its checkout.
    Cart(&'a str),
    /// A buyer (by email, as `vetrina_wire::buyer_key` reads it): per-buyer limits across their orders.
    Buyer(&'a str),
    /// A flash drop: the units sold against its cap.
    Offer(i64),
    /// A show's event log: ids committed in the order they are handed out.
    Show(&'a str),
    /// The rare writes (a creator's settings and catalogue, imports, new
    /// drops, tokens): one at a time, whichever show, which is simple and
    /// costs nothing at their rate.
    Settings,
}

impl Lock<'_> {
    /// The two keys of the Postgres advisory lock: a kind, and a hash of the
    /// name (two names sharing a hash only wait for each other needlessly).
    fn keys(&self) -> (i32, i32) {
        fn hash(text: &str) -> i32 {
            // Stable across processes and builds, unlike std's hasher; the
            // advisory lock's key is 32 bits.
            crate::util::fnv1a(text.as_bytes()) as i32
        }
        match self {
            Lock::Cart(id) => (1, hash(id)),
            Lock::Buyer(email) => (2, hash(&vetrina_wire::buyer_key(email))),
            Lock::Offer(id) => (3, hash(&id.to_string())),
            Lock::Show(id) => (4, hash(id)),
            Lock::Settings => (5, 0),
        }
    }
}

/// Begins a writing transaction holding `locks`.
///
/// SQLite: `BEGIN IMMEDIATE` whatever the locks, since SQLite has one writer:
/// it takes the write lock up front, waiting (busy timeout) behind other
/// writers, where a deferred `BEGIN` would read first and then fail with
/// SQLITE_BUSY when upgrading to a write while another writer committed.
/// Postgres: a plain transaction that takes `locks` first, and runs beside
/// transactions holding other locks (row locks keep each row's writes in
/// order; stock is taken with a conditional `UPDATE`).
pub async fn begin_locked_on<'c>(
    conn: &'c mut AnyConnection,
    locks: &[Lock<'_>],
) -> Result<sqlx::Transaction<'c, sqlx::Any>, sqlx::Error> {
    if Backend::of(conn) == Backend::Sqlite {
        return conn.begin_with("BEGIN IMMEDIATE").await;
    }
    let mut tx = conn.begin().await?;
    for l in locks {
        lock(&mut tx, *l).await?;
    }
    Ok(tx)
}

/// [`begin_locked_on`] a connection of the pool.
pub async fn begin_locked(
    pool: &AnyPool,
    locks: &[Lock<'_>],
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    if Backend::of_pool(pool) == Backend::Sqlite {
        return pool.begin_with("BEGIN IMMEDIATE").await;
    }
    let mut tx = pool.begin().await?;
    for l in locks {
        lock(&mut tx, *l).await?;
    }
    Ok(tx)
}

/// A rare write: [`begin_locked`] with [`Lock::Settings`].
pub async fn begin_write(pool: &AnyPool) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    begin_locked(pool, &[Lock::Settings]).await
}

/// Takes one more lock inside a transaction begun with [`begin_locked_on`]
/// (in [`Lock`]'s order after those it holds). Nothing to do on SQLite.
pub async fn lock(conn: &mut AnyConnection, lock: Lock<'_>) -> Result<(), sqlx::Error> {
    if Backend::of(conn) == Backend::Postgres {
        let (kind, key) = lock.keys();
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)").bind(kind).bind(key).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Whether the database refused text it cannot store (Postgres: NUL, or bytes
/// its encoding lacks; SQLite stores any text).
pub fn is_unstorable_text(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("22021" | "22P05")),
        _ => false,
    }
}
