//! `login`: the device authorization flow (RFC 8628). Asks the server for a code, shows it with
//! the approval link, polls at the server's pace (slower when told `slow_down`) until the user
//! approves or denies in the web app or the code expires, then saves the token it is given.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use app::paths;
use app::types::{
    CreatedApiToken, DeviceAuthorization, DeviceAuthorizationRequest, DeviceTokenRequest, ErrorCode,
};
use serde_json::json;

use crate::api::{error_of, http_client};
use crate::cli::{GlobalArgs, LoginArgs};
use crate::credentials::{self, Credentials};
use crate::report::print_json;

pub async fn run(global: &GlobalArgs, args: LoginArgs) -> anyhow::Result<()> {
    let server = args
        .server
        .or_else(|| global.server.clone())
        .or_else(|| credentials::load().ok().flatten().map(|saved| saved.server))
        .map(|raw| credentials::normalize_server(&raw))
        .context(
            "name the server to sign in to: `ferry-desktop login https://ferry.example.com`",
        )?;
    let http = http_client()?;
    let request = DeviceAuthorizationRequest {
        device_name: device_name(),
    };
    let response = http
        .post(format!("{server}{}", paths::DEVICE_AUTHORIZATIONS))
        .json(&request)
        .send()
        .await
        .with_context(|| format!("cannot reach {server}"))?;
    if !response.status().is_success() {
        let error = error_of(response).await;
        return Err(anyhow::Error::new(error).context(format!("{server} did not start a sign-in")));
    }
    let authorization: DeviceAuthorization = response.json().await?;
    if global.json {
        print_json(&json!({
            "event": "device_code",
            "user_code": authorization.user_code,
            "verification_uri": authorization.verification_uri,
            "verification_uri_complete": authorization.verification_uri_complete,
            "expires_in": authorization.expires_in,
        }));
    } else {
        eprintln!(
            "To sign in, open this page in a browser where you are signed in to Ferry:\n\n  {}\n\n\
             and check that it shows the code {}. Waiting for your approval…",
            authorization.verification_uri_complete, authorization.user_code
        );
    }
    let created = poll(&http, &server, &authorization).await?;
    let path = credentials::save(&Credentials {
        server: server.clone(),
        token: created.token,
        token_id: Some(crate::ids::token(created.details.id)),
    })?;
    if global.json {
        print_json(&json!({
            "event": "result", "ok": true, "server": server, "token_name": created.details.name,
        }));
    } else {
        eprintln!(
            "Signed in to {server} as “{}”. Saved in {}.",
            created.details.name,
            path.display()
        );
    }
    Ok(())
}

/// Polls for the token until the user decides or the code expires.
async fn poll(
    http: &reqwest::Client,
    server: &str,
    authorization: &DeviceAuthorization,
) -> anyhow::Result<CreatedApiToken> {
    let deadline = Instant::now() + Duration::from_secs(u64::from(authorization.expires_in));
    let mut interval = Duration::from_secs(u64::from(authorization.interval.max(1)));
    let request = DeviceTokenRequest {
        device_code: authorization.device_code.clone(),
    };
    loop {
        tokio::time::sleep(interval).await;
        if Instant::now() > deadline {
            bail!(
                "the code {} expired before it was approved: run `ferry-desktop login {server}` again",
                authorization.user_code
            );
        }
        let sent = http
            .post(format!("{server}{}", paths::DEVICE_TOKEN))
            .json(&request)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            // The network went away for a moment: keep polling until the deadline.
            Err(_) => continue,
        };
        if response.status().is_success() {
            return Ok(response.json().await?);
        }
        let error = error_of(response).await;
        match error.code {
            ErrorCode::AuthorizationPending => {}
            ErrorCode::SlowDown => interval += Duration::from_secs(5),
            ErrorCode::AccessDenied => bail!("the sign-in was denied in the web app"),
            ErrorCode::ExpiredToken => bail!(
                "the code {} expired or was already used: run `ferry-desktop login {server}` again",
                authorization.user_code
            ),
            _ if error.is_transient() => {}
            _ => return Err(anyhow::Error::new(error).context("the sign-in failed")),
        }
    }
}

/// `ferry-desktop on HOST`: how the approval page and the token list name this computer.
fn device_name() -> String {
    let host = hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this computer".into());
    format!("ferry-desktop on {host}")
        .chars()
        .take(DeviceAuthorizationRequest::MAX_NAME_LEN)
        .collect()
}
