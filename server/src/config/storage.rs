//! Where the transfer node keeps files: the local disk (the default) or an S3-compatible object
//! store (MinIO, Ceph, AWS S3…). Read by `ferry serve` (its in-process node) and by `ferry node`.

use url::Url;

use super::{ConfigError, Secret, bad};
use crate::cli::StorageArgs;

/// The region sent when none is set (MinIO and most other S3-compatible stores ignore it).
pub const DEFAULT_S3_REGION: &str = "us-east-1";

/// The transfer node's storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// Files under `<data_dir>/storage`.
    Local,
    /// Files in one bucket of an S3-compatible object store.
    S3(S3Settings),
}

/// How to reach the bucket. The secret key is redacted in `Debug`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// The store's URL; `None` means AWS S3 itself (from the region).
    pub endpoint: Option<Url>,
    pub bucket: String,
    pub region: String,
    /// `None` (with the secret also unset) means credentials from the environment (instance role…).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
    /// `https://host/bucket/key` instead of `https://bucket.host/key` (MinIO, Ceph need it).
    pub path_style: bool,
    /// Allows an `http://` endpoint (a store on loopback or a private network).
    pub allow_http: bool,
}

/// The storage that `settings` select, `local` unless set.
pub(super) fn from_settings(settings: &StorageArgs) -> Result<Storage, ConfigError> {
    match settings.storage.as_deref().unwrap_or("local") {
        "local" => {
            if settings.s3_bucket.is_some() || settings.s3_endpoint.is_some() {
                return Err(bad(
                    "storage",
                    "is \"local\" but s3_bucket or s3_endpoint is set; set storage = \"s3\" to use them",
                ));
            }
            Ok(Storage::Local)
        }
        "s3" => s3_settings(settings).map(Storage::S3),
        other => Err(bad(
            "storage",
            format!("{other:?} is not one of \"local\", \"s3\""),
        )),
    }
}

fn s3_settings(settings: &StorageArgs) -> Result<S3Settings, ConfigError> {
    let bucket = settings
        .s3_bucket
        .clone()
        .ok_or_else(|| bad("s3_bucket", "is required when storage is \"s3\""))?;
    check_bucket(&bucket)?;
    let allow_http = flag(settings.s3_allow_http.as_deref(), "s3_allow_http")?;
    let path_style = flag(settings.s3_path_style.as_deref(), "s3_path_style")?;
    let endpoint = settings
        .s3_endpoint
        .as_deref()
        .map(|raw| parse_endpoint(raw, allow_http))
        .transpose()?;
    let region = settings
        .s3_region
        .clone()
        .unwrap_or_else(|| DEFAULT_S3_REGION.into());
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(bad(
            "s3_region",
            format!("{region:?} is not a region name such as {DEFAULT_S3_REGION}"),
        ));
    }
    let access_key_id = settings.s3_access_key_id.clone();
    let secret_access_key = settings.s3_secret_access_key.clone().map(Secret::new);
    match (&access_key_id, &secret_access_key) {
        (Some(_), None) => Err(bad(
            "s3_secret_access_key",
            "is required when s3_access_key_id is set",
        )),
        (None, Some(_)) => Err(bad(
            "s3_access_key_id",
            "is required when s3_secret_access_key is set",
        )),
        _ => Ok(S3Settings {
            endpoint,
            bucket,
            region,
            access_key_id,
            secret_access_key,
            path_style,
            allow_http,
        }),
    }
}

/// S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens.
fn check_bucket(bucket: &str) -> Result<(), ConfigError> {
    let valid = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(bad(
            "s3_bucket",
            format!("{bucket:?} is not a bucket name (3 to 63 of a-z, 0-9, '.', '-')"),
        ))
    }
}

