//! Ferry's logo: a small sail boat on a tile, drawn inline so it costs no image request.

use leptos::prelude::*;

/// Decorative (hidden from screen readers): the word "Ferry" always sits beside it.
#[component]
pub fn BrandMark(#[prop(default = 24)] size: u32) -> impl IntoView {
    view! {
        <svg class="brand__mark" viewBox="0 0 24 24" width=size height=size aria-hidden="true">
            <rect width="24" height="24" rx="6" fill="currentColor" />
            <path d="M5.5 14h13l-2.5 4h-8z" fill="#fff" />
            <path d="M11.5 5v8M11.5 5.5l5 6.5h-5" stroke="#fff" stroke-width="1.5" fill="none" stroke-linejoin="round" />
        </svg>
    }
}
