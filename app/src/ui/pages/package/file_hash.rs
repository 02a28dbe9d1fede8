//! A file's SHA-256 on the package page: in full where there is room, shortened to its two ends on
//! narrow screens, with a Copy button, so a recipient can check what they saved.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::Reflect;
use web_sys::{Clipboard, HtmlDocument, HtmlTextAreaElement};

use crate::ui::format::short_hash;

/// How long the button says "Copied".
const COPIED_FOR: Duration = Duration::from_secs(2);

#[component]
pub fn FileHash(hash: String, file_name: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy = {
        let hash = hash.clone();
        move |_| {
            let hash = hash.clone();
            spawn_local(async move {
                let done = copy_text(&hash).await;
                copied.try_set(Some(done));
                set_timeout(
                    move || {
                        copied.try_set(None);
                    },
                    COPIED_FOR,
                );
            });
        }
    };
    view! {
        <div class="file-hash">
            <span class="file-hash__label">"SHA-256"</span>
            <code class="file-hash__value" title=hash.clone()>
                <span class="file-hash__full">{hash.clone()}</span>
                <span class="file-hash__short">{short_hash(&hash)}</span>
            </code>
            <button
                type="button"
                class="button button--small button--quiet"
                aria-label=format!("Copy the SHA-256 of {file_name}")
                on:click=copy
            >
                {move || match copied.get() {
                    Some(true) => "Copied",
                    Some(false) => "Copy failed",
                    None => "Copy",
                }}
            </button>
        </div>
    }
}

/// Puts `text` on the clipboard: the Clipboard API where the page may use it (HTTPS, localhost),
/// else the older `execCommand("copy")` on a temporary text area, which works over plain HTTP.
async fn copy_text(text: &str) -> bool {
    // Over plain HTTP `navigator.clipboard` is missing altogether.
    let clipboard = Reflect::get(&window().navigator(), &"clipboard".into())
        .ok()
        .filter(|clipboard| clipboard.is_object())
        .map(JsCast::unchecked_into::<Clipboard>);
    if let Some(clipboard) = clipboard
        && JsFuture::from(clipboard.write_text(text)).await.is_ok()
    {
        return true;
    }
    copy_with_command(text).unwrap_or(false)
}

fn copy_with_command(text: &str) -> Option<bool> {
    let document = document();
    let area: HtmlTextAreaElement = document.create_element("textarea").ok()?.unchecked_into();
    area.set_value(text);
    area.set_attribute("readonly", "").ok()?;
    area.set_class_name("visually-hidden");
    let body = document.body()?;
    body.append_child(&area).ok()?;
    area.select();
    let done = document
        .dyn_into::<HtmlDocument>()
        .ok()
        .and_then(|document| document.exec_command("copy").ok());
    area.remove();
    done
}
