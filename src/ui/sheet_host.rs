//! Where the open sheet is drawn. The sheets' code may still be on its way
//! (see [`crate::ui::sheets`]): it is fetched once the first frame is up, and
//! a tap that comes before it arrives opens a sheet that says so, then shows
//! the real one; if the fetch fails, the sheet says that and offers to retry.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;

use crate::browser;
use crate::i18n::t;
use crate::ui::sheet::Sheet;
use crate::ui::sheets;
use crate::ui::store::{use_store, Sheet as SheetState};

/// Where the sheets' code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    Fetching,
    Ready,
    Failed,
}

#[component]
pub fn SheetHost() -> impl IntoView {
    let store = use_store();
    let code = RwSignal::new(Code::Fetching);
    let fetch = move || {
        code.set(Code::Fetching);
        leptos::task::spawn_local(async move {
            let fetched = sheets::preload().await.is_ok();
            if !fetched {
                browser::warn("the sheets' code could not be fetched; fetching it again when a sheet opens");
            }
            code.set(if fetched { Code::Ready } else { Code::Failed });
        });
    };
    fetch();
    // A sheet opened after a failed fetch (the viewer is back online, say)
    // tries again by itself.
    Effect::new(move |_| {
        let open = store.sheet.with(|s| !matches!(s, SheetState::Closed));
        if open && code.get_untracked() == Code::Failed {
            fetch();
        }
    });
    move || {
        let sheet = store.sheet.get();
        if matches!(sheet, SheetState::Closed) {
            return ().into_any();
        }
        match code.get() {
            // With the code in, `render` is done at its first poll: the sheet
            // is drawn here, in this effect, like any other view (a product's
            // sheet is drawn anew when the show's data changes, so it shows
            // the product as it is now).
            Code::Ready => match now(sheets::render(sheet, store)) {
                Some(Ok(view)) => view,
                _ => {
                    code.set(Code::Failed);
                    ().into_any()
                }
            },
            Code::Fetching => view! {
                <Sheet title=t().loading().to_string() id="loading">
                    <div class="vt-sheet__wait" aria-busy="true">
                        <div class="vt-spinner" aria-hidden="true"></div>
                    </div>
                </Sheet>
            }
            .into_any(),
            Code::Failed => view! {
                <Sheet title=t().sheet_failed().to_string() id="failed">
                    <div class="vt-sheet__wait" role="alert">
                        <p>{t().err_offline()}</p>
                        <button type="button" class="vt-button" on:click=move |_| fetch()>{t().try_again()}</button>
                    </div>
                </Sheet>
            }
            .into_any(),
        }
    }
}

/// The future's output if it is ready at its first poll.
fn now<T>(future: impl Future<Output = T>) -> Option<T> {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}
