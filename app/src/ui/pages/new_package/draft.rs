//! The draft this page created and has not sent yet, remembered in `sessionStorage` (this tab, this
//! browsing session). Sending again reuses it, so files already uploaded are not sent twice; after a
//! reload the form is filled in from it, and choosing the same files again resumes their uploads.

use leptos::prelude::window;
use leptos::serde_json::{self, Value};
use serde::{Deserialize, Serialize};
use web_sys::Storage;

use crate::types::{NewPackage, PackageDetail};
use crate::ui::api::{self, ApiError};
use crate::ui::transfer::upload;

const KEY: &str = "ferry.new_package.draft";

/// A draft and the request it was created with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RememberedDraft {
    pub id: i64,
    pub request: NewPackage,
}

fn storage() -> Option<Storage> {
    window().session_storage().ok().flatten()
}

/// The remembered draft, if any.
pub fn remembered() -> Option<RememberedDraft> {
    let text = storage()?.get_item(KEY).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

fn remember(draft: &RememberedDraft) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(draft)) {
        let _ = storage.set_item(KEY, &text);
    }
}

/// Forgets the draft (it was sent, or it is gone).
pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}

fn same_request(a: &NewPackage, b: &NewPackage) -> bool {
    let json = |request: &NewPackage| serde_json::to_value(request).unwrap_or(Value::Null);
    json(a) == json(b)
}

/// The draft to upload into: the remembered one when the form still says the same, otherwise a new
/// one (the remembered draft, now outdated, is deleted). `fresh` when this call created it.
pub async fn draft_for(request: &NewPackage) -> Result<Draft, ApiError> {
    if let Some(draft) = remembered() {
        if same_request(&draft.request, request) {
            return Ok(Draft {
                id: draft.id,
                fresh: false,
            });
        }
        // Best effort: an outdated draft is only clutter in the Sent list.
        let _ = api::delete_package(draft.id).await;
        upload::forget_package(draft.id);
        forget();
    }
    let created = api::create_package(request).await?;
    remember(&RememberedDraft {
        id: created.summary.id,
        request: request.clone(),
    });
    Ok(Draft {
        id: created.summary.id,
        fresh: true,
    })
}

/// The draft a send uploads into.
#[derive(Debug, Clone, Copy)]
pub struct Draft {
    pub id: i64,
    /// Created by this send (nothing of it is uploaded yet).
    pub fresh: bool,
}

/// Deletes the remembered draft (its uploaded bytes go with it) and forgets it. A draft already
/// gone counts as discarded.
pub async fn discard() -> Result<(), ApiError> {
    let Some(draft) = remembered() else {
        return Ok(());
    };
    match api::delete_package(draft.id).await {
        Ok(()) | Err(ApiError::Server { status: 404, .. }) => {}
        Err(error) => return Err(error),
    }
    upload::forget_package(draft.id);
    forget();
    Ok(())
}

/// The remembered draft and its details, when it is still a draft.
pub async fn unsent() -> Option<(RememberedDraft, PackageDetail)> {
    let draft = remembered()?;
    match api::get_package(draft.id).await {
        Ok(detail) if detail.summary.state == crate::types::PackageState::Draft => {
            Some((draft, detail))
        }
        Ok(_) | Err(ApiError::Server { status: 404, .. }) => {
            forget();
            None
        }
        Err(_) => None,
    }
}
