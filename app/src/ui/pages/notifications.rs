//! Notifications: what happened to my packages, newest first, unread ones marked; "Mark as read"
//! on each and "Mark all as read" for the page. Marking updates the bell at once.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::types::{Notification, NotificationKind, NotificationPage, PageQuery};
use crate::ui::api;
use crate::ui::components::{EmptyState, Feedback, FeedbackMessages, Loadable, Page, Pager};
use crate::ui::format::{local_date_time, machine_date_time};
use crate::ui::routes::PackageRoute;
use crate::ui::unread::use_unread;

/// Notifications per page.
const PER_PAGE: u32 = 20;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let unread = use_unread();
    let page = RwSignal::new(1_u32);
    let list = LocalResource::new(move || {
        let query = PageQuery {
            page: page.get(),
            per_page: PER_PAGE,
        };
        async move { api::list_notifications(query).await }
    });
    let feedback = Feedback::new();
    // After a change: the list and the bell load again.
    let changed = Callback::new(move |result: Result<(), api::ApiError>| {
        if let Err(error) = result {
            feedback.fail(error.to_string());
        }
        list.refetch();
        unread.refresh();
    });
    let any_unread = move || unread.get().is_some_and(|n| n > 0);
    let mark_all = move |_| {
        feedback.clear();
        spawn_local(async move { changed.run(api::mark_all_notifications_read().await) });
    };

    view! {
        <Page
            title="Notifications"
            actions=move || {
                view! {
                    <button
                        type="button"
                        class="button button--quiet"
                        disabled=move || !any_unread()
                        on:click=mark_all
                    >
                        "Mark all as read"
                    </button>
                }
            }
        >
            <FeedbackMessages feedback />
            <Loadable resource=list let:found>
                {if found.total == 0 {
                    view! {
                        <EmptyState
                            message="No notifications yet."
                            hint="You are told here when a package arrives for you, when a recipient downloads every file of a package you sent, and when a package's files expire."
                        />
                    }
                        .into_any()
                } else {
                    view! { <NotificationList found page changed /> }.into_any()
                }}
            </Loadable>
        </Page>
    }
}

#[component]
fn NotificationList(
    found: NotificationPage,
    page: RwSignal<u32>,
    changed: Callback<Result<(), api::ApiError>>,
) -> impl IntoView {
    let pages = u32::try_from(found.total.div_ceil(u64::from(found.per_page.max(1))))
        .unwrap_or(u32::MAX)
        .max(1);
    let items = found.items;
    view! {
        <section class="panel panel--flush" aria-label="Notifications">
            <ul class="notification-list">
                <For each=move || items.clone() key=|n| (n.id, n.read_at.is_some()) let:notification>
                    <NotificationItem notification changed />
                </For>
            </ul>
        </section>
        <Show when=move || { pages > 1 }>
            <Pager
                page=page
                pages=Signal::stored(pages)
                label="Notifications pages"
                go_to=Callback::new(move |to| page.set(to))
            />
        </Show>
    }
}

/// What happened, in words: who did what to which package.
fn sentence(notification: &Notification) -> (&'static str, String, &'static str) {
    let who = notification.actor_name.clone();
    match notification.kind {
        NotificationKind::PackageReceived => ("", format!("{who} sent you "), ""),
        NotificationKind::PackageDownloaded => ("", format!("{who} downloaded every file of "), ""),
        NotificationKind::FilesExpired => {
            ("The files of ", String::new(), " expired and were deleted")
        }
    }
}

#[component]
fn NotificationItem(
    notification: Notification,
    changed: Callback<Result<(), api::ApiError>>,
) -> impl IntoView {
    let unread = notification.read_at.is_none();
    let (lead, actor_part, tail) = sentence(&notification);
    let title = format!("\u{201c}{}\u{201d}", notification.package_title);
    let label = format!("Mark as read: {lead}{actor_part}{title}{tail}");
    let id = notification.id;
    // Following the link is reading it: marked read on the way, and the bell (app-wide, so it
    // outlives this page) counts again once the server has it.
    let bell = use_unread();
    let follow = move |_| {
        if unread {
            spawn_local(async move {
                if api::mark_notification_read(id).await.is_ok() {
                    bell.refresh();
                }
            });
        }
    };
    let subject = match notification.package_id {
        Some(package) => {
            view! { <A href=PackageRoute::href(package) on:click=follow>{title}</A> }.into_any()
        }
        None => view! { <span>{title}</span> }.into_any(),
    };
    let pending = RwSignal::new(false);
    let mark = move |_| {
        pending.set(true);
        spawn_local(async move { changed.run(api::mark_notification_read(id).await) });
    };
    let at = notification.created_at;
    let kind = match notification.kind {
        NotificationKind::PackageReceived => "received",
        NotificationKind::PackageDownloaded => "downloaded",
        NotificationKind::FilesExpired => "expired",
    };
    view! {
        <li class=format!(
            "notification notification--{kind}{}",
            if unread { " notification--unread" } else { "" },
        )>
            <span class="notification__dot" aria-hidden="true"></span>
            <div class="notification__body">
                <p class="notification__text">
                    {unread.then(|| view! { <span class="visually-hidden">"Unread: "</span> })}
                    {lead} {actor_part} {subject} {tail} "."
                </p>
                <time class="notification__time" datetime=machine_date_time(at)>
                    {local_date_time(at)}
                </time>
            </div>
            {unread
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="button button--small button--quiet"
                            aria-label=label
                            disabled=move || pending.get()
                            on:click=mark
                        >
                            "Mark as read"
                        </button>
                    }
                })}
        </li>
    }
}
