//! TLS for both listeners: certificate files, or a self-signed certificate made once and kept in
//! the data dir.

use std::path::PathBuf;

use anyhow::Context;
use axum_server::tls_rustls::RustlsConfig;

use crate::config::{Config, TlsMode};

/// Paths of the self-signed certificate and its key.
pub fn self_signed_paths(config: &Config) -> (PathBuf, PathBuf) {
    let dir = config.tls_dir();
    (
        dir.join("self-signed-cert.pem"),
        dir.join("self-signed-key.pem"),
    )
}

/// The rustls configuration for the configured mode, or `None` for plain HTTP.
pub async fn rustls_config(config: &Config) -> anyhow::Result<Option<RustlsConfig>> {
    // Several crates could bring a crypto provider; Ferry uses ring. Installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (cert, key) = match &config.tls {
        TlsMode::Off => return Ok(None),
        TlsMode::Files { cert, key } => (cert.clone(), key.clone()),
        TlsMode::SelfSigned => {
            let paths = self_signed_paths(config);
            if !paths.0.exists() || !paths.1.exists() {
                generate_self_signed(config, &paths).await?;
            }
            paths
        }
    };
    let tls = RustlsConfig::from_pem_file(&cert, &key).await.with_context(|| {
        format!(
            "invalid setting tls_cert/tls_key (env FERRY_TLS_CERT/FERRY_TLS_KEY): cannot load {} and {}",
            cert.display(),
            key.display()
        )
    })?;
    Ok(Some(tls))
}

async fn generate_self_signed(
    config: &Config,
    (cert, key): &(PathBuf, PathBuf),
) -> anyhow::Result<()> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    for ip in [config.http_addr.ip(), config.gateway_addr.ip()] {
        if !ip.is_unspecified() && !names.contains(&ip.to_string()) {
            names.push(ip.to_string());
        }
    }
    if let Some(host) = config
        .gateway_public_url
        .as_ref()
        .and_then(|u| u.host_str())
    {
        names.push(host.trim_matches(['[', ']']).to_owned());
    }
    let generated = rcgen::generate_simple_self_signed(names)
        .context("generating a self-signed certificate failed")?;
    tokio::fs::create_dir_all(config.tls_dir()).await?;
    write_private(key, generated.signing_key.serialize_pem().as_bytes()).await?;
    tokio::fs::write(cert, generated.cert.pem()).await?;
    tracing::info!(cert = %cert.display(), "generated a self-signed TLS certificate");
    Ok(())
}

/// Writes a file readable by its owner only.
async fn write_private(path: &PathBuf, contents: &[u8]) -> anyhow::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).await?;
    file.write_all(contents).await?;
    file.sync_all().await?;
    Ok(())
}
