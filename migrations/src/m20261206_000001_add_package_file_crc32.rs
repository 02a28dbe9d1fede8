//! A published file's CRC-32, recorded beside its SHA-256, so a ZIP archive of a package can state
//! every entry's CRC up front and serve any byte range without reading the files before it. Null
//! for files published earlier: the first archive that needs one computes and stores it.

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
                    // 64 bits: a CRC-32 is unsigned, and PostgreSQL has no unsigned integers.
                    .add_column(big_integer_null(PackageFiles::Crc32))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PackageFiles::Table)
                    .drop_column(PackageFiles::Crc32)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PackageFiles {
    Table,
    Crc32,
}
