//! The studio's one store: who is signed in to which show, the show's
//! products in order and what is pinned, following the show's event stream
//! exactly as viewers' overlays do, so two moderators in two browsers see the
//! same board. Provided once by `App` through context.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vetrina_client::api::events::{EventStream, StreamState};
use vetrina_client::api::ApiError;
use vetrina_client::domain::timeline::{apply_to_catalogue, Applied, PinBoard};
use vetrina_wire::{ProductNote, ProductOrder, ShowSnapshot, ShowStatus};

// Where a signed-in studio keeps the token: this tab only, gone when it
// closes, never in a URL or a log. (The preview's overlay reads them there
// to make its carts sandbox carts.)
use vetrina_client::browser::{STUDIO_SHOW_KEY as SHOW_KEY, STUDIO_TOKEN_KEY as TOKEN_KEY};

use crate::api::Creator;

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// A sentence for the creator about a failed request.
pub fn explain(e: &ApiError) -> String {
    match e {
        ApiError::Network(_) => "No connection to the server. Nothing changed; try again.".into(),
        ApiError::Server { code, .. } if code == "unauthorized" => {
            "That token does not open this show. Check the show and the token.".into()
        }
        ApiError::Server { code, .. } if code == "token_expired" => {
            "This token has expired. Ask the show's owner for a new one.".into()
        }
        ApiError::Server { fields, .. } if !fields.is_empty() => {
            fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ")
        }
        ApiError::Server { status, message, .. } if *status < 500 => message.clone(),
        _ => "The server could not do that just now. Try again.".into(),
    }
}

#[derive(Clone, Copy)]
pub struct Studio {
    /// Signed in: the show and its token.
    pub creator: RwSignal<Option<Creator>>,
    pub snapshot: RwSignal<Option<ShowSnapshot>>,
    pub board: RwSignal<PinBoard>,
    pub stream: RwSignal<StreamState>,
    /// The last thing to tell the creator (a failed pin, a new token).
    pub message: RwSignal<Option<(String, bool)>>,
    /// A token just issued: shown once, until dismissed.
    pub new_token: RwSignal<Option<String>>,
    /// Milliseconds from each pin request to its card in the preview, this session.
    pub latencies: RwSignal<Vec<f64>>,
    /// A pin whose card the preview has not shown yet (product id).
    pub awaiting: RwSignal<Option<i64>>,
    /// The creator's notes by product (the run sheet's; viewers never get them).
    pub notes: RwSignal<std::collections::HashMap<i64, String>>,
    /// Which sign-in the run sheet's follower belongs to (see `follow_run_sheet`).
    sheet_round: StoredValue<u32>,
    /// When this studio last reordered the run sheet itself (ms, page clock).
    reordered_at: StoredValue<f64>,
    /// The order this studio still has to send (one request at a time).
    order_to_send: StoredValue<Option<Vec<i64>>>,
    events: StoredValue<Option<EventStream>, LocalStorage>,
}

impl Studio {
    pub fn new() -> Self {
        Self {
            creator: RwSignal::new(None),
            snapshot: RwSignal::new(None),
            board: RwSignal::new(PinBoard::default()),
            stream: RwSignal::new(StreamState::Connecting),
            message: RwSignal::new(None),
            new_token: RwSignal::new(None),
            latencies: RwSignal::new(Vec::new()),
            awaiting: RwSignal::new(None),
            notes: RwSignal::new(Default::default()),
            sheet_round: StoredValue::new(0),
            reordered_at: StoredValue::new(0.0),
            order_to_send: StoredValue::new(None),
            events: StoredValue::new_local(None),
        }
    }

    /// The show and token this tab signed in with, if any (checked again).
    pub fn remembered() -> Option<Creator> {
        let storage = session_storage()?;
        let token = storage.get_item(TOKEN_KEY).ok().flatten()?;
        let show = storage.get_item(SHOW_KEY).ok().flatten()?;
        Some(Creator { show, token })
    }

    /// Checks the token with the server; signed in when it opens the show.
    pub async fn sign_in(self, creator: Creator) -> Result<(), ApiError> {
        creator.session().await?;
        if let Some(storage) = session_storage() {
            let _ = storage.set_item(TOKEN_KEY, &creator.token);
            let _ = storage.set_item(SHOW_KEY, &creator.show);
        }
        self.creator.set(Some(creator));
        self.load();
        Ok(())
    }

