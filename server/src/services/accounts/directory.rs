//! The user directory: finding people by the start of their username or display name, to address
//! packages. Email addresses are never shown, so a search must not confirm one either: no prefix of an
//! address matches, and a whole address finds its user only when an admin allowed that.

use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr},
};

use super::MAX_EMAIL_LEN;
use crate::db::entities::users::{self, Column};

/// Most users one search answers with: enough to pick from, too few to list everyone.
pub const LIMIT: u64 = 10;

/// Enabled users whose username or display name starts with `prefix` (ignoring case), and with
/// `exact_email` the one whose whole email address is `prefix` (ignoring case); at most [`LIMIT`],
/// ordered by username. An empty prefix matches everyone.
pub async fn search(
    db: &DatabaseConnection,
    prefix: &str,
    exact_email: bool,
) -> Result<Vec<users::Model>, DbErr> {
    let prefix = prefix.trim();
    if prefix.len() > MAX_EMAIL_LEN {
        return Ok(Vec::new());
    }
    let pattern = format!("{}%", escape_like(&prefix.to_lowercase()));
    let starts_with = |column: Column| {
        Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(&pattern).escape('\\'))
    };
    let mut matches = Condition::any()
        .add(starts_with(Column::Username))
        .add(starts_with(Column::DisplayName));
    if exact_email && prefix.contains('@') {
        matches = matches
            .add(Expr::expr(Func::lower(Expr::col(Column::Email))).eq(prefix.to_lowercase()));
    }
    users::Entity::find()
        .filter(Column::Disabled.eq(false))
        .filter(matches)
        .order_by_asc(Column::Username)
        .limit(LIMIT)
        .all(db)
        .await
}

/// `text` with LIKE's wildcards taken literally (escape character `\`).
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_search_are_literal() {
        assert_eq!(escape_like("a_b%c\\d"), "a\\_b\\%c\\\\d");
        assert_eq!(escape_like("alice"), "alice");
    }
}
