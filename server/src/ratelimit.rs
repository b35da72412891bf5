//! Token-bucket rate limits, kept in memory per key (a show for pins, a client
//! address for checkouts). Over the limit, the API answers 429 with
//! `Retry-After` saying when a request will be accepted again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
}

/// Buckets untouched this long are full again and can be forgotten.
const IDLE: Duration = Duration::from_secs(600);

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        Self { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key`, or says how long until one is available.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.rate.burst.is_infinite() {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, at)| now.duration_since(*at) < IDLE);
        }
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
            assert!(l.check("a").is_ok());
        }
    }
}
