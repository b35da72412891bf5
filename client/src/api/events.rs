//! The show's Server-Sent Event stream, through the browser's `EventSource`.
//!
//! The browser reconnects by itself and sends `Last-Event-ID`, so the server
//! replays what was missed; the pin board drops anything seen twice. This type
//! only forwards raw `data:` strings and connection state; it closes the stream
//! when dropped.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamState {
    Connecting,
    Live,
    /// Lost; the browser is retrying.
    Reconnecting,
}

pub struct EventStream {
    source: EventSource,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_open: Closure<dyn FnMut(web_sys::Event)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl EventStream {
    pub fn open(
        url: &str,
        on_data: impl Fn(String) + 'static,
        on_state: impl Fn(StreamState) + Clone + 'static,
    ) -> Result<Self, super::ApiError> {
        let source = EventSource::new(url).map_err(|e| super::ApiError::Network(format!("{e:?}")))?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| match e.data().as_string() {
            Some(data) => on_data(data),
            None => web_sys::console::warn_1(&"vetrina: dropped an event without text data".into()),
        });
        let opened = on_state.clone();
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| opened(StreamState::Live));
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_state(StreamState::Reconnecting));
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self { source, _on_message: on_message, _on_open: on_open, _on_error: on_error })
    }
}

/// One `data:` payload of `show_id`'s stream as an event; anything malformed
/// (not JSON, a field missing for its type, another show's) is dropped here
/// with a console warning, and the app carries on with the next event.
pub fn read(data: &str, show_id: &str) -> Option<vetrina_wire::EventEnvelope> {
    use crate::domain::timeline::{envelope_from, EventError};
    let parsed = crate::browser::from_json(data).map_err(EventError::Malformed);
    match parsed.and_then(|flat| envelope_from(flat, show_id)) {
        Ok(envelope) => Some(envelope),
        Err(e) => {
            crate::browser::warn(&format!("vetrina: dropped an event: {e}"));
            None
        }
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.source.close();
    }
}
