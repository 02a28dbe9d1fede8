//! A paged list of packages (Received or Sent): the page number lives in the address (`?page=2`),
//! so Back and reload keep it.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::empty_state::EmptyState;
use super::loadable::Loadable;
use super::package_table::{ListKind, PackageTable};
use super::pager::Pager;
use crate::types::{PackagePage, PageQuery};
use crate::ui::api::{self, ApiError};
use crate::ui::routes::AppRoute;

/// Packages per page.
const PER_PAGE: u32 = 20;

/// One list's data: the current page, loaded again whenever `?page=` changes.
#[derive(Clone, Copy)]
pub struct PackageListData {
    kind: ListKind,
    page: Memo<u32>,
    packages: LocalResource<Result<PackagePage, ApiError>>,
}

impl PackageListData {
    pub fn new(kind: ListKind) -> Self {
        let query = use_query_map();
        let page = Memo::new(move |_| {
            query
                .with(|query| query.get("page"))
                .and_then(|page| page.parse::<u32>().ok())
                .unwrap_or(1)
                .max(1)
        });
        let packages = LocalResource::new(move || {
            let query = PageQuery {
                page: page.get(),
                per_page: PER_PAGE,
            };
            async move {
                match kind {
                    ListKind::Received => api::received_packages(query).await,
                    ListKind::Sent => api::sent_packages(query).await,
                }
            }
        });
        PackageListData {
            kind,
            page,
            packages,
        }
    }

    /// Whether the list has anything in it (tracked; `false` until loaded).
    pub fn has_packages(&self) -> bool {
        self.packages
            .get()
            .and_then(Result::ok)
            .is_some_and(|page| page.total > 0)
    }
}

/// The table and its pager, the empty state, or what went wrong.
#[component]
pub fn PackageList(data: PackageListData) -> impl IntoView {
    let PackageListData {
        kind,
        page,
        packages,
    } = data;
    let navigate = use_navigate();
    let route = match kind {
        ListKind::Received => AppRoute::Received,
        ListKind::Sent => AppRoute::Sent,
    };
    let go_to = Callback::new(move |page: u32| {
        navigate(&format!("{}?page={page}", route.href()), Default::default());
    });

    view! {
        <Loadable resource=packages let:list>
            {if list.total == 0 {
                empty(kind).into_any()
            } else {
                let pages = page_count(list.total, list.per_page.max(1));
                view! {
                    <PackageTable kind packages=list.items />
                    <Pager
                        page=page
                        pages=Signal::stored(pages)
                        label=match kind {
                            ListKind::Received => "Received pages",
                            ListKind::Sent => "Sent pages",
                        }
                        go_to
                    />
                }
                    .into_any()
            }}
        </Loadable>
    }
}

fn empty(kind: ListKind) -> impl IntoView {
    match kind {
        ListKind::Received => view! {
            <EmptyState
                message="No packages have been sent to you yet."
                hint="When someone sends you a package, it appears here."
            />
        }
        .into_any(),
        ListKind::Sent => view! {
            <EmptyState message="You have not sent any packages yet.">
                <A href=AppRoute::NewPackage.href() attr:class="button button--primary">
                    "New package"
                </A>
            </EmptyState>
        }
        .into_any(),
    }
}

/// Pages needed for `total` items, at least one.
fn page_count(total: u64, per_page: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(per_page)))
        .unwrap_or(u32::MAX)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::page_count;

    #[test]
    fn an_empty_or_exact_list_has_whole_pages() {
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(20, 20), 1);
        assert_eq!(page_count(21, 20), 2);
    }
}
