//! The overlay's components, one per file. State lives in [`store::Store`],
//! provided once by [`app::App`]; components keep only their own fleeting state.

pub mod app;
pub mod cart_button;
pub mod cart_sheet;
pub mod checkout_sheet;
pub mod confirmation_sheet;
pub mod flash;
pub mod handover_sheet;
pub mod host_link;
pub mod notice;
pub mod pin_rail;
pub mod price;
pub mod product_card;
pub mod product_sheet;
pub mod sheet;
pub mod sheet_host;
pub mod sheets;
pub mod shelf_sheet;
pub mod stepper;
pub mod store;
pub mod top_bar;
pub mod video;