fn parse_endpoint(raw: &str, allow_http: bool) -> Result<Url, ConfigError> {
    let invalid = |reason: String| bad("s3_endpoint", reason);
    let url = Url::parse(raw).map_err(|e| invalid(format!("{raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(format!(
            "{raw:?} must be an http:// or https:// URL with a host"
        )));
    }
    if url.scheme() == "http" && !allow_http {
        return Err(invalid(format!(
            "{raw:?} is plain http: use https, or set s3_allow_http = true for a store on a trusted network"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(format!(
            "{raw:?} must not carry credentials: set s3_access_key_id and s3_secret_access_key"
        )));
    }
    Ok(url)
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`); unset is `false`.
fn flag(raw: Option<&str>, name: &'static str) -> Result<bool, ConfigError> {
    match raw.map(|r| r.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false" | "0" | "no") => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some(other) => Err(bad(name, format!("{other:?} is not true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileConfig;

    fn s3_args() -> StorageArgs {
        StorageArgs {
            storage: Some("s3".into()),
            s3_bucket: Some("ferry-files".into()),
            s3_endpoint: Some("http://127.0.0.1:9000".into()),
            s3_allow_http: Some("true".into()),
            s3_path_style: Some("true".into()),
            s3_access_key_id: Some("AKIDEXAMPLE".into()),
            s3_secret_access_key: Some("very-secret-key-value".into()),
            ..StorageArgs::default()
        }
    }

    #[test]
    fn local_by_default_and_s3_from_settings() {
        let local = from_settings(&StorageArgs::default()).expect("valid");
        assert_eq!(local, Storage::Local);
        let Storage::S3(s3) = from_settings(&s3_args()).expect("valid") else {
            panic!("s3 expected");
        };
        assert_eq!(s3.bucket, "ferry-files");
        assert_eq!(s3.region, DEFAULT_S3_REGION);
        assert!(s3.path_style && s3.allow_http);
        assert!(
            !format!("{s3:?}").contains("very-secret-key-value"),
            "redacted"
        );

        let file: FileConfig =
            "storage = \"s3\"\ns3_bucket = \"from-file\"\ns3_region = \"eu-west-1\"\ns3_path_style = true"
                .parse()
                .expect("valid toml");
        let Storage::S3(s3) = from_settings(&file.serve.storage).expect("valid") else {
            panic!("s3 expected");
        };
        assert_eq!(
            (s3.bucket.as_str(), s3.region.as_str()),
            ("from-file", "eu-west-1")
        );
        assert!(s3.endpoint.is_none() && s3.access_key_id.is_none());
    }

    #[test]
    fn bad_storage_settings_name_the_setting() {
        type Change = fn(&mut StorageArgs);
        let cases: Vec<(Change, &str)> = vec![
            (|a| a.storage = Some("ftp".into()), "storage"),
            (|a| a.s3_bucket = None, "s3_bucket"),
            (|a| a.s3_bucket = Some("Bad_Bucket".into()), "s3_bucket"),
            (|a| a.s3_allow_http = None, "s3_endpoint"),
            (
                |a| a.s3_endpoint = Some("ftp://store".into()),
                "s3_endpoint",
            ),
            (|a| a.s3_path_style = Some("maybe".into()), "s3_path_style"),
            (|a| a.s3_region = Some("eu west".into()), "s3_region"),
            (|a| a.s3_secret_access_key = None, "s3_secret_access_key"),
            (|a| a.s3_access_key_id = None, "s3_access_key_id"),
        ];
        for (change, name) in cases {
            let mut args = s3_args();
            change(&mut args);
            let err = from_settings(&args).expect_err(name);
            assert_eq!(err.name, name, "{err}");
        }
        let separate = crate::cli::ServeArgs {
            node_url: Some("http://127.0.0.1:4002".into()),
            node_token: Some("0123456789abcdef0123456789abcdef".into()),
            storage: s3_args(),
            ..Default::default()
        };
        let err = crate::config::Config::merge(&separate, FileConfig::default())
            .expect_err("the separate node keeps the files");
        assert_eq!(err.name, "storage", "{err}");

        let mut local = s3_args();
        local.storage = None;
        let err = from_settings(&local).expect_err("bucket without s3");
        assert_eq!(err.name, "storage");
    }
}
