//! A file's relative path inside its package (`photos/2024/a.jpg`), for packages sent in folders
//! by the desktop client; null for a file at the top. Only ever shown and handed to clients: the
//! bytes stay under server-made keys.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PackageFiles::Table)
                    .add_column(string_len_null(PackageFiles::Path, 1024))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PackageFiles::Table)
                    .drop_column(PackageFiles::Path)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PackageFiles {
    Table,
    Path,
}
