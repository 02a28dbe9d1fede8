//! What was dropped on the drop zone: files, and folders (refused by name). A folder is recognised
//! by its entry (`webkitGetAsEntry().isDirectory`); where entries are unavailable, by the fallback
//! that a folder looks like an empty file without a type that cannot be read.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use web_sys::{DataTransfer, File};

/// The files and folder names of one drop.
#[derive(Debug, Default)]
pub struct Dropped {
    pub files: Vec<File>,
    pub folders: Vec<String>,
}

/// Reads a drop, then calls `done` (at once, or after probing files that may be folders). Must be
/// called during the `drop` event, while its data is readable.
pub fn read_drop(data: &DataTransfer, done: impl FnOnce(Dropped) + 'static) {
    let mut dropped = Dropped::default();
    let mut unsure = Vec::new();
    let items = data.items();
    for index in 0..items.length() {
        let Some(item) = items.get(index) else {
            continue;
        };
        if item.kind() != "file" {
            continue;
        }
        let entry = item.webkit_get_as_entry().ok().flatten();
        let Some(file) = item.get_as_file().ok().flatten() else {
            if let Some(entry) = entry.filter(|entry| entry.is_directory()) {
                dropped.folders.push(entry.name());
            }
            continue;
        };
        match entry {
            Some(entry) if entry.is_directory() => dropped.folders.push(entry.name()),
            Some(_) => dropped.files.push(file),
            None if may_be_folder(&file) => unsure.push(file),
            None => dropped.files.push(file),
        }
    }
    if items.length() == 0 {
        // No item list: only the file list, which cannot tell folders apart by itself.
        if let Some(files) = data.files() {
            for file in (0..files.length()).filter_map(|index| files.get(index)) {
                if may_be_folder(&file) {
                    unsure.push(file);
                } else {
                    dropped.files.push(file);
                }
            }
        }
    }
    probe(dropped, unsure, done);
}

fn may_be_folder(file: &File) -> bool {
    file.size() == 0.0 && file.type_().is_empty()
}

/// Tries to read one byte of each unsure file: a folder cannot be read.
fn probe(dropped: Dropped, unsure: Vec<File>, done: impl FnOnce(Dropped) + 'static) {
    if unsure.is_empty() {
        return done(dropped);
    }
    let state = Rc::new(RefCell::new((dropped, unsure.len(), Some(done))));
    for file in unsure {
        let settle = {
            let state = Rc::clone(&state);
            move |file: File, readable: bool| {
                let mut state = state.borrow_mut();
                if readable {
                    state.0.files.push(file);
                } else {
                    state.0.folders.push(file.name());
                }
                state.1 -= 1;
                if state.1 == 0 {
                    let dropped = std::mem::take(&mut state.0);
                    if let Some(done) = state.2.take() {
                        drop(state);
                        done(dropped);
                    }
                }
            }
        };
        let read = file
            .slice_with_f64_and_f64(0.0, 1.0)
            .map(|blob| blob.array_buffer());
        let Ok(read) = read else {
            settle(file, false);
            continue;
        };
        let settle = Rc::new(RefCell::new(Some(settle)));
        let on_result = |readable: bool| {
            let settle = Rc::clone(&settle);
            let file = file.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
                if let Some(settle) = settle.borrow_mut().take() {
                    settle(file.clone(), readable);
                }
            })
        };
        let (on_read, on_fail) = (on_result(true), on_result(false));
        let _ = read.then2(&on_read, &on_fail);
        // The promise owns them from here: one of the two runs once, the other never.
        on_read.forget();
        on_fail.forget();
    }
}
