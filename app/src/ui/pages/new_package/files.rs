//! The files chosen so far, and the rules for adding more: files only (a folder is refused, by
//! name), no two with the same name, at most the admin's maximum per package.

use std::cell::Cell;

use leptos::prelude::*;
use web_sys::File;

use crate::types::DeclaredFile;

thread_local! {
    static NEXT_KEY: Cell<u64> = const { Cell::new(0) };
}

/// A chosen file: the browser's `File` (the bytes stay on disk until they are sent) and what the
/// list shows.
#[derive(Debug, Clone)]
pub struct ChosenFile {
    /// Tells list rows apart, even for files added, removed and added again.
    pub key: u64,
    pub file: File,
    pub name: String,
    pub size: u64,
}

impl ChosenFile {
    fn new(file: File) -> Self {
        let key = NEXT_KEY.with(|next| {
            let key = next.get();
            next.set(key + 1);
            key
        });
        ChosenFile {
            key,
            name: file.name(),
            size: file.size() as u64,
            file,
        }
    }

    pub fn declared(&self) -> DeclaredFile {
        DeclaredFile {
            name: self.name.clone(),
            size: self.size,
            path: None,
        }
    }
}

/// The chosen files and why the last ones offered were not all added.
#[derive(Debug, Clone, Copy)]
pub struct ChosenFiles {
    pub list: RwSignal<Vec<ChosenFile>, LocalStorage>,
    pub refusal: RwSignal<Option<String>>,
}

impl ChosenFiles {
    pub fn new() -> Self {
        ChosenFiles {
            list: RwSignal::new_local(Vec::new()),
            refusal: RwSignal::new(None),
        }
    }

    /// Adds `files` as far as the rules allow, and says what was refused (`folders` by name).
    pub fn add(&self, files: Vec<File>, folders: Vec<String>, max_files: usize) {
        let taken: Vec<String> = self
            .list
            .with_untracked(|list| list.iter().map(|f| f.name.clone()).collect());
        let names: Vec<String> = files.iter().map(File::name).collect();
        let admission = admit(&taken, &names, max_files);
        let mut added = Vec::new();
        for (index, file) in files.into_iter().enumerate() {
            if admission.accepted.contains(&index) {
                added.push(ChosenFile::new(file));
            }
        }
        self.list.update(|list| list.extend(added));
        self.refusal
            .set(refusal_message(&folders, &admission, max_files));
    }

    pub fn remove(&self, key: u64) {
        self.list.update(|list| list.retain(|file| file.key != key));
        self.refusal.set(None);
    }

    pub fn clear(&self) {
        self.list.set(Vec::new());
        self.refusal.set(None);
    }
}

/// Which offered files (by index) go in, and which names are refused and why.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Admission {
    pub accepted: Vec<usize>,
    pub duplicates: Vec<String>,
    pub over_limit: Vec<String>,
}

/// Admits offered files in order until the package is full; a name already in the list (or
/// offered twice) is refused, since the server tells files apart by name.
pub fn admit(taken: &[String], offered: &[String], max_files: usize) -> Admission {
    let mut names: Vec<&str> = taken.iter().map(String::as_str).collect();
    let mut admission = Admission::default();
    for (index, name) in offered.iter().enumerate() {
        if names.contains(&name.as_str()) {
            admission.duplicates.push(name.clone());
        } else if names.len() >= max_files {
            admission.over_limit.push(name.clone());
        } else {
            names.push(name);
            admission.accepted.push(index);
        }
    }
    admission
}

/// What to tell the person about files that were not added, if any.
pub fn refusal_message(
    folders: &[String],
    admission: &Admission,
    max_files: usize,
) -> Option<String> {
    let mut sentences = Vec::new();
    if !folders.is_empty() {
        let them = if folders.len() == 1 { "it" } else { "them" };
        sentences.push(format!(
            "Folders cannot be sent: {}. Add the files inside {them} instead.",
            folders.join(", ")
        ));
    }
    if !admission.over_limit.is_empty() {
        sentences.push(format!(
            "A package can have at most {max_files} files: {} not added.",
            admission.over_limit.join(", ")
        ));
    }
    if !admission.duplicates.is_empty() {
        sentences.push(format!(
            "A file with the same name is already in the list: {} not added.",
            admission.duplicates.join(", ")
        ));
    }
    (!sentences.is_empty()).then(|| sentences.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn files_beyond_the_limit_are_refused_by_name() {
        let taken = names(&["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        let admission = admit(&taken, &names(&["10", "11", "12"]), 10);
        assert_eq!(admission.accepted, vec![0]);
        assert_eq!(
            refusal_message(&[], &admission, 10).as_deref(),
            Some("A package can have at most 10 files: 11, 12 not added.")
        );
    }

    #[test]
    fn duplicates_and_folders_are_named() {
        let admission = admit(&names(&["a.txt"]), &names(&["a.txt", "b.txt", "b.txt"]), 10);
        assert_eq!(admission.accepted, vec![1]);
        assert_eq!(
            refusal_message(&names(&["photos"]), &admission, 10).as_deref(),
            Some(
                "Folders cannot be sent: photos. Add the files inside it instead. \
                 A file with the same name is already in the list: a.txt, b.txt not added."
            )
        );
        assert_eq!(refusal_message(&[], &Admission::default(), 10), None);
    }
}
