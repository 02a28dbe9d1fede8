//! A file's progress bar, for uploads and downloads alike.

use leptos::prelude::*;

/// A `<progress>` named `label` (the file's name), for `done` of `size` bytes (an empty file is all
/// or nothing).
#[component]
pub fn ProgressBar(label: String, done: u64, size: u64, complete: bool) -> impl IntoView {
    let (value, max) = if size == 0 {
        (u64::from(complete), 1)
    } else {
        (done.min(size), size)
    };
    view! {
        <progress class="progress" max=max.to_string() value=value.to_string() aria-label=label></progress>
    }
}
