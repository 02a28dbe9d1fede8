//! A tus upload: in progress, or done and kept so `HEAD` still answers (see the `create_uploads`
//! migration).

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Kind {
    /// The whole file in one upload.
    #[sea_orm(string_value = "single")]
    Single,
    /// One piece of a file uploaded in parallel (tus `Upload-Concat: partial`).
    #[sea_orm(string_value = "partial")]
    Partial,
    /// The file, joined from partial uploads (tus `Upload-Concat: final;…`).
    #[sea_orm(string_value = "final")]
    Final,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub struct Model {
    /// Random, server-made; also the upload URL's last segment.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub file_id: i64,
    pub kind: Kind,
    pub length: i64,
    /// Bytes the transfer node has made durable.
    pub offset: i64,
    /// For a final upload: the partial upload ids, in order, space-separated.
    pub concat_parts: Option<String>,
    /// The tus `Upload-Metadata` header as sent at creation (echoed by `HEAD`; may declare the
    /// file's `sha256`).
    pub metadata: Option<String>,
    /// Lower-case hex SHA-256 of the whole file, when the client declared one; checked on completion.
    pub declared_sha256: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
    pub expires_at: ChronoDateTimeUtc,
    pub completed_at: Option<ChronoDateTimeUtc>,
    /// When the node confirmed the upload's bytes removed (after its file completed, or was
    /// deleted); until then housekeeping keeps trying.
    pub bytes_removed_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::package_files::Entity",
        from = "Column::FileId",
        to = "super::package_files::Column::Id",
        on_delete = "Cascade"
    )]
    File,
}

impl Related<super::package_files::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::File.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
