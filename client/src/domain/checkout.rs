//! One idempotency key per checkout attempt.
//!
//! A retry after a timeout, or a second tap, must reuse the key of the first
//! try so the server places one order. A changed cart or changed details is a
//! new attempt and gets a new key (the server would refuse the old key with a
//! different body).

/// Countries we ship to in the demo (named by `Intl` in the viewer's
/// language): the checkout's list, and the wallets' allowed shipping
/// countries. A real shop would get these from its backend.
pub const COUNTRIES: &[&str] = &["IT", "AT", "BE", "DE", "ES", "FR", "IE", "NL", "PT", "GB", "US"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attempt {
    current: Option<(String, String)>,
}

impl Attempt {
    /// The key for a request whose content is summed up by `fingerprint`;
    /// `fresh` makes a new key when one is needed.
    pub fn key_for(&mut self, fingerprint: &str, fresh: impl FnOnce() -> String) -> String {
        match &self.current {
            Some((fp, key)) if fp == fingerprint => key.clone(),
            _ => {
                let key = fresh();
                self.current = Some((fingerprint.to_string(), key.clone()));
                key
            }
        }
    }

    /// Forget the key once its order is placed.
    pub fn finish(&mut self) {
        self.current = None;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn same_request_same_key_changed_request_new_key() {
        let mut n = 0;
        let mut fresh = || {
            n += 1;
            format!("k{n}")
        };
        let mut a = Attempt::default();
        let k1 = a.key_for("cart1|body", &mut fresh);
        assert_eq!(a.key_for("cart1|body", &mut fresh), k1);
        let k2 = a.key_for("cart1|other", &mut fresh);
        assert_ne!(k1, k2);
        a.finish();
        assert_ne!(a.key_for("cart1|other", &mut fresh), k2);
    }
}
