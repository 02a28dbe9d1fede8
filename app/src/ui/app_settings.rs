//! The admin settings and the server's client configuration, fetched once for the signed-in app and
//! shared through context: the gateway notices, the footer and the forms all read the same copy.

use std::cell::Cell;

use leptos::prelude::*;

use crate::types::{ClientConfig, Settings};
use crate::ui::api::{self, ApiError};

/// `GET /api/v1/settings` and `GET /api/v1/config`, loaded once; [`AppSettings::refresh`] after an
/// admin changes them.
#[derive(Clone, Copy)]
pub struct AppSettings {
    pub settings: LocalResource<Result<Settings, ApiError>>,
    pub config: LocalResource<Result<ClientConfig, ApiError>>,
}

thread_local! {
    /// The signed-in app's settings, for transfers that learn the gateway was turned off.
    static PROVIDED: Cell<Option<AppSettings>> = const { Cell::new(None) };
}

impl AppSettings {
    /// Starts both requests and provides the result to every component below.
    pub fn provide() -> Self {
        let app_settings = AppSettings {
            settings: LocalResource::new(api::get_settings),
            config: LocalResource::new(api::get_config),
        };
        provide_context(app_settings);
        PROVIDED.set(Some(app_settings));
        on_cleanup(|| PROVIDED.set(None));
        app_settings
    }

    /// A transfer was refused because an admin turned the gateway off (`gateway_disabled`): load
    /// the settings again, so every page switches to its gateway-off state (no Send, no Download,
    /// the notice saying why) instead of offering what cannot work.
    pub fn gateway_refused() {
        if let Some(app_settings) = PROVIDED.get() {
            app_settings.refresh();
        }
    }

    /// Loads both again (after an admin saved the settings).
    pub fn refresh(&self) {
        self.settings.refetch();
        self.config.refetch();
    }

    /// The settings, once loaded (tracked).
    pub fn current(&self) -> Option<Settings> {
        self.settings.get().and_then(Result::ok)
    }

    /// The client configuration, once loaded (tracked).
    pub fn client_config(&self) -> Option<ClientConfig> {
        self.config.get().and_then(Result::ok)
    }

    /// Whether the HTTP gateway is on (tracked; `false` until known, so nothing about the gateway
    /// flashes up when it turns out to be off).
    pub fn gateway_enabled(&self) -> bool {
        self.current().is_some_and(|s| s.gateway_enabled)
            && self
                .client_config()
                .is_some_and(|c| c.gateway_url.is_some())
    }
}

/// The [`AppSettings`] provided for the signed-in app.
pub fn use_app_settings() -> AppSettings {
    expect_context::<AppSettings>()
}