    pub fn sign_out(self) {
        if let Some(storage) = session_storage() {
            let _ = storage.remove_item(TOKEN_KEY);
            let _ = storage.remove_item(SHOW_KEY);
        }
        self.events.set_value(None);
        self.sheet_round.update_value(|r| *r += 1);
        self.creator.set(None);
        self.snapshot.set(None);
        self.new_token.set(None);
        self.message.set(None);
    }

    fn load(self) {
        let Some(creator) = self.creator.get_untracked() else { return };
        spawn_local(async move {
            match creator.snapshot().await {
                Ok(snapshot) => {
                    let board = PinBoard::from_snapshot(snapshot.pinned.clone(), snapshot.last_event_id);
                    let url = creator.events_url(snapshot.last_event_id);
                    self.board.set(board);
                    self.snapshot.set(Some(snapshot));
                    self.follow(&url);
                    self.load_notes();
                    self.follow_run_sheet();
                }
                Err(e) => self.tell(explain(&e), true),
            }
        });
    }

    /// Another moderator's notes and new order reach this studio within a few
    /// seconds (they are not events: only pins, stock, prices and drops are).
    /// Stops when this tab signs out or opens another show.
    fn follow_run_sheet(self) {
        let round = self.sheet_round.get_value() + 1;
        self.sheet_round.set_value(round);
        spawn_local(async move {
            loop {
                vetrina_client::browser::sleep(RUN_SHEET_EVERY_MS).await;
                // A newer sign-in follows on its own; signed out, nothing does.
                let current = self.creator.get_untracked();
                let Some(creator) = current.filter(|_| self.sheet_round.get_value() == round) else { return };
                let Ok(sheet) = creator.run_sheet().await else { continue };
                self.notes.set(sheet.iter().map(|e| (e.product_id, e.note.clone())).collect());
                let order: Vec<i64> = sheet.iter().map(|e| e.product_id).collect();
                let mut grew = false;
                self.snapshot.update(|s| {
                    let Some(s) = s else { return };
                    let current: Vec<i64> = s.products.iter().map(|p| p.id).collect();
                    // Our own reorder may not have reached the server yet: not undone here.
                    let ours_recently = now_ms() - self.reordered_at.get_value() < f64::from(RUN_SHEET_EVERY_MS)
                        || self.order_to_send.with_value(Option::is_some);
                    if current == order || ours_recently {
                        return;
                    }
                    if vetrina_wire::is_reordering(&current, &order) {
                        put_in_order(&mut s.products, &order);
                    } else {
                        grew = true;
                    }
                });
                if grew {
                    self.refresh();
                }
            }
        });
    }

    fn load_notes(self) {
        let Some(creator) = self.creator.get_untracked() else { return };
        spawn_local(async move {
            match creator.run_sheet().await {
                Ok(sheet) => self.notes.set(sheet.into_iter().map(|e| (e.product_id, e.note)).collect()),
                Err(e) => self.tell(format!("The run sheet's notes could not be loaded: {}", explain(&e)), true),
            }
        });
    }

    /// Saves a product's note; `Err` explains why it was not saved.
    pub async fn save_note(self, product_id: i64, note: String) -> Result<(), String> {
        let creator = self.creator.get_untracked().ok_or_else(|| "Signed out.".to_string())?;
        let saved = creator.set_note(product_id, &ProductNote { note }).await.map_err(|e| explain(&e))?;
        self.notes.update(|n| {
            n.insert(saved.product_id, saved.note);
        });
        Ok(())
    }

    /// Moves a product `by` places in the run sheet (and viewers' shelves).
    pub fn move_product(self, product_id: i64, by: isize) {
        let ids =
            self.snapshot.with_untracked(|s| s.iter().flat_map(|s| &s.products).map(|p| p.id).collect::<Vec<_>>());
        self.reorder(vetrina_wire::moved(&ids, product_id, by));
    }

