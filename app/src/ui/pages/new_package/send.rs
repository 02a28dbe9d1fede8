//! Sending a package: the draft, the transfer spec for the chosen files, the upload, and then
//! waiting for the server to mark the package sent (it does once every file is complete).

use std::time::Duration;

use super::draft;
use super::files::ChosenFile;
use crate::types::{
    DeclaredFile, ErrorCode, NewPackage, PackageState, TransferClient, TransferFile,
    UploadSpecRequest,
};
use crate::ui::api::{self, ApiError};
use crate::ui::app_settings::AppSettings;
use crate::ui::transfer::upload::{PackageUpload, UploadOutcome};
use crate::ui::transfer::{self, GATEWAY_OFF};

/// How long to wait for the server to mark a fully uploaded package sent.
const SENT_CHECKS: [u64; 8] = [200, 400, 800, 1600, 3000, 3000, 5000, 5000];

/// An upload ready to run: the draft's id, and for each of the upload's files the key of its row.
pub struct Prepared {
    pub package_id: i64,
    pub upload: PackageUpload,
    pub keys: Vec<u64>,
}

/// Creates (or reuses) the draft and asks for the spec to upload `files` into it.
pub async fn prepare(request: &NewPackage, files: &[ChosenFile]) -> Result<Prepared, String> {
    let declared: Vec<DeclaredFile> = files.iter().map(ChosenFile::declared).collect();
    let spec_request = UploadSpecRequest {
        files: declared.clone(),
        client: TransferClient::Browser,
    };
    let mut draft = draft::draft_for(request).await.map_err(|e| e.to_string())?;
    let answer = match api::upload_spec(draft.id, &spec_request).await {
        // The remembered draft was deleted or sent meanwhile (another tab): start a new one.
        Err(ApiError::Server {
            status: 404 | 409, ..
        }) => {
            draft::forget();
            draft = draft::draft_for(request).await.map_err(|e| e.to_string())?;
            api::upload_spec(draft.id, &spec_request).await
        }
        answer => answer,
    };
    let spec = match answer {
        Ok(spec) => spec,
        Err(error) => {
            // Nothing was sent: a draft made just now for it would only be clutter in Sent.
            if draft.fresh {
                let _ = draft::discard().await;
            }
            if error.code() == Some(ErrorCode::GatewayDisabled) {
                AppSettings::gateway_refused();
            }
            return Err(error.to_string());
        }
    };
    let package_id = draft.id;

    let matched = match_files(&declared, &spec.files);
    let mut pairs = Vec::new();
    let mut keys = Vec::new();
    for (chosen, spec_index) in files.iter().zip(matched) {
        let Some(spec_index) = spec_index else {
            return Err(format!("The server did not accept {}.", chosen.name));
        };
        pairs.push((chosen.file.clone(), spec_index));
        keys.push(chosen.key);
    }
    Ok(Prepared {
        package_id,
        upload: PackageUpload::new(spec, declared, pairs),
        keys,
    })
}

/// How sending ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The package is sent.
    Sent(i64),
    /// Everything is uploaded but the server has not marked it sent (yet).
    Uploaded(i64),
    NothingLeft,
    Failed(String),
    Aborted,
}

/// Waits for the upload and then for the server to mark the package sent.
pub async fn finish(package_id: i64, upload: &PackageUpload) -> Outcome {
    match upload.run().await {
        UploadOutcome::Complete => {}
        UploadOutcome::NothingLeft => return Outcome::NothingLeft,
        UploadOutcome::Aborted => return Outcome::Aborted,
        UploadOutcome::Failed(reasons)
            if reasons.iter().any(|reason| reason.ends_with(GATEWAY_OFF)) =>
        {
            return Outcome::Failed(format!(
                "{GATEWAY_OFF} Your files stay chosen: send the package once it is on again \
                 (files already uploaded are not sent twice)."
            ));
        }
        UploadOutcome::Failed(reasons) => {
            return Outcome::Failed(format!(
                "Some files could not be uploaded. {} Press Send package to try again.",
                reasons.join(" ")
            ));
        }
    }
    for delay in SENT_CHECKS {
        if let Ok(detail) = api::get_package(package_id).await
            && detail.summary.state == PackageState::Sent
        {
            draft::forget();
            transfer::upload::forget_package(package_id);
            return Outcome::Sent(package_id);
        }
        transfer::pause(Duration::from_millis(delay)).await;
    }
    Outcome::Uploaded(package_id)
}

/// For each declared file, the spec file that is its: same name and size, else (the server may
/// have cleaned up the name) the next unclaimed one of the same size.
fn match_files(declared: &[DeclaredFile], spec: &[TransferFile]) -> Vec<Option<usize>> {
    let mut claimed = vec![false; spec.len()];
    let mut matched = vec![None; declared.len()];
    let same_name = |file: &DeclaredFile, s: &TransferFile| s.name == file.name;
    let any_name = |_: &DeclaredFile, _: &TransferFile| true;
    for fits in [
        &same_name as &dyn Fn(&DeclaredFile, &TransferFile) -> bool,
        &any_name,
    ] {
        for (file, slot) in declared.iter().zip(matched.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            let found = spec
                .iter()
                .enumerate()
                .position(|(i, s)| !claimed[i] && s.size == file.size && fits(file, s));
            if let Some(index) = found {
                claimed[index] = true;
                *slot = Some(index);
            }
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(name: &str, size: u64) -> DeclaredFile {
        DeclaredFile {
            name: name.to_owned(),
            size,
            path: None,
        }
    }

    fn spec_file(id: i64, name: &str, size: u64) -> TransferFile {
        TransferFile {
            id,
            name: name.to_owned(),
            path: None,
            size,
            complete: false,
            url: None,
            sha256: None,
        }
    }

    #[test]
    fn files_match_by_name_then_by_size() {
        let chosen = [declared("a", 1), declared("b\u{202e}", 2), declared("c", 3)];
        let spec = [
            spec_file(9, "c", 3),
            spec_file(8, "b", 2),
            spec_file(7, "a", 1),
        ];
        assert_eq!(match_files(&chosen, &spec), vec![Some(2), Some(1), Some(0)]);
        assert_eq!(match_files(&[declared("d", 4)], &spec), vec![None]);
    }
}
