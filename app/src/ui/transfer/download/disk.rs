//! Files on the user's disk through the File System Access API (Chromium): the save and folder
//! pickers, and a [`SaveTarget`] that a download's body is written into chunk by chunk, so the
//! browser holds no more of the file than the chunk on its way to disk.
//!
//! web-sys has no stable bindings for these, so the few members used are declared here. The
//! browser writes into a temporary file beside the chosen one and moves it into place on `close`:
//! until then the chosen file is untouched, and a page that goes away leaves nothing half-written.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Function, Object, Promise, Reflect, Uint8Array};

#[wasm_bindgen]
extern "C" {
    /// `FileSystemFileHandle`: a file the user chose (or one in a folder they chose).
    #[wasm_bindgen(extends = Object)]
    #[derive(Clone, Debug)]
    pub type FileHandle;
    #[wasm_bindgen(method, getter)]
    fn name(this: &FileHandle) -> String;
    #[wasm_bindgen(method, js_name = createWritable)]
    fn create_writable(this: &FileHandle, options: &Object) -> Promise;

    /// `FileSystemDirectoryHandle`: a folder the user chose.
    #[wasm_bindgen(extends = Object)]
    #[derive(Clone, Debug)]
    pub type FolderHandle;
    #[wasm_bindgen(method, js_name = getFileHandle)]
    fn get_file_handle(this: &FolderHandle, name: &str, options: &Object) -> Promise;

    /// `FileSystemWritableFileStream`.
    #[wasm_bindgen(extends = Object)]
    #[derive(Clone, Debug)]
    type WritableFile;
    #[wasm_bindgen(method)]
    fn write(this: &WritableFile, data: &Uint8Array) -> Promise;
    #[wasm_bindgen(method)]
    fn truncate(this: &WritableFile, size: f64) -> Promise;
    #[wasm_bindgen(method)]
    fn close(this: &WritableFile) -> Promise;
    #[wasm_bindgen(method)]
    fn abort(this: &WritableFile) -> Promise;
}

/// Whether this browser lets the page write files where the user chooses (else downloads go
/// through the browser's own download manager).
pub fn has_pickers() -> bool {
    picker("showSaveFilePicker").is_some() && picker("showDirectoryPicker").is_some()
}

fn picker(name: &str) -> Option<Function> {
    Reflect::get(&leptos::prelude::window(), &name.into())
        .ok()
        .and_then(|value| value.dyn_into::<Function>().ok())
}

/// Why no file or folder came from a picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickError {
    /// The user closed the picker: nothing to say.
    Cancelled,
    /// The browser refused (no user gesture, a blocked location …), with its message.
    Failed(String),
}

fn pick_error(error: JsValue) -> PickError {
    let name = Reflect::get(&error, &"name".into())
        .ok()
        .and_then(|n| n.as_string());
    if name.as_deref() == Some("AbortError") {
        return PickError::Cancelled;
    }
    let message = Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "the browser refused".to_owned());
    PickError::Failed(message)
}

/// Opens the save picker for `suggested_name`. It must be called from a click handler, before any
/// `await` (the browser allows pickers only right after a user gesture); await what it returns.
pub fn pick_file(
    suggested_name: &str,
) -> impl Future<Output = Result<FileHandle, PickError>> + use<> {
    let options = Object::new();
    let _ = Reflect::set(&options, &"suggestedName".into(), &suggested_name.into());
    open_picker("showSaveFilePicker", options)
}

/// Opens the folder picker (read-write); the same rule as [`pick_file`] applies.
pub fn pick_folder() -> impl Future<Output = Result<FolderHandle, PickError>> {
    let options = Object::new();
    let _ = Reflect::set(&options, &"mode".into(), &"readwrite".into());
    open_picker("showDirectoryPicker", options)
}

fn open_picker<T: JsCast>(
    name: &'static str,
    options: Object,
) -> impl Future<Output = Result<T, PickError>> {
    let promise = picker(name)
        .ok_or_else(|| PickError::Failed("this browser has no file picker".to_owned()))
        .and_then(|picker| {
            picker
                .call1(&leptos::prelude::window(), &options)
                .map_err(pick_error)
        });
    async move {
        let handle = JsFuture::from(Promise::from(promise?))
            .await
            .map_err(pick_error)?;
        Ok(handle.unchecked_into())
    }
}

/// The file `name` in `folder`, created when missing.
pub async fn file_in(folder: &FolderHandle, name: &str) -> Result<FileHandle, PickError> {
    let options = Object::new();
    let _ = Reflect::set(&options, &"create".into(), &true.into());
    let handle = JsFuture::from(folder.get_file_handle(name, &options))
        .await
        .map_err(pick_error)?;
    Ok(handle.unchecked_into())
}

/// Where one download is written: the chosen file, the stream open on it, and how many bytes the
/// browser accepted (a Retry continues from there).
pub struct SaveTarget {
    handle: FileHandle,
    writable: Option<WritableFile>,
    written: u64,
}

impl SaveTarget {
    pub fn new(handle: FileHandle) -> Self {
        SaveTarget {
            handle,
            writable: None,
            written: 0,
        }
    }

    /// The chosen file's name (the user may have changed it in the picker).
    pub fn name(&self) -> String {
        self.handle.name()
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    async fn writable(&mut self) -> Result<WritableFile, JsValue> {
        if let Some(writable) = &self.writable {
            return Ok(writable.clone());
        }
        let options = Object::new();
        Reflect::set(&options, &"keepExistingData".into(), &false.into())?;
        let writable: WritableFile = JsFuture::from(self.handle.create_writable(&options))
            .await?
            .unchecked_into();
        self.writable = Some(writable.clone());
        self.written = 0;
        Ok(writable)
    }

    /// Drops what was written: the next chunk is the file's first.
    pub async fn restart(&mut self) -> Result<(), JsValue> {
        if self.written > 0 {
            JsFuture::from(self.writable().await?.truncate(0.0)).await?;
        }
        self.written = 0;
        Ok(())
    }

    /// Appends `chunk`, once the browser has taken it. A failed write leaves the stream unusable:
    /// the next download starts the file over.
    pub async fn write(&mut self, chunk: &Uint8Array) -> Result<(), JsValue> {
        let writable = self.writable().await?;
        if let Err(error) = JsFuture::from(writable.write(chunk)).await {
            self.writable = None;
            self.written = 0;
            return Err(error);
        }
        self.written += u64::from(chunk.byte_length());
        Ok(())
    }

    /// Puts the written file in place of the chosen one; only then is it saved.
    pub async fn close(&mut self) -> Result<(), JsValue> {
        let writable = self.writable().await?;
        self.writable = None;
        JsFuture::from(writable.close()).await?;
        Ok(())
    }

    /// Throws away what was written (the page is going away, or the file starts over elsewhere).
    pub fn discard(&mut self) {
        if let Some(writable) = self.writable.take() {
            let _ = writable.abort();
        }
        self.written = 0;
    }
}
