//! One file through the browser's own downloads, where the page cannot write files itself (no File
//! System Access API): the page asks the package API for a short-lived link to the file and clicks
//! it; the browser's download manager fetches it straight to disk (and resumes it itself). The page
//! cannot see into the browser's downloads, so it follows what the server has delivered to this
//! user, and never says "saved": only that the file was handed over, with its SHA-256 to check.

use std::cell::Cell;
use std::time::Duration;

use leptos::prelude::document;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlAnchorElement;
use web_sys::js_sys::Date;

use super::error::DownloadError;
use super::job::FileDownload;
use super::progress::DownloadStage;
use crate::ui::api;
use crate::ui::format::human_size;
use crate::ui::transfer::GATEWAY_OFF;
use crate::ui::transfer::wait::pause;

/// How often the page asks what was delivered.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// With nothing more delivered for this long, the page stops following the file.
const GIVE_UP_AFTER_MS: f64 = 90_000.0;

/// Hands file `job` of package `package_id` to the browser's downloads and follows it until the
/// server has delivered every byte, nothing moves any more, or the page goes away (`aborted`).
pub async fn hand_over(job: &FileDownload, package_id: i64, aborted: &Cell<bool>) {
    job.show_delivered(DownloadStage::InBrowser, 0);
    // A file this user already received in full cannot be followed a second time.
    let before = api::file_delivery(package_id, job.file.id).await.ok();
    let followable = before.is_some_and(|delivery| delivery.tracked && !delivery.complete);
    let link = match api::file_link(package_id, job.file.id).await {
        Ok(link) => link,
        Err(error) => {
            job.set_stage(match DownloadError::from_api(&error) {
                DownloadError::Deleted(reason) => DownloadStage::Deleted(reason),
                DownloadError::GatewayOff => DownloadStage::GatewayOff,
                other => DownloadStage::Failed(words(other)),
            });
            return;
        }
    };
    if aborted.get() {
        return;
    }
    if click(&link.url, &job.file.name).is_err() {
        job.set_stage(DownloadStage::Failed(
            "The browser did not start the download.".to_owned(),
        ));
        return;
    }
    if followable {
        follow(job, package_id, aborted).await;
    } else {
        // Give the browser a moment before the next file of "Download all".
        pause(POLL_EVERY).await;
        job.set_stage(handed(job, false));
    }
}

/// Shows what the server delivered until the file is complete or stops moving.
async fn follow(job: &FileDownload, package_id: i64, aborted: &Cell<bool>) {
    let mut last = (0, Date::now());
    loop {
        pause(POLL_EVERY).await;
        if aborted.get() {
            return;
        }
        let now = Date::now();
        match api::file_delivery(package_id, job.file.id).await {
            Ok(delivery) if delivery.complete => {
                job.show_delivered(handed(job, true), delivery.size);
                return;
            }
            Ok(delivery) if delivery.delivered != last.0 => {
                last = (delivery.delivered, now);
                job.show_delivered(DownloadStage::InBrowser, delivery.delivered);
            }
            // Not known now: the next poll may know.
            Ok(_) | Err(_) => {}
        }
        if now - last.1 > GIVE_UP_AFTER_MS {
            let reason = if last.0 == 0 {
                "Your browser's downloads have not fetched this file: it may be waiting for you \
                 to allow this site to download files."
                    .to_owned()
            } else {
                format!(
                    "Your browser's downloads stopped after {} of {}: resume it there.",
                    human_size(last.0),
                    human_size(job.file.size)
                )
            };
            job.set_stage(DownloadStage::Failed(reason));
            return;
        }
    }
}

fn handed(job: &FileDownload, delivered: bool) -> DownloadStage {
    DownloadStage::HandedOver {
        sha256: job.file.sha256.clone(),
        delivered,
    }
}

fn words(error: DownloadError) -> String {
    match error {
        DownloadError::Interrupted(reason)
        | DownloadError::Refused(reason)
        | DownloadError::Deleted(reason) => reason,
        DownloadError::GatewayOff => GATEWAY_OFF.to_owned(),
        DownloadError::Aborted | DownloadError::Cancelled => String::new(),
    }
}

/// Hands the whole package `package_id`, as one ZIP, to the browser's downloads, which fetch it
/// to disk and resume it themselves. What went wrong, in words, if it could not start.
pub async fn hand_over_zip(package_id: i64) -> Result<(), String> {
    let link = api::package_zip_link(package_id)
        .await
        .map_err(|error| error.to_string())?;
    // No name of ours: the gateway's Content-Disposition names it after the package.
    click(&link.url, "")
        .map_err(|_| "The browser did not start the download. Try again.".to_owned())
}

/// Clicks a hidden link to `url`: the gateway answers `Content-Disposition: attachment`, so the
/// browser downloads it and the page stays.
fn click(url: &str, name: &str) -> Result<(), JsValue> {
    let link: HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(url);
    // Names the file where the gateway shares the page's origin (elsewhere the header does).
    link.set_download(name);
    link.set_hidden(true);
    let body = document()
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    Ok(())
}
