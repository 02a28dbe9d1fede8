//! tus concatenation: a `final` upload joins complete `partial` uploads of one file, in order, and
//! completes the file at once (Ferry does not accept a final upload before its parts are done).

use crate::error::AppError;
use std::collections::{HashMap, HashSet};

use app::types::TransferDirection;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::{
    UPLOAD_EXPIRY,
    complete::{self, Completion},
    from_db, is_expired, new_upload_id, not_covered, reload, to_db, writable_package,
};
use crate::{
    db::entities::{package_files, uploads},
    services::AppState,
    transfer::token::TransferClaims,
};

/// Most partial uploads one final upload may join. Each part is a row, a lease and a read while
/// joining; a thousand parts of a 100 GiB file are 100 MiB each. (Before this bound, 9,000 made-up
/// part URLs cost seconds of server work per request.)
pub const MAX_PARTS: usize = 1_000;

/// A `final` upload to create.
#[derive(Debug, Clone)]
pub struct NewFinal {
    /// The file the parts belong to, if the client named it (`file_id` metadata); checked.
    pub file_id: Option<i64>,
    /// The partial uploads' ids, in order.
    pub parts: Vec<String>,
    pub metadata: Option<String>,
    pub declared_sha256: Option<String>,
}

/// Joins complete partial uploads of one file of the token's package into the file.
#[tracing::instrument(skip_all, fields(package.id = claims.pkg, parts = new.parts.len()))]
pub async fn create_final(
    state: &AppState,
    claims: &TransferClaims,
    new: NewFinal,
) -> Result<uploads::Model, AppError> {
    if new.parts.is_empty() {
        return Err(AppError::BadRequest(
            "Upload-Concat: final needs the URLs of the partial uploads to join.".into(),
        ));
    }
    if new.parts.iter().collect::<HashSet<_>>().len() != new.parts.len() {
        return Err(AppError::BadRequest(
            "Upload-Concat: final names the same partial upload twice.".into(),
        ));
    }
    if new.parts.len() > MAX_PARTS {
        return Err(AppError::BadRequest(format!(
            "Upload-Concat: final names {} partial uploads; at most {MAX_PARTS} can be joined \
             (use larger parts).",
            new.parts.len()
        )));
    }
    writable_package(state, claims).await?;
    // Every named part must exist in this package before any lease is taken: one query, so made-up
    // URLs cost the server nothing more than it.
    let known: HashSet<String> = uploads::Entity::find()
        .filter(uploads::Column::Id.is_in(new.parts.iter().cloned()))
        .find_also_related(package_files::Entity)
        .all(&state.db)
        .await?
        .into_iter()
        .filter(|(_, file)| file.as_ref().is_some_and(|f| f.package_id == claims.pkg))
        .map(|(upload, _)| upload.id)
        .collect();
    if let Some(unknown) = new.parts.iter().find(|id| !known.contains(*id)) {
        return Err(unknown_part(unknown));
    }
    let mut held = Vec::with_capacity(new.parts.len());
    for part in &new.parts {
        held.push(
            state
                .upload_locks
                .upload_for_request(part)
                .await?
                .ok_or(AppError::Locked)?,
        );
    }

    let found: HashMap<String, (uploads::Model, Option<package_files::Model>)> =
        uploads::Entity::find()
            .filter(uploads::Column::Id.is_in(new.parts.iter().cloned()))
            .find_also_related(package_files::Entity)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|(upload, file)| (upload.id.clone(), (upload, file)))
            .collect();
    let mut file: Option<package_files::Model> = None;
    let mut length = 0u64;
    let now = Utc::now();
    for id in &new.parts {
        let Some((part, Some(part_file))) = found.get(id) else {
            return Err(unknown_part(id));
        };
        if part_file.package_id != claims.pkg {
            return Err(unknown_part(id));
        }
        if part.kind != uploads::Kind::Partial {
            return Err(AppError::BadRequest(format!(
                "Upload {id} is not a partial upload (create parts with Upload-Concat: partial)."
            )));
        }
        match &file {
            Some(first) if first.id != part_file.id => {
                return Err(AppError::BadRequest(
                    "The partial uploads belong to different files: a final upload joins the \
                     parts of one file."
                        .into(),
                ));
            }
            _ => file = Some(part_file.clone()),
        }
        if is_expired(part, part_file, now) {
            return Err(AppError::UploadExpired);
        }
        if part.offset < part.length {
            return Err(AppError::BadRequest(format!(
                "Partial upload {id} is not complete yet ({} of {} bytes): finish it first.",
                part.offset, part.length
            )));
        }
        length += from_db(part.length);
    }
    let file = file.ok_or_else(|| unknown_part(&new.parts[0]))?;
    if let Some(named) = new.file_id.filter(|&named| named != file.id) {
        return Err(AppError::BadRequest(format!(
            "The partial uploads belong to file {}, not to file_id {named}.",
            file.id
        )));
    }
    if !claims.allows(TransferDirection::Send, file.id) {
        return Err(not_covered(file.id));
    }
    if file.state == package_files::State::Complete {
        return Err(super::already_complete(&file));
    }
    let size = from_db(file.size);
    if length != size {
        let message = format!(
            "The partial uploads hold {length} bytes in all, but file {} has {size}.",
            file.id
        );
        return Err(if length > size {
            AppError::TooLarge(message)
        } else {
            AppError::BadRequest(message)
        });
    }

    let joined = uploads::ActiveModel {
        id: Set(new_upload_id()),
        file_id: Set(file.id),
        kind: Set(uploads::Kind::Final),
        length: Set(to_db(length)?),
        offset: Set(to_db(length)?),
        concat_parts: Set(Some(new.parts.join(" "))),
        metadata: Set(new.metadata),
        declared_sha256: Set(new.declared_sha256.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        expires_at: Set(now + UPLOAD_EXPIRY),
        completed_at: Set(None),
        bytes_removed_at: Set(None),
    }
    .insert(&state.db)
    .await?;
    // The final upload's row, at its full offset, is the record that the parts are being joined:
    // a completion cut short from here is finished by recovery (see `recover`).
    let mut rows = vec![joined.id.clone()];
    rows.extend(new.parts.iter().cloned());
    let completion = Completion {
        file: &file,
        lead: &joined,
        parts: new.parts.clone(),
        rows,
        declared: new.declared_sha256.as_deref(),
    };
    complete::finish(state, completion).await?;
    reload(state, &joined.id).await
}

fn unknown_part(id: &str) -> AppError {
    AppError::BadRequest(format!(
        "Upload-Concat names {id}, which is not a partial upload of this package."
    ))
}
