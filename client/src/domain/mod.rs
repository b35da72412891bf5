//! The overlay's logic, as pure Rust: no browser, no framework. It is what the
//! native test suite exercises; `ui` and `api` only wire it to the page.
//!
//! - [`timeline`]: which products are pinned, from the show's event stream.
//! - [`playhead`]: which products are pinned at a given moment of the video
//!   (live on the stream's clock, late join, seek, replay), and when that changes.
//! - [`variants`]: choosing a variant from option values, and what is still buyable.
//! - [`money`]: amounts in minor units, and a formatting fallback for when `Intl` is missing.
//! - [`checkout`]: keeping one idempotency key per distinct checkout attempt.
//! - [`offer`]: flash drops on the video's clock, and their countdown.

pub mod checkout;
pub mod money;
pub mod offer;
pub mod playhead;
pub mod timeline;
pub mod variants;
