//! A file of a package (its bytes live on the transfer node, under a server-made key).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "package_files")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub package_id: i64,
    /// The sanitized display name; never used as a path.
    pub name: String,
    /// The relative path inside the package, ending in `name` (desktop client folders); `None` for
    /// a file at the top. Shown and handed to clients only; never a path on the server.
    pub path: Option<String>,
    pub size: i64,
    pub state: State,
    /// Where the transfer node keeps the published bytes: made by the server, never from a name.
    #[sea_orm(unique)]
    pub storage_key: String,
    /// Hex SHA-256 of the published bytes.
    pub sha256: Option<String>,
    /// CRC-32 of the published bytes (0 to 2³²−1), for ZIP archives of the package; `None` for a
    /// file published before it was recorded, until an archive computes it.
    pub crc32: Option<i64>,
    pub created_at: ChronoDateTimeUtc,
    pub completed_at: Option<ChronoDateTimeUtc>,
    /// When it was marked `deleted`: from then on it is not served.
    pub deleted_at: Option<ChronoDateTimeUtc>,
    /// When its bytes were removed from the transfer node (after `deleted_at`; until then the
    /// housekeeping task retries).
    pub purged_at: Option<ChronoDateTimeUtc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum State {
    /// Its bytes are not all uploaded, verified and published yet.
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "complete")]
    Complete,
    /// Its bytes were deleted (expiration or an admin); the row stays so the package lists it.
    #[sea_orm(string_value = "deleted")]
    Deleted,
}

impl From<State> for app::types::FileState {
    fn from(state: State) -> Self {
        match state {
            State::Pending => Self::Pending,
            State::Complete => Self::Complete,
            State::Deleted => Self::Deleted,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::packages::Entity",
        from = "Column::PackageId",
        to = "super::packages::Column::Id",
        on_delete = "Cascade"
    )]
    Package,
    #[sea_orm(has_many = "super::uploads::Entity")]
    Uploads,
}

impl Related<super::uploads::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Uploads.def()
    }
}

impl Related<super::packages::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Package.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
