//! Status for the viewer: the offline banner, a reconnecting hint for the live
//! stream, requests waiting to be sent again, and a transient notice ("added to your cart", or an error).

use leptos::prelude::*;

use crate::api::events::StreamState;
use crate::i18n::t;
use crate::ui::store::{use_store, Sheet};

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
    // "Added to your cart" is about the sheet the viewer just left: once they
    // are in the cart, at checkout or looking at their order it no longer
    // applies (an error stays until it times out: it may still matter).
    Effect::new(move |_| {
        if matches!(store.sheet.get(), Sheet::Cart | Sheet::Checkout | Sheet::Confirmation(_))
            && store.notice.get_untracked().is_some_and(|n| !n.is_error)
        {
            store.notice.set(None);
        }
    });
    view! {
        <div class="vt-status" role="status">
            // One list of banners rather than a `Show` each: one view type, less code.
            {move || {
                let t = t();
                let online = store.online.get();
                let mut banners = Vec::new();
                if !online {
                    banners.push(("vt-banner vt-banner--offline", "offline", t.offline_banner()));
                } else if store.stream.get() == StreamState::Reconnecting {
                    banners.push(("vt-banner", "reconnecting", t.reconnecting()));
                }
                if store.retrying.get() > 0 {
                    banners.push(("vt-banner", "retrying", t.retrying()));
                }
                banners
                    .into_iter()
                    .map(|(class, id, text)| view! { <p class=class data-testid=id>{text}</p> })
                    .collect_view()
            }}
            {move || store.notice.get().map(|n| view! {
                <p class="vt-notice" class:vt-notice--error=n.is_error data-testid="notice">{n.text}</p>
            })}
        </div>
    }
}