    /// Puts the products in `ids`' order: at once on this screen, then on the
    /// server; if the server refuses (a product was added meanwhile), the
    /// show is read again and the creator told.
    pub fn reorder(self, ids: Vec<i64>) {
        let Some(creator) = self.creator.get_untracked() else { return };
        let unchanged = self
            .snapshot
            .with_untracked(|s| s.as_ref().is_some_and(|s| s.products.iter().map(|p| p.id).eq(ids.iter().copied())));
        if unchanged {
            return;
        }
        self.reordered_at.set_value(now_ms());
        self.snapshot.update(|s| {
            if let Some(s) = s {
                put_in_order(&mut s.products, &ids);
            }
        });
        // One request at a time, the newest order last: quick moves sent side
        // by side could reach the server out of order and leave an older one.
        let sending = self.order_to_send.with_value(Option::is_some);
        self.order_to_send.set_value(Some(ids));
        if sending {
            return;
        }
        spawn_local(async move {
            while let Some(ids) = self.order_to_send.with_value(Clone::clone) {
                let result = creator.set_order(&ProductOrder { product_ids: ids.clone() }).await;
                self.reordered_at.set_value(now_ms());
                // Done unless a newer order came meanwhile.
                let newer = self.order_to_send.with_value(|o| o.as_ref() != Some(&ids));
                if !newer {
                    self.order_to_send.set_value(None);
                }
                if let Err(e) = result {
                    self.order_to_send.set_value(None);
                    self.tell(format!("The new order was not saved: {}", explain(&e)), true);
                    self.refresh();
                }
            }
        });
    }

    fn follow(self, url: &str) {
        let opened = EventStream::open(url, move |data| self.on_event(&data), move |state| self.stream.set(state));
        match opened {
            Ok(stream) => self.events.set_value(Some(stream)),
            Err(e) => self.tell(explain(&e), true),
        }
    }

    /// One event from the stream: pins move the board; a price, stock or
    /// status change is applied to the show's data, as viewers' overlays do.
    fn on_event(self, data: &str) {
        let Some(show) = self.creator.with_untracked(|c| c.as_ref().map(|c| c.show.clone())) else { return };
        let Some(envelope) = vetrina_client::api::events::read(data, &show) else { return };
        let mut applied = Applied::Ignored;
        self.board.update(|b| applied = b.apply(&envelope));
        if let Applied::Pinned(id) = applied {
            // Added by another moderator (an import) since this studio read the show.
            let known = self.snapshot.with_untracked(|s| s.iter().flat_map(|s| &s.products).any(|p| p.id == id));
            if !known {
                self.refresh();
            }
        }
        if applied == Applied::Other {
            self.snapshot.update(|s| {
                if let Some(s) = s {
                    apply_to_catalogue(s, &envelope.event);
                }
            });
        }
    }

    /// The show again (after a status change, say), keeping the stream.
    pub fn refresh(self) {
        let Some(creator) = self.creator.get_untracked() else { return };
        spawn_local(async move {
            if let Ok(snapshot) = creator.snapshot().await {
                self.snapshot.set(Some(snapshot));
            }
        });
        self.load_notes();
    }

    pub fn tell(self, text: impl Into<String>, is_error: bool) {
        self.message.set(Some((text.into(), is_error)));
    }

    /// Pins `product_id`, or unpins it when it is pinned.
    pub fn toggle(self, product_id: i64) {
        let Some(creator) = self.creator.get_untracked() else { return };
        let pinned = self.board.with_untracked(|b| b.pinned().contains(&product_id));
        let asked = now_ms();
        spawn_local(async move {
            let done = if pinned { creator.unpin(product_id).await } else { creator.pin(product_id).await };
            if done.is_ok() && !pinned {
                self.time_pin(product_id, asked);
            }
            match done {
                // The board moves when the stream brings the event, in order
                // with everyone else's (applying ours first could skip theirs).
                Ok(_) => self.message.set(None),
                Err(e) => self.tell(explain(&e), true),
            }
        });
    }

    /// Watches the preview until the pinned card is on its screen and keeps
    /// the time from the request: what the pin costs before a viewer sees it.
    /// On a live HLS stream that includes the video's delay behind live (the
    /// card waits for the moment it was pinned at), which is the point.
    fn time_pin(self, product_id: i64, asked: f64) {
        self.awaiting.set(Some(product_id));
        spawn_local(async move {
            // Up to a minute (a replay the creator is not watching never shows it).
            while now_ms() - asked < 60_000.0 {
                if self.awaiting.get_untracked() != Some(product_id) {
                    return;
                }
                if preview_shows(product_id) {
                    let took = now_ms() - asked;
                    self.latencies.update(|l| l.push(took));
                    self.awaiting.set(None);
                    return;
                }
                // About a frame: the card is timed when it is on screen.
                vetrina_client::browser::sleep(16).await;
            }
            self.awaiting.set(None);
        });
    }

