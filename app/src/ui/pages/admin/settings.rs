//! The Settings section: the admin settings that shape what everyone can do.

use leptos::prelude::*;

use super::desktop_limits::{DesktopLimitsFields, DesktopLimitsInput};
use crate::types::Settings;
use crate::ui::api;
use crate::ui::app_settings::use_app_settings;
use crate::ui::components::{
    ExpirationField, ExpirationInput, Feedback, FormActions, LoadError, Loading, Submission,
};

/// Edits the shared copy of the settings; after saving, the whole app reloads it (the gateway
/// notices and the footer follow at once).
#[component]
pub fn SettingsSection() -> impl IntoView {
    let app_settings = use_app_settings();
    // The form is built once, from the first copy that loads: reloading after a save must not
    // rebuild it under the admin's cursor.
    let loaded = Memo::new(move |was: Option<&bool>| {
        was.copied().unwrap_or(false) || app_settings.current().is_some()
    });
    let failed = move || {
        app_settings
            .settings
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    };
    view! {
        <section class="panel" aria-labelledby="settings-heading">
            <h2 id="settings-heading" class="panel__title">
                "Settings"
            </h2>
            {move || {
                if loaded.get() {
                    app_settings
                        .settings
                        .get_untracked()
                        .and_then(Result::ok)
                        .map(|initial| view! { <SettingsForm initial /> }.into_any())
                } else if let Some(message) = failed() {
                    Some(
                        view! {
                            <LoadError
                                message
                                retry=Callback::new(move |()| app_settings.refresh())
                            />
                        }
                            .into_any(),
                    )
                } else {
                    Some(view! { <Loading inline=true /> }.into_any())
                }
            }}
        </section>
    }
}

#[component]
fn SettingsForm(initial: Settings) -> impl IntoView {
    let app_settings = use_app_settings();
    let gateway = RwSignal::new(initial.gateway_enabled);
    let max_files = RwSignal::new(initial.max_files_per_package.to_string());
    let users_may_change = RwSignal::new(initial.users_may_change_desktop_client);
    let exact_email = RwSignal::new(initial.directory_exact_email);
    let quota = RwSignal::new(quota_text(initial.user_quota_bytes));
    let expiration = ExpirationInput::new(Some(initial.default_expiration));
    let desktop = DesktopLimitsInput::new(&initial);
    let feedback = Feedback::new();
    let submission = Submission::new(feedback);

    let on_submit = submission.on_submit(move || {
        let max = max_files
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=Settings::MAX_FILES_LIMIT).contains(n));
        let Some(max_files_per_package) = max else {
            return feedback.fail(format!(
                "The maximum number of files per package must be between 1 and {}.",
                Settings::MAX_FILES_LIMIT
            ));
        };
        let Ok(user_quota_bytes) = quota_bytes(&quota.get_untracked()) else {
            return feedback.fail(
                "The storage quota per user is a number of GiB greater than 0, or empty for none.",
            );
        };
        let (desktop_max_files_per_package, desktop_max_package_bytes) = match desktop.limits() {
            Ok(limits) => limits,
            Err(problem) => return feedback.fail(problem),
        };
        let default_expiration = match expiration.policy() {
            Ok(Some(policy)) => policy,
            Ok(None) => return feedback.fail("Choose a default expiration."),
            Err(problem) => return feedback.fail(problem),
        };
        let settings = Settings {
            gateway_enabled: gateway.get_untracked(),
            max_files_per_package,
            users_may_change_desktop_client: users_may_change.get_untracked(),
            default_expiration,
            directory_exact_email: exact_email.get_untracked(),
            user_quota_bytes,
            desktop_max_files_per_package,
            desktop_max_package_bytes,
        };
        submission.send(async move {
            let saved = api::save_settings(&settings).await?;
            gateway.try_set(saved.gateway_enabled);
            max_files.try_set(saved.max_files_per_package.to_string());
            users_may_change.try_set(saved.users_may_change_desktop_client);
            exact_email.try_set(saved.directory_exact_email);
            quota.try_set(quota_text(saved.user_quota_bytes));
            expiration.set(Some(saved.default_expiration));
            desktop.set(&saved);
            app_settings.refresh();
            Ok("Settings saved.")
        });
    });

    view! {
        <form class="form" on:submit=on_submit novalidate>
            <Checkbox
                id="settings-gateway"
                label="Enable the HTTP gateway"
                hint="When off, browsers cannot transfer files through the gateway and no gateway option or notice is shown."
                checked=gateway
            />
            <div class="field field--narrow">
                <label class="field__label" for="settings-max-files">
                    "Maximum files per package"
                </label>
                <input
                    class="field__input"
                    id="settings-max-files"
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max=Settings::MAX_FILES_LIMIT
                    required
                    aria-describedby="settings-max-files-hint"
                    bind:value=max_files
                />
                <p class="field__hint" id="settings-max-files-hint">
                    "Packages sent from the browser, which sends files only, never folders."
                </p>
            </div>
            <DesktopLimitsFields input=desktop />
            <Checkbox
                id="settings-users-may-change"
                label="Users may change the desktop client preference"
                hint="When off, only admins set “Disable desktop client” for each user."
                checked=users_may_change
            />
            <Checkbox
                id="settings-exact-email"
                label="Find people by their full email address"
                hint="When on, typing someone's whole address as a recipient finds them. Addresses are never shown, and part of one never matches."
                checked=exact_email
            />
            <div class="field field--narrow">
                <label class="field__label" for="settings-quota">
                    "Storage quota per user (GiB)"
                </label>
                <input
                    class="field__input"
                    id="settings-quota"
                    type="number"
                    inputmode="decimal"
                    min="0"
                    step="any"
                    aria-describedby="settings-quota-hint"
                    bind:value=quota
                />
                <p class="field__hint" id="settings-quota-hint">
                    "What each user may keep stored: the files of the packages they sent and their uploads in progress. Empty: no limit."
                </p>
            </div>
            <ExpirationField input=expiration label="Default expiration" id="settings-expiration" />
            <FormActions submission label="Save settings" />
        </form>
    }
}

