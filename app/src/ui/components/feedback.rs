//! The answer to a form or an action: an error in a `role="alert"` or a confirmation in a
//! `role="status"`. Both regions are always in the page (hidden while empty) so that screen readers
//! announce what appears in them.

use leptos::prelude::*;

/// What the last submission led to; `Copy`, so handlers can capture it freely.
#[derive(Debug, Clone, Copy)]
pub struct Feedback {
    error: RwSignal<Option<String>>,
    success: RwSignal<Option<String>>,
}

impl Feedback {
    pub fn new() -> Self {
        Feedback {
            error: RwSignal::new(None),
            success: RwSignal::new(None),
        }
    }

    /// Shows an error (and hides any earlier confirmation).
    pub fn fail(&self, message: impl Into<String>) {
        self.success.set(None);
        self.error.set(Some(message.into()));
    }

    /// Shows a confirmation (and hides any earlier error).
    pub fn succeed(&self, message: impl Into<String>) {
        self.error.set(None);
        self.success.set(Some(message.into()));
    }

    /// Hides both, e.g. when a new submission starts.
    pub fn clear(&self) {
        self.error.set(None);
        self.success.set(None);
    }

    /// Shows the outcome of a call: `success` or the error's message.
    pub fn show<T, E: std::fmt::Display>(&self, result: &Result<T, E>, success: impl Into<String>) {
        match result {
            Ok(_) => self.succeed(success),
            Err(error) => self.fail(error.to_string()),
        }
    }
}

impl Default for Feedback {
    fn default() -> Self {
        Self::new()
    }
}

/// The two live regions of a [`Feedback`].
#[component]
pub fn FeedbackMessages(feedback: Feedback) -> impl IntoView {
    view! {
        <p class="form__error" role="alert">
            {move || feedback.error.get()}
        </p>
        <p class="form__success" role="status">
            {move || feedback.success.get()}
        </p>
    }
}
