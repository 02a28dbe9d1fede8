//! Mounts Ferry's web app in the browser. Everything else lives in the `app` crate.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::ui::App);
}

/// Host builds (`cargo test --workspace`) compile this crate too; there is nothing to run.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
