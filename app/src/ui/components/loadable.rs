//! Data a page loads from the server, shown the same way everywhere: "Loading…" until the first
//! answer, then the content; or, when loading failed, the error and a button to try again.

use std::sync::Arc;

use leptos::prelude::*;

use super::load_error::LoadError;
use super::loading::Loading;
use crate::ui::api::ApiError;

/// Shows `resource` through `children`. While it loads again (Try again, or after a change) the
/// content already shown stays until the new answer arrives, as with any `<Transition>`.
#[component]
pub fn Loadable<T, V, F>(
    /// What to load; Try again loads it again.
    resource: LocalResource<Result<T, ApiError>>,
    /// Shown instead of the error when the server answers 404: there is no such thing, or this
    /// user may not know it exists.
    #[prop(optional, into)]
    not_found: Option<ViewFn>,
    /// The content, from the loaded value.
    children: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
{
    let children = Arc::new(children);
    view! {
        <Transition fallback=|| view! { <Loading inline=true /> }>
            {move || {
                let children = Arc::clone(&children);
                let not_found = not_found.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => children(value).into_any(),
                        Err(error) => match not_found.filter(|_| error.is_not_found()) {
                            Some(not_found) => not_found.run(),
                            None => view! {
                                <LoadError
                                    message=error.to_string()
                                    retry=Callback::new(move |()| resource.refetch())
                                />
                            }
                            .into_any(),
                        },
                    }
                })
            }}
        </Transition>
    }
}
