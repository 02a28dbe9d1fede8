//! The Files field: a drop zone (also a button that opens the file picker), the "Add files" picker,
//! what was refused, the list of chosen files and, while sending, the total progress.

use leptos::ev::DragEvent;
use leptos::html::Input;
use leptos::prelude::*;
use web_sys::File;

use super::dropped::read_drop;
use super::file_row::FileRow;
use super::files::ChosenFiles;
use crate::ui::components::ProgressBar;
use crate::ui::format::{count, human_size};
use crate::ui::transfer::upload::{FileProgress, TotalProgress};

/// Each file row's key and its upload progress, while sending.
pub type UploadRows = RwSignal<Vec<(u64, RwSignal<FileProgress>)>>;

#[component]
pub fn FilesField(
    files: ChosenFiles,
    #[prop(into)] max_files: Signal<usize>,
    uploads: UploadRows,
    #[prop(into)] sending: Signal<bool>,
    on_cancel: Callback<u64>,
) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let dragging = RwSignal::new(0_i32);

    // A file dropped beside the drop zone must not replace the page (and abort the uploads).
    let ignore_drag = window_event_listener(leptos::ev::dragover, |event| event.prevent_default());
    let ignore_drop = window_event_listener(leptos::ev::drop, |event| event.prevent_default());
    on_cleanup(move || {
        ignore_drag.remove();
        ignore_drop.remove();
    });

    let on_picked = move |_| {
        let Some(element) = input.get_untracked() else {
            return;
        };
        let chosen: Vec<File> = element
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        files.add(chosen, Vec::new(), max_files.get_untracked());
        // Choosing the same file again must fire `change` again.
        element.set_value("");
    };
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        dragging.set(0);
        if sending.get_untracked() {
            return;
        }
        if let Some(data) = event.data_transfer() {
            read_drop(&data, move |dropped| {
                files.add(dropped.files, dropped.folders, max_files.get_untracked());
            });
        }
    };
    let dropzone_class = move || {
        if dragging.get() > 0 {
            "dropzone dropzone--over"
        } else {
            "dropzone"
        }
    };
    let on_drag_enter = move |event: DragEvent| {
        event.prevent_default();
        dragging.update(|n| *n += 1);
    };
    let open_picker = move |_| {
        if let Some(element) = input.get_untracked() {
            element.click();
        }
    };
    let row_progress = move |key: u64| {
        Signal::derive(move || {
            uploads
                .with(|rows| rows.iter().find(|(k, _)| *k == key).map(|(_, p)| *p))
                .and_then(|progress| progress.try_get())
        })
    };
    let total = Memo::new(move |_| {
        let rows = uploads.get();
        let files: Vec<FileProgress> = rows.iter().filter_map(|(_, p)| p.try_get()).collect();
        (!rows.is_empty()).then(|| TotalProgress::of(&files))
    });

    view! {
        <fieldset class="field files-field">
            <legend class="field__label">"Files"</legend>
            <div
                class=dropzone_class
                on:dragenter=on_drag_enter
                on:dragover=move |event: DragEvent| event.prevent_default()
                on:dragleave=move |_| dragging.update(|n| *n = (*n - 1).max(0))
                on:drop=on_drop
            >
                <button
                    type="button"
                    class="dropzone__button"
                    aria-describedby="package-files-hint"
                    disabled=move || sending.get()
                    on:click=open_picker
                >
                    <svg class="dropzone__icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
                        <path
                            d="M12 15V4M7.5 8.5L12 4l4.5 4.5M5 14v4.5A1.5 1.5 0 0 0 6.5 20h11a1.5 1.5 0 0 0 1.5-1.5V14"
                            fill="none"
                            stroke="currentColor"
                            stroke-width="1.6"
                            stroke-linecap="round"
                            stroke-linejoin="round"
                        />
                    </svg>
                    <span class="dropzone__title">"Drop files here or choose files"</span>
                </button>
                <p class="field__hint" id="package-files-hint">
                    {move || format!(
                        "Up to {}. Folders cannot be sent: add the files inside them.",
                        count(max_files.get() as u64, "file", "files"),
                    )}
                </p>
                <div class="file-picker">
                    <input
                        class="file-picker__input"
                        id="package-files"
                        type="file"
                        multiple
                        node_ref=input
                        disabled=move || sending.get()
                        on:change=on_picked
                    />
                    <label class="button button--small file-picker__label" for="package-files">
                        "Add files"
                    </label>
                </div>
            </div>
            <p class="form__error" role="alert">
                {move || files.refusal.get()}
            </p>
            <Show when=move || !files.list.with(Vec::is_empty)>
                <ul class="file-list" aria-label="Chosen files">
                    <For each=move || files.list.get() key=|file| file.key let:file>
                        <FileRow
                            progress=row_progress(file.key)
                            file
                            sending
                            on_remove=Callback::new(move |key| files.remove(key))
                            on_cancel
                        />
                    </For>
                </ul>
                <p class="field__hint files-field__summary">
                    {move || {
                        let (chosen, size) = files
                            .list
                            .with(|list| (list.len(), list.iter().map(|file| file.size).sum::<u64>()));
                        format!("{chosen} of {} files · {}", max_files.get(), human_size(size))
                    }}
                </p>
            </Show>
            {move || total.get().map(|total| {
                let complete = total.done == total.size;
                view! {
                <div class="transfer-total">
                    <div class="transfer-total__head">
                        <span class="transfer-total__label">"Total"</span>
                        <span class="transfer-total__words">{total.words()}</span>
                    </div>
                    <ProgressBar
                        label="Total".to_owned()
                        done=total.done
                        size=total.size
                        complete
                    />
                </div>
            }})}
        </fieldset>
    }
}
