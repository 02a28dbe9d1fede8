//! Element ids that are unique within the page, to tie labels, descriptions and controls together
//! when a component appears more than once.

use std::cell::Cell;

thread_local! {
    static NEXT: Cell<u64> = const { Cell::new(0) };
}

/// `"{prefix}-{n}"`, with `n` never used before in this page load.
pub fn unique_id(prefix: &str) -> String {
    let n = NEXT.with(|next| {
        let value = next.get();
        next.set(value + 1);
        value
    });
    format!("{prefix}-{n}")
}
