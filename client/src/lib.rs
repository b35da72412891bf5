//! What Vetrina's two browser apps, the viewer overlay (the root crate) and
//! the creator studio (`studio/`), both build on, written once:
//!
//! - [`domain`]: the logic (pins, variants, money, flash drops, the playhead),
//!   pure Rust, tested natively;
//! - [`api`]: HTTP requests and their typed errors, and the show's event
//!   stream: the only network code;
//! - [`browser`]: storage (the session keys both apps keep), `Intl` money
//!   formats, JSON, timers, and other browser services, failure-tolerant;
//! - [`i18n`]: every sentence in five languages, and choosing the language.
//!
//! `domain` and `i18n` are pure Rust: without its `browser` feature the crate
//! is only they, and the server uses it so that the page it renders before
//! the wasm runs has the same words and chooses the same language.

#[cfg(feature = "browser")]
pub mod api;
#[cfg(feature = "browser")]
pub mod browser;
pub mod domain;
pub mod i18n;
