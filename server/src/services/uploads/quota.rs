//! The per-user storage quota (admin setting `user_quota_bytes`, off by default), enforced when an
//! upload is created: what a user keeps stored is the files of the packages they sent (complete,
//! not deleted) and their uploads in progress. A new upload that would take them past the quota is
//! refused before any byte of it is accepted.

use crate::error::AppError;
use sea_orm::{
    ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
    sea_query::{Alias, Expr, Func, SimpleExpr},
};

use super::from_db;
use crate::{
    db::entities::{package_files, packages, uploads},
    services::AppState,
    services::settings,
};

/// Refuses a new upload of `length` bytes by `user_id` when it would exceed the quota.
pub(super) async fn check(state: &AppState, user_id: i64, length: u64) -> Result<(), AppError> {
    let Some(quota) = settings::load(&state.db)
        .await
        .map_err(|error| AppError::Internal(anyhow::anyhow!("{error}")))?
        .user_quota_bytes
    else {
        return Ok(());
    };
    let used = stored_by(state, user_id).await?;
    if used.saturating_add(length) > quota {
        return Err(AppError::TooLarge(format!(
            "Your storage quota of {quota} bytes would be exceeded: you keep {used} bytes in sent \
             packages and uploads in progress, and this upload is {length} bytes. Delete packages \
             you no longer need, or ask an administrator for more room."
        )));
    }
    Ok(())
}

/// Bytes `user_id` keeps stored: complete files of their packages, and their open uploads.
async fn stored_by(state: &AppState, user_id: i64) -> Result<u64, AppError> {
    let files: Option<i64> = package_files::Entity::find()
        .select_only()
        .column_as(
            total(
                Func::sum(Expr::col((
                    package_files::Entity,
                    package_files::Column::Size,
                )))
                .into(),
            ),
            "total",
        )
        .join(JoinType::InnerJoin, package_files::Relation::Package.def())
        .filter(packages::Column::SenderId.eq(user_id))
        .filter(package_files::Column::State.eq(package_files::State::Complete))
        .into_tuple()
        .one(&state.db)
        .await?;
    let open: Option<i64> = uploads::Entity::find()
        .select_only()
        .column_as(
            total(Func::sum(Expr::col((uploads::Entity, uploads::Column::Length))).into()),
            "total",
        )
        .join(JoinType::InnerJoin, uploads::Relation::File.def())
        .join(JoinType::InnerJoin, package_files::Relation::Package.def())
        .filter(packages::Column::SenderId.eq(user_id))
        .filter(uploads::Column::Kind.ne(uploads::Kind::Final))
        .filter(uploads::Column::CompletedAt.is_null())
        .filter(uploads::Column::BytesRemovedAt.is_null())
        .into_tuple()
        .one(&state.db)
        .await?;
    Ok(from_db(files.unwrap_or_default()).saturating_add(from_db(open.unwrap_or_default())))
}

/// `CAST(COALESCE(sum, 0) AS BIGINT)`: PostgreSQL sums a bigint column as numeric.
fn total(sum: SimpleExpr) -> SimpleExpr {
    Func::cast_as(Func::coalesce([sum, Expr::val(0)]), Alias::new("bigint")).into()
}
