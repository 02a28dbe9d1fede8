//! Sending a form: one submission at a time, the form pending (its submit button disabled) while
//! it is on its way, and its answer shown in a [`Feedback`]; [`FormActions`] ends such a form.

use std::future::Future;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::feedback::{Feedback, FeedbackMessages};
use crate::ui::api::ApiError;

/// A form's submission; `Copy`, so handlers and views can capture it freely.
#[derive(Debug, Clone, Copy)]
pub struct Submission {
    pending: RwSignal<bool>,
    feedback: Feedback,
}

impl Submission {
    /// A submission whose answer shows in `feedback`: the form's own, or the section's it sits in.
    pub fn new(feedback: Feedback) -> Self {
        Submission {
            pending: RwSignal::new(false),
            feedback,
        }
    }

    /// Whether a submission is on its way (tracked): the submit button is disabled meanwhile.
    pub fn pending(&self) -> bool {
        self.pending.get()
    }

    /// The form's `on:submit`. The page sends the form itself, never the browser; `submit` runs
    /// unless a submission is already on its way (pressing Enter twice sends once). It checks the
    /// form, shows any problem in the [`Feedback`], and otherwise [`send`](Self::send)s.
    pub fn on_submit(self, submit: impl Fn() + 'static) -> impl Fn(SubmitEvent) + 'static {
        move |event: SubmitEvent| {
            event.prevent_default();
            if !self.pending.get_untracked() {
                submit();
            }
        }
    }

    /// Sends `call` and shows its answer: the message it succeeds with, or the error's own.
    pub fn send<M: Into<String>>(self, call: impl Future<Output = Result<M, ApiError>> + 'static) {
        let feedback = self.feedback;
        self.run(async move {
            match call.await {
                Ok(message) => feedback.succeed(message),
                Err(error) => feedback.fail(error.to_string()),
            }
        });
    }

    /// Runs `work`, which shows its outcome itself: the earlier messages go, and the form is
    /// pending until `work` ends.
    pub fn run(self, work: impl Future<Output = ()> + 'static) {
        self.pending.set(true);
        self.feedback.clear();
        let pending = self.pending;
        spawn_local(async move {
            work.await;
            pending.try_set(false);
        });
    }
}

/// The end of a form: its messages, then its submit button, disabled while the submission is on
/// its way (and always when `disabled`: the form cannot be sent).
#[component]
pub fn FormActions(
    submission: Submission,
    /// The submit button's text.
    label: &'static str,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    view! {
        <FeedbackMessages feedback=submission.feedback />
        <div class="form__actions">
            <button
                type="submit"
                class="button button--primary"
                disabled=move || disabled || submission.pending()
            >
                {label}
            </button>
        </div>
    }
}
