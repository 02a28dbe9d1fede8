//! The bytes of a download, kept by the browser and never copied into wasm memory: the body's
//! chunks (`Uint8Array`s the fetch stream hands out) are only counted here, gathered into a `Blob`
//! every few megabytes (which lets the browser move large downloads out of the JS heap), and
//! finally joined into one `Blob` that is handed to the browser's downloads through an object URL.

use std::time::Duration;

use leptos::prelude::{document, set_timeout};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::js_sys::{Array, Uint8Array};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Chunks are gathered into one `Blob` once they add up to this many bytes.
const GATHER_BYTES: u64 = 8 * 1024 * 1024;
/// How long the object URL of a saved file stays valid: the browser's downloads read it after the
/// click, asynchronously.
const REVOKE_AFTER: Duration = Duration::from_secs(60);

/// The bytes received so far, in order.
pub struct BlobParts {
    /// Gathered `Blob`s, oldest first.
    blobs: Array,
    /// Chunks not gathered yet.
    chunks: Array,
    chunk_bytes: u64,
    len: u64,
}

impl BlobParts {
    pub fn new() -> Self {
        BlobParts {
            blobs: Array::new(),
            chunks: Array::new(),
            chunk_bytes: 0,
            len: 0,
        }
    }

    /// Bytes held.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Drops everything (the download starts over).
    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// Keeps one chunk of the body; only its length is read.
    pub fn push(&mut self, chunk: &Uint8Array) {
        let bytes = u64::from(chunk.byte_length());
        self.chunks.push(chunk);
        self.chunk_bytes += bytes;
        self.len += bytes;
        if self.chunk_bytes >= GATHER_BYTES {
            self.gather();
        }
    }

    /// Joins the pending chunks into one `Blob`.
    fn gather(&mut self) {
        if self.chunks.length() == 0 {
            return;
        }
        if let Ok(blob) = Blob::new_with_u8_array_sequence(&self.chunks) {
            self.blobs.push(&blob);
            self.chunks = Array::new();
            self.chunk_bytes = 0;
        }
    }

    /// The whole file as one `Blob` (the parts stay until cleared).
    pub fn join(&mut self) -> Result<Blob, JsValue> {
        self.gather();
        let options = BlobPropertyBag::new();
        options.set_type("application/octet-stream");
        if self.chunks.length() > 0 {
            // Gathering failed: join the chunks with the blobs directly.
            let all = self.blobs.concat(&self.chunks);
            return Blob::new_with_blob_sequence_and_options(&all, &options);
        }
        Blob::new_with_blob_sequence_and_options(&self.blobs, &options)
    }
}

/// Hands `blob` to the browser's downloads as `name`: a hidden `<a download>` pointing at an
/// object URL is clicked, and the URL is revoked a little later.
pub fn save(blob: &Blob, name: &str) -> Result<(), JsValue> {
    let url = Url::create_object_url_with_blob(blob)?;
    let link: HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    let body = document()
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        REVOKE_AFTER,
    );
    Ok(())
}