/// A checkbox with its label and a hint under it.
#[component]
fn Checkbox(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    checked: RwSignal<bool>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="checkbox">
            <input
                class="checkbox__input"
                id=id
                type="checkbox"
                aria-describedby=hint_id.clone()
                bind:checked=checked
            />
            <div>
                <label class="checkbox__label" for=id>
                    {label}
                </label>
                <p class="field__hint" id=hint_id>
                    {hint}
                </p>
            </div>
        </div>
    }
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// The quota as the field shows it: GiB, empty for none.
pub(super) fn quota_text(bytes: Option<u64>) -> String {
    bytes.map_or_else(String::new, |bytes| {
        let gib = bytes as f64 / GIB;
        let text = format!("{gib:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    })
}

/// The quota in bytes from the field: `None` when empty, an error for anything but a positive number.
pub(super) fn quota_bytes(text: &str) -> Result<Option<u64>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let gib: f64 = text.parse().map_err(|_| ())?;
    if !gib.is_finite() || gib <= 0.0 || gib > 1.0e9 {
        return Err(());
    }
    Ok(Some((gib * GIB).round() as u64))
}

#[cfg(test)]
mod tests {
    use super::{quota_bytes, quota_text};

    #[test]
    fn quotas_are_shown_and_read_in_gib() {
        assert_eq!(quota_text(None), "");
        assert_eq!(quota_text(Some(10 * 1024 * 1024 * 1024)), "10");
        assert_eq!(quota_text(Some(1024 * 1024 * 1024 / 2)), "0.5");
        assert_eq!(quota_bytes(""), Ok(None));
        assert_eq!(quota_bytes(" 2 "), Ok(Some(2 * 1024 * 1024 * 1024)));
        assert_eq!(quota_bytes("0.5"), Ok(Some(512 * 1024 * 1024)));
        assert!(quota_bytes("0").is_err());
        assert!(quota_bytes("-1").is_err());
        assert!(quota_bytes("lots").is_err());
    }
}
