//! Token-bucket rate limits per key (a show for pins, a client address for
//! checkouts). Over the limit, the API answers 429 with `Retry-After` saying
//! when a request will be accepted again.
//!
//! On SQLite (one server process) the buckets live in memory. On Postgres any
//! number of processes serve the same shows, so the buckets live in the
//! database (`rate_buckets`), refilled and taken from in one statement: a limit
//! holds across instances instead of being multiplied by their number.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Tokens added per second.
    pub per_second: f64,
    /// Bucket size: how many requests may come at once.
    pub burst: f64,
}

impl Rate {
    /// No limit at all (tests and benchmarks that measure the server, not the limiter).
    pub const UNLIMITED: Rate = Rate { per_second: f64::INFINITY, burst: f64::INFINITY };
}

pub struct Limiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
    /// When idle buckets were last forgotten.
    pruned: Mutex<Instant>,
    /// The database holding the buckets of every instance, and this limiter's
    /// name there; None: this process's memory.
    shared: Option<(store::Pool, &'static str)>,
}

/// Buckets untouched this long are full again and can be forgotten...
const IDLE: Duration = Duration::from_secs(600);
/// ...which is looked for this often.
const PRUNE_EVERY: Duration = Duration::from_secs(30);

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        Self { rate, buckets: Mutex::new(HashMap::new()), pruned: Mutex::new(Instant::now()), shared: None }
    }

    /// A limiter whose buckets live in `db` under `scope`, shared by every
    /// server process using that database (Postgres).
    pub fn shared(rate: Rate, db: store::Pool, scope: &'static str) -> Self {
        Self { shared: Some((db, scope)), ..Self::new(rate) }
    }

    /// The keys this process holds buckets for (tests: what a caller can make it keep).
    pub fn keys(&self) -> Vec<String> {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect()
    }

    /// How long until `key` has a token, if it has none now; takes nothing.
    /// This process's buckets only (a shared limiter answers None).
    pub fn wait(&self, key: &str) -> Option<Duration> {
        if self.shared.is_some() || self.rate.burst.is_infinite() {
            return None;
        }
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, at) = buckets.get(key)?;
        let tokens = (tokens + at.elapsed().as_secs_f64() * self.rate.per_second).min(self.rate.burst);
        (tokens < 1.0).then(|| Duration::from_secs_f64((1.0 - tokens) / self.rate.per_second))
    }

    /// Takes one token for `key`, or says how long until one is available.
    pub async fn check(&self, key: &str) -> Result<(), Duration> {
        match &self.shared {
            None => self.check_at(key, Instant::now()),
            Some(_) if self.rate.burst.is_infinite() => Ok(()),
            Some((db, scope)) => match self.check_shared(db, scope, key).await {
                Ok(verdict) => verdict,
                Err(e) => {
                    // A limiter that cannot reach its buckets lets the request
                    // through: the database's trouble shows up in the request itself.
                    tracing::warn!(error = %e, scope, "rate limit not checked");
                    Ok(())
                }
            },
        }
    }

    async fn check_shared(
        &self,
        db: &store::Pool,
        scope: &str,
        key: &str,
    ) -> Result<Result<(), Duration>, store::Error> {
        let bucket = store::limits::Bucket { scope, key, burst: self.rate.burst, per_second: self.rate.per_second };
        let (granted, tokens) = store::limits::take(db, &bucket, crate::util::now_ms()).await?;
        Ok(if granted { Ok(()) } else { Err(Duration::from_secs_f64((1.0 - tokens) / self.rate.per_second)) })
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.rate.burst.is_infinite() {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        // Forgetting full buckets is a scan: on a clock, not on every call.
        let mut pruned = self.pruned.lock().unwrap_or_else(|p| p.into_inner());
        if now.duration_since(*pruned) >= PRUNE_EVERY {
            buckets.retain(|_, (_, at)| now.duration_since(*at) < IDLE);
            *pruned = now;
        }
        drop(pruned);
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((self.rate.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate.per_second).min(self.rate.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rate.per_second))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let l = Limiter::new(Rate { per_second: 2.0, burst: 3.0 });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.check_at("a", t0).is_ok());
        }
        let wait = l.check_at("a", t0).unwrap_err();
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500), "{wait:?}");
        // Another key has its own bucket.
        assert!(l.check_at("b", t0).is_ok());
        assert!(l.check_at("a", t0 + Duration::from_millis(500)).is_ok());
        assert!(l.check_at("a", t0 + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn unlimited_never_refuses() {
        let l = Limiter::new(Rate::UNLIMITED);
        for _ in 0..10_000 {
            assert!(l.check_at("a", Instant::now()).is_ok());
        }
    }
}
