//! Each recipient's progress, for the package's sender and admins: not downloaded, partially
//! downloaded (how many of the files), or downloaded (and when).

use leptos::prelude::*;

use crate::types::{DownloadState, RecipientStatus};
use crate::ui::format::{
    download_state_label, download_state_tone, local_date_time, machine_date_time,
};

#[component]
pub fn Recipients(statuses: Vec<RecipientStatus>, file_count: usize) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="package-recipients">
            <h2 id="package-recipients" class="panel__title">
                "Recipients"
            </h2>
            <div class="table-scroll">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Recipient"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Downloaded"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || statuses.clone() key=|status| status.user.id let:status>
                            <RecipientRow status file_count />
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn RecipientRow(status: RecipientStatus, file_count: usize) -> impl IntoView {
    let files = files_words(&status, file_count);
    view! {
        <tr>
            <td>
                {status.user.display_name} " "
                <span class="muted">"(" {status.user.username} ")"</span>
            </td>
            <td>
                <span class=format!(
                    "badge badge--{}",
                    download_state_tone(status.state),
                )>{download_state_label(status.state)}</span>
                {files.map(|files| view! { <span class="table__aside">{files}</span> })}
            </td>
            <td class="table__nowrap">
                {status
                    .downloaded_at
                    .map_or_else(
                        || "—".to_owned().into_any(),
                        |at| {
                            view! { <time datetime=machine_date_time(at)>{local_date_time(at)}</time> }
                                .into_any()
                        },
                    )}
            </td>
        </tr>
    }
}

/// "2 of 3 files", said only while a recipient is part-way through.
fn files_words(status: &RecipientStatus, file_count: usize) -> Option<String> {
    (status.state == DownloadState::PartiallyDownloaded)
        .then(|| format!("{} of {file_count} files", status.files_downloaded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::UserSummary;

    fn status(state: DownloadState, files_downloaded: u32) -> RecipientStatus {
        RecipientStatus {
            user: UserSummary {
                id: 1,
                username: "erin".into(),
                display_name: "Erin".into(),
            },
            state,
            downloaded_at: None,
            files_downloaded,
        }
    }

    #[test]
    fn only_a_partial_download_counts_files() {
        assert_eq!(
            files_words(&status(DownloadState::PartiallyDownloaded, 2), 3),
            Some("2 of 3 files".to_owned())
        );
        assert_eq!(files_words(&status(DownloadState::Downloaded, 3), 3), None);
        assert_eq!(
            files_words(&status(DownloadState::NotDownloaded, 0), 3),
            None
        );
    }
}
