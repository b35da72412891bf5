//! The network as the overlay sees it: the shared client's API and event
//! stream ([`vetrina_client::api`]), and the brand page's own cart when the
//! overlay is embedded in a page that brings one ([`host`]).

pub mod host;

pub use vetrina_client::api::*;
