//! Email settings: the SMTP server Ferry sends notifications through, and the public base URL
//! its links use. Without `smtp_host` email is off and nothing else changes; with it, `smtp_from`
//! and `public_url` are required (a link built from a request's Host header could point anywhere).

use url::Url;

use super::{ConfigError, Secret, bad};
use crate::cli::ServeArgs;

/// How the SMTP connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or a trusted network only).
    None,
    /// Plain connection upgraded with STARTTLS, required (port 587).
    StartTls,
    /// TLS from the first byte ("SMTPS", port 465).
    Tls,
}

impl SmtpTls {
    fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::StartTls => 587,
            Self::Tls => 465,
        }
    }
}

/// A validated SMTP server and sender.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// User name and password, when the server wants them.
    pub credentials: Option<(String, Secret)>,
    /// The `From:` mailbox, such as `Ferry <ferry@example.com>`.
    pub from: lettre::message::Mailbox,
    /// Where people reach the web app; every link in an email starts with it.
    pub public_url: Url,
}

impl MailConfig {
    /// `None` when `smtp_host` is unset (email off); otherwise every setting checked.
    pub(super) fn from_settings(settings: &ServeArgs) -> Result<Option<Self>, ConfigError> {
        let public_url = settings
            .public_url
            .as_deref()
            .map(parse_public_url)
            .transpose()?;
        let Some(host) = settings
            .smtp_host
            .as_deref()
            .filter(|h| !h.trim().is_empty())
        else {
            for (value, name) in [
                (&settings.smtp_username, "smtp_username"),
                (&settings.smtp_from, "smtp_from"),
            ] {
                if value.is_some() {
                    return Err(bad(
                        name,
                        "is set but smtp_host is not: set smtp_host to turn email on",
                    ));
                }
            }
            return Ok(None);
        };
        let host = host.trim().to_owned();
        if host.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(bad(
                "smtp_host",
                format!("{host:?} is not a host name or IP address"),
            ));
        }
        let tls = match settings.smtp_tls.as_deref().unwrap_or("starttls") {
            "none" => SmtpTls::None,
            "starttls" => SmtpTls::StartTls,
            "tls" => SmtpTls::Tls,
            other => {
                return Err(bad(
                    "smtp_tls",
                    format!("{other:?} is not one of \"none\", \"starttls\", \"tls\""),
                ));
            }
        };
        let port = match &settings.smtp_port {
            Some(text) => text
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| {
                    bad(
                        "smtp_port",
                        format!("{text:?} is not a port number (1 to 65535)"),
                    )
                })?,
            None => tls.default_port(),
        };
        let credentials = match (&settings.smtp_username, &settings.smtp_password) {
            (Some(user), Some(password)) => Some((user.clone(), Secret::new(password.clone()))),
            (None, None) => None,
            (Some(_), None) => {
                return Err(bad(
                    "smtp_password",
                    "is required when smtp_username is set",
                ));
            }
            (None, Some(_)) => {
                return Err(bad(
                    "smtp_username",
                    "is required when smtp_password is set",
                ));
            }
        };
        let from_raw = settings.smtp_from.as_deref().ok_or_else(|| {
            bad(
                "smtp_from",
                "is required when smtp_host is set: the sender address, such as \"Ferry <ferry@example.com>\"",
            )
        })?;
        let from = from_raw.parse().map_err(|e| {
            bad(
                "smtp_from",
                format!("{from_raw:?} is not an email address: {e}"),
            )
        })?;
        let public_url = public_url.ok_or_else(|| {
            bad(
                "public_url",
                "is required when smtp_host is set: emails link to the web app there, such as https://ferry.example.com",
            )
        })?;
        Ok(Some(Self {
            host,
            port,
            tls,
            credentials,
            from,
            public_url,
        }))
    }

    /// The absolute link to a web app path (`/packages/7`), under [`Self::public_url`].
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url.as_str().trim_end_matches('/'), path)
    }
}

pub(super) fn parse_public_url(raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| bad("public_url", reason);
    let url = Url::parse(raw).map_err(|e| invalid(format!("{raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(format!(
            "{raw:?} must be an http:// or https:// URL with a host"
        )));
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(invalid(format!(
            "{raw:?} must not carry credentials, a query or a fragment"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ServeArgs {
        ServeArgs {
            smtp_host: Some("smtp.example.com".into()),
            smtp_from: Some("Ferry <ferry@example.com>".into()),
            public_url: Some("https://ferry.example.com/".into()),
            ..ServeArgs::default()
        }
    }

    #[test]
    fn email_is_off_without_a_host() {
        assert!(
            MailConfig::from_settings(&ServeArgs::default())
                .expect("valid")
                .is_none()
        );
    }

    #[test]
    fn defaults_follow_the_tls_mode_and_secrets_are_redacted() {
        let mut raw = settings();
        raw.smtp_username = Some("mailer".into());
        raw.smtp_password = Some("hunter2-secret".into());
        let mail = MailConfig::from_settings(&raw).expect("valid").expect("on");
        assert_eq!((mail.tls, mail.port), (SmtpTls::StartTls, 587));
        assert_eq!(
            mail.link("/packages/3"),
            "https://ferry.example.com/packages/3"
        );
        assert!(!format!("{mail:?}").contains("hunter2"), "{mail:?}");

        let mut raw = settings();
        raw.smtp_tls = Some("tls".into());
        let mail = MailConfig::from_settings(&raw).expect("valid").expect("on");
        assert_eq!(mail.port, 465);
    }

    #[test]
    fn bad_settings_name_the_setting() {
        type Change = fn(&mut ServeArgs);
        let cases: Vec<(Change, &str)> = vec![
            (|s| s.smtp_tls = Some("ssl".into()), "smtp_tls"),
            (|s| s.smtp_port = Some("0".into()), "smtp_port"),
            (|s| s.smtp_port = Some("smtp".into()), "smtp_port"),
            (|s| s.smtp_from = None, "smtp_from"),
            (|s| s.smtp_from = Some("not an address".into()), "smtp_from"),
            (|s| s.public_url = None, "public_url"),
            (
                |s| s.public_url = Some("ferry.example.com".into()),
                "public_url",
            ),
            (|s| s.smtp_username = Some("u".into()), "smtp_password"),
            (|s| s.smtp_password = Some("p".into()), "smtp_username"),
            (|s| s.smtp_host = Some("a b".into()), "smtp_host"),
        ];
        for (change, name) in cases {
            let mut raw = settings();
            change(&mut raw);
            let err = MailConfig::from_settings(&raw).expect_err(name);
            assert_eq!(err.name, name, "{err}");
        }
        let orphan = ServeArgs {
            smtp_from: Some("a@b.c".into()),
            ..ServeArgs::default()
        };
        assert_eq!(
            MailConfig::from_settings(&orphan)
                .expect_err("no host")
                .name,
            "smtp_from"
        );
    }
}
