//! The form's inputs together, what makes it ready to send, and the request it makes.

use leptos::prelude::*;

use super::chosen::RecipientsInput;
use super::files::ChosenFiles;
use crate::types::NewPackage;
use crate::ui::components::ExpirationInput;

/// The form's inputs, `Copy` so handlers can capture them.
#[derive(Clone, Copy)]
pub(super) struct PackageForm {
    pub title: RwSignal<String>,
    pub note: RwSignal<String>,
    pub recipients: RecipientsInput,
    pub expiration: ExpirationInput,
    pub files: ChosenFiles,
}

impl PackageForm {
    pub fn new() -> Self {
        PackageForm {
            title: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
            recipients: RecipientsInput::new(),
            expiration: ExpirationInput::new(None),
            files: ChosenFiles::new(),
        }
    }

    pub fn reset(&self) {
        self.title.set(String::new());
        self.note.set(String::new());
        self.recipients.chosen.set(Vec::new());
        self.recipients.typed.set(String::new());
        self.expiration.set(None);
        self.files.clear();
    }

    /// Whether Send can be pressed: a title, a recipient and a file (tracked).
    pub fn complete(&self) -> bool {
        self.missing().is_empty()
    }

    /// What the form still needs before Send can be pressed, in words (tracked).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.title.with(|t| t.trim().is_empty()) {
            missing.push("a title");
        }
        if self.recipients.chosen.with(Vec::is_empty)
            && self.recipients.typed.with(|t| t.trim().is_empty())
        {
            missing.push("a recipient");
        }
        if self.files.list.with(Vec::is_empty) {
            missing.push("a file");
        }
        missing
    }

    /// The request, or every problem the person can fix before sending, as sentences.
    pub fn request(&self) -> Result<NewPackage, String> {
        let title = self.title.get_untracked().trim().to_owned();
        let recipients: Vec<String> = self
            .recipients
            .chosen
            .get_untracked()
            .into_iter()
            .map(|recipient| recipient.value)
            .collect();
        let expiration = self.expiration.policy();
        let mut problems = Vec::new();
        if title.is_empty() {
            problems.push("Give the package a title.".to_owned());
        }
        if recipients.is_empty() {
            problems.push("Add at least one recipient.".to_owned());
        } else if recipients.len() > NewPackage::MAX_RECIPIENTS {
            problems.push(format!(
                "A package can have at most {} recipients.",
                NewPackage::MAX_RECIPIENTS
            ));
        }
        if self.files.list.with_untracked(Vec::is_empty) {
            problems.push("Add at least one file.".to_owned());
        }
        if let Err(problem) = &expiration {
            problems.push(problem.clone());
        }
        match expiration {
            Ok(expiration) if problems.is_empty() => Ok(NewPackage {
                title,
                note: self.note.get_untracked(),
                recipients,
                expiration,
            }),
            _ => Err(problems.join(" ")),
        }
    }
}