    /// Pins the product at `position` (1-based, in run-sheet order).
    pub fn pin_position(self, position: usize) {
        let id = self.snapshot.with_untracked(|s| s.as_ref().and_then(|s| s.products.get(position - 1)).map(|p| p.id));
        match id {
            Some(id) if !self.board.with_untracked(|b| b.pinned().contains(&id)) => self.toggle(id),
            Some(_) => {}
            None => self.tell(format!("There is no product {position} in this show."), true),
        }
    }

    /// Pins the product after the one pinned last (the first, to begin with).
    pub fn pin_next(self) {
        let order: Vec<i64> =
            self.snapshot.with_untracked(|s| s.iter().flat_map(|s| &s.products).map(|p| p.id).collect());
        let last = self.board.with_untracked(|b| b.pinned().first().copied());
        let next = match last.and_then(|id| order.iter().position(|p| *p == id)) {
            Some(i) => order.get(i + 1).copied(),
            None => order.first().copied(),
        };
        match next {
            Some(id) if !self.board.with_untracked(|b| b.pinned().contains(&id)) => self.toggle(id),
            Some(_) => {}
            None => self.tell("That was the last product of the run sheet.", false),
        }
    }

    /// Unpins the product pinned last.
    pub fn unpin_last(self) {
        if let Some(id) = self.board.with_untracked(|b| b.pinned().first().copied()) {
            self.toggle(id);
        }
    }

    pub fn set_status(self, status: ShowStatus) {
        let Some(creator) = self.creator.get_untracked() else { return };
        spawn_local(async move {
            match creator.set_status(status).await {
                Ok(_) => self.refresh(),
                Err(e) => self.tell(explain(&e), true),
            }
        });
    }

    /// A new token for the show; this tab carries on with it.
    pub fn rotate(self) {
        let Some(creator) = self.creator.get_untracked() else { return };
        spawn_local(async move {
            match creator.rotate().await {
                Ok(fresh) => {
                    if let Some(storage) = session_storage() {
                        let _ = storage.set_item(TOKEN_KEY, &fresh.token);
                    }
                    self.creator.set(Some(Creator { show: creator.show, token: fresh.token.clone() }));
                    self.new_token.set(Some(fresh.token));
                }
                Err(e) => self.tell(explain(&e), true),
            }
        });
    }
}

impl Default for Studio {
    fn default() -> Self {
        Self::new()
    }
}

/// Sorts `products` as `ids` lists them (any it does not list go last).
fn put_in_order(products: &mut [vetrina_wire::Product], ids: &[i64]) {
    products.sort_by_key(|p| ids.iter().position(|id| *id == p.id).unwrap_or(usize::MAX));
}

/// How often the run sheet's notes and order are read again.
const RUN_SHEET_EVERY_MS: i32 = 4_000;

pub fn use_studio() -> Studio {
    expect_context::<Studio>()
}

/// The page's clock (`performance.now()`, ms since it loaded): steady, for durations.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Whether the phone preview (see `ui::preview`) shows `product_id`'s card:
/// the frame is the overlay on our own origin, so its page can be read.
/// The timing preview's document (the 390×844 frame; same origin).
fn timing_frame() -> Option<web_sys::Document> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window().and_then(|w| w.document())?;
    let frame = document.query_selector("iframe[data-timing]").ok()??;
    frame.dyn_into::<web_sys::HtmlIFrameElement>().ok()?.content_document()
}

fn preview_shows(product_id: i64) -> bool {
    let Some(inner) = timing_frame() else { return false };
    let card = inner.query_selector(&format!(".vt-card[data-product-id=\"{product_id}\"]")).ok().flatten();
    card.is_some_and(|c| c.get_bounding_client_rect().width() > 0.0)
}

/// How far the preview's video runs behind live, as its overlay reports it
/// (only on a live stream with a clock, such as HLS).
pub fn preview_behind_live_ms() -> Option<f64> {
    let root = timing_frame()?.document_element()?;
    root.get_attribute("data-behind-live-ms")?.parse().ok()
}

/// The `q` quantile (0–1) of `samples`, nearest rank.
pub fn quantile(samples: &[f64], q: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_by_nearest_rank() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[40.0], 0.95), Some(40.0));
        let samples = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(quantile(&samples, 0.5), Some(3.0));
        assert_eq!(quantile(&samples, 0.95), Some(5.0));
        assert_eq!(quantile(&samples, 0.0), Some(1.0));
    }
}
