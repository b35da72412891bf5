//! The studio's components, one per file, sharing one [`crate::store::Studio`].

pub mod app;
pub mod catalogue;
pub mod checks;
pub mod controls;
pub mod flash_drop;
pub mod latency;
pub mod new_show;
pub mod note_editor;
pub mod numbers;
pub mod preview;
pub mod refund;
pub mod run_sheet;
pub mod settings;
pub mod sign_in;
pub mod variant_editor;
