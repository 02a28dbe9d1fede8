//! The API's ids as the plain integers the journal stores, whichever way the contract types carry
//! them (plain `i64` or the typed ids of `app::types`): both convert here.

use app::types::{ApiTokenId, FileId, PackageId};

pub fn package(id: impl Into<PackageId>) -> i64 {
    i64::from(id.into())
}

pub fn file(id: impl Into<FileId>) -> i64 {
    i64::from(id.into())
}

pub fn token(id: impl Into<ApiTokenId>) -> i64 {
    i64::from(id.into())
}
