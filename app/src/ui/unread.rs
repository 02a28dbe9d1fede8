//! The bell's unread count, shared through context: asked for when the signed-in app starts, on
//! every navigation, every [`POLL_EVERY`], and after the person marks something read. Each ask is
//! one cheap request (`GET /api/v1/me/notifications/unread`); an older answer never overwrites a
//! newer one.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_location;

use crate::ui::api;

/// How often the count is asked for while the app is open.
pub const POLL_EVERY: Duration = Duration::from_secs(15);

/// The count and the number of the latest request (to drop answers that arrive out of order).
#[derive(Clone, Copy)]
pub struct Unread {
    count: RwSignal<Option<u64>>,
    latest: StoredValue<u64>,
}

impl Unread {
    /// Provides the count to every component below and keeps it fresh until they are unmounted.
    pub fn provide() -> Self {
        let unread = Unread {
            count: RwSignal::new(None),
            latest: StoredValue::new(0),
        };
        provide_context(unread);
        let ticker = set_interval_with_handle(move || unread.refresh(), POLL_EVERY).ok();
        on_cleanup(move || {
            if let Some(ticker) = ticker {
                ticker.clear();
            }
        });
        let location = use_location();
        Effect::new(move || {
            location.pathname.track();
            unread.refresh();
        });
        unread
    }

    /// Asks the server for the count now.
    pub fn refresh(&self) {
        let Some(request) = self.latest.try_update_value(|latest| {
            *latest += 1;
            *latest
        }) else {
            return;
        };
        let (count, latest) = (self.count, self.latest);
        spawn_local(async move {
            // A failure keeps the last count: the next poll tries again.
            if let Ok(unread) = api::unread_notifications().await
                && latest.try_get_value() == Some(request)
            {
                count.try_set(Some(unread));
            }
        });
    }

    /// The unread count, once known (tracked).
    pub fn get(&self) -> Option<u64> {
        self.count.get()
    }
}

/// The [`Unread`] provided by the signed-in app.
pub fn use_unread() -> Unread {
    expect_context::<Unread>()
}
