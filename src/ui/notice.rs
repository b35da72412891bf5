//! Status for the viewer: the offline banner, a reconnecting hint for the live
//! stream, requests waiting to be sent again, and a transient notice ("added to your cart", or an error).

use leptos::prelude::*;

use crate::api::events::StreamState;
use crate::i18n::t;
use crate::ui::store::use_store;

/// How long a notice stays before it fades, in milliseconds.
const NOTICE_MS: u64 = 4000;

#[component]
pub fn NoticeStrip() -> impl IntoView {
    let store = use_store();
    // Each notice clears itself after a while, unless a newer one replaced it.
    Effect::new(move |_| {
        if let Some(n) = store.notice.get() {
            set_timeout(
                move || {
                    if store.notice.get_untracked().as_ref() == Some(&n) {
                        store.notice.set(None);
                    }
                },
                std::time::Duration::from_millis(NOTICE_MS),
            );
        }
    });
    view! {
        <div class="vt-status" role="status">
            <Show when=move || !store.online.get()>
                <p class="vt-banner vt-banner--offline" data-testid="offline">
                    {t().offline_banner}
                </p>
            </Show>
            <Show when=move || store.online.get() && store.stream.get() == StreamState::Reconnecting>
                <p class="vt-banner">{t().reconnecting}</p>
            </Show>
            <Show when=move || { store.retrying.get() > 0 }>
                <p class="vt-banner" data-testid="retrying">{t().retrying}</p>
            </Show>
            {move || store.notice.get().map(|n| view! {
                <p class="vt-notice" class:vt-notice--error=n.is_error data-testid="notice">{n.text}</p>
            })}
        </div>
    }
}
