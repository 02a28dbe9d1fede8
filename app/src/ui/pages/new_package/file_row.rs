//! One chosen file in the list: its name and size, and either a Remove button (before sending) or
//! its upload progress with a Cancel button (while sending).

use leptos::prelude::*;

use super::files::ChosenFile;
use crate::ui::components::ProgressBar;
use crate::ui::format::human_size;
use crate::ui::transfer::upload::{FileProgress, FileStage};

#[component]
pub fn FileRow(
    file: ChosenFile,
    /// The upload's progress, while the package is being sent.
    #[prop(into)]
    progress: Signal<Option<FileProgress>>,
    #[prop(into)] sending: Signal<bool>,
    on_remove: Callback<u64>,
    on_cancel: Callback<u64>,
) -> impl IntoView {
    let ChosenFile {
        key, name, size, ..
    } = file;
    let stage_class = move || {
        let modifier = progress.with(|p| match p.as_ref().map(|p| &p.stage) {
            Some(FileStage::Complete) => " file-row--done",
            Some(FileStage::Failed(_)) => " file-row--failed",
            Some(FileStage::Cancelling | FileStage::Cancelled) => " file-row--cancelled",
            _ => "",
        });
        format!("file-row{modifier}")
    };
    let action = {
        let name = name.clone();
        move || {
            let cancellable = progress.with(|p| p.as_ref().map(FileProgress::cancellable));
            match cancellable {
                Some(true) => Some(
                    view! {
                        <button
                            type="button"
                            class="button button--small button--danger-quiet"
                            aria-label=format!("Cancel {name}")
                            on:click=move |_| on_cancel.run(key)
                        >
                            "Cancel"
                        </button>
                    }
                    .into_any(),
                ),
                None if !sending.get() => Some(
                    view! {
                        <button
                            type="button"
                            class="button button--small button--quiet"
                            aria-label=format!("Remove {name}")
                            on:click=move |_| on_remove.run(key)
                        >
                            "Remove"
                        </button>
                    }
                    .into_any(),
                ),
                _ => None,
            }
        }
    };
    let status = {
        let name = name.clone();
        move || {
            progress.get().map(|p| {
                let complete = p.stage == FileStage::Complete;
                view! {
                    <ProgressBar label=name.clone() done=p.done size=p.size complete />
                    <p class="file-row__status">{p.words()}</p>
                }
            })
        }
    };
    view! {
        <li class=stage_class>
            <div class="file-row__head">
                <span class="file-row__name" title=name.clone()>
                    {name.clone()}
                </span>
                <span class="file-row__size">{human_size(size)}</span>
                <span class="file-row__action">{action}</span>
            </div>
            {status}
        </li>
    }
}
