//! After a reload: the draft this tab created and has not sent yet fills the form in again, and the
//! page says how to continue (its files are chosen again, then their uploads resume).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::PackageForm;
use super::chosen::Recipient;
use super::draft;

/// Fills `form` from the unsent draft, if there is one; the returned signal holds the sentence that
/// explains it.
pub(super) fn restore_unsent(form: PackageForm) -> RwSignal<Option<String>> {
    let note = RwSignal::new(None);
    spawn_local(async move {
        let Some((remembered, detail)) = draft::unsent().await else {
            return;
        };
        // The person started over before the answer came: leave their form alone.
        if !form.title.with_untracked(String::is_empty) {
            return;
        }
        let request = remembered.request;
        let recipients = request
            .recipients
            .iter()
            .map(|value| {
                let user = detail
                    .summary
                    .recipients
                    .iter()
                    .find(|user| user.username.eq_ignore_ascii_case(value));
                Recipient {
                    value: value.clone(),
                    label: user.map_or_else(|| value.clone(), |user| user.display_name.clone()),
                }
            })
            .collect();
        form.title.try_set(request.title.clone());
        form.note.try_set(request.note.clone());
        form.recipients.chosen.try_set(recipients);
        form.expiration.set(request.expiration);
        let files: Vec<&str> = detail.files.iter().map(|file| file.name.as_str()).collect();
        let files = if files.is_empty() {
            String::new()
        } else {
            format!(" ({})", files.join(", "))
        };
        note.try_set(Some(format!(
            "“{}” was not sent yet. Choose its files again{files} and press Send package: \
             uploads continue where they stopped.",
            request.title
        )));
    });
    note
}
