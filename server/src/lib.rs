//! Ferry's server: the package API and web app listener, the HTTP gateway listener, and the
//! transfer node, started together by [`run`] (`ferry serve`); or the transfer node alone, by
//! [`node::run`] (`ferry node`).
#![forbid(unsafe_code)]

pub mod admin_cli;
pub mod auth;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod connections;
pub mod data_dir;
pub mod db;
pub mod error;
pub mod fault;
pub mod gateway;
pub mod http;
pub mod instance;
pub mod node;
pub mod services;
pub mod storage;
pub mod telemetry;
pub mod tls;
pub mod transfer;

use std::{future::Future, net::TcpListener, time::Duration};

use anyhow::Context;
use axum_server::Handle;

use crate::{bootstrap::AdminAccount, config::Config, services::AppState};

/// Ferry's version, as shown by the web app, `/healthz` and the gateway.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How long a client may take to send a request's headers, on either listener.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long in-flight requests get to finish after a shutdown signal.
pub(crate) const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The two sockets Ferry serves on, bound before [`run`] so callers (and tests) pick the ports.
pub struct Listeners {
    pub web: TcpListener,
    pub gateway: TcpListener,
}

impl Listeners {
    /// Binds both configured addresses, naming the setting when one cannot be used.
    pub fn bind(config: &Config) -> anyhow::Result<Self> {
        let bind = |addr, setting: &str| {
            let listener = TcpListener::bind(addr)
                .with_context(|| format!("invalid setting {setting}: cannot listen on {addr}"))?;
            listener.set_nonblocking(true)?;
            anyhow::Ok(listener)
        };
        Ok(Self {
            web: bind(config.http_addr, "http_addr (env FERRY_HTTP_ADDR)")?,
            gateway: bind(config.gateway_addr, "gateway_addr (env FERRY_GATEWAY_ADDR)")?,
        })
    }
}

/// Opens the database (migrating it), makes sure an admin exists, and serves both listeners until
/// `shutdown` resolves; then lets in-flight requests finish.
pub async fn run(
    config: Config,
    listeners: Listeners,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    data_dir::prepare(&config.data_dir)?;
    let db = db::connect_and_migrate(&config.database_url).await?;
    let admin = bootstrap::ensure_admin(&db, &config).await?;
    let tls = tls::rustls_config(&config).await?;
    if !config.web_dir.join("index.html").exists() {
        tracing::warn!(web_dir = %config.web_dir.display(), "the web app is not built here (no index.html): run scripts/run, or set FERRY_WEB_DIR");
    }

    let state = AppState::new(db, config)?;
    let node_place = match &state.config.remote_node {
        Some(remote) => {
            storage::http::check_at_start(remote).await?;
            remote.url.to_string()
        }
        None => match &state.config.storage {
            config::Storage::S3(settings) => {
                storage::s3::check_at_start(settings).await?;
                format!("in-process, S3 bucket {}", settings.bucket)
            }
            config::Storage::Local => format!(
                "in-process, {}",
                state.config.data_dir.join("storage").display()
            ),
        },
    };
    let web_url = format!(
        "{}://{}",
        state.config.scheme(),
        listeners.web.local_addr()?
    );
    let gateway_url = format!(
        "{}://{}",
        state.config.scheme(),
        listeners.gateway.local_addr()?
    );
    announce(&web_url, &gateway_url, &node_place, &admin);

    let (stop_reclaiming, reclaim_stop) = tokio::sync::watch::channel(false);
    let reclaimer = tokio::spawn(services::housekeeping::run_periodically(
        state.clone(),
        reclaim_stop,
    ));
    let mailer = tokio::spawn(services::mail::worker::run_periodically(
        state.clone(),
        stop_reclaiming.subscribe(),
    ));
    let download_records = state.download_records.clone();

    let handle = Handle::new();
    // One limit for both listeners: they share the process's file descriptors.
    let per_address = connections::PerAddressLimit::new(
        &state.config.trusted_proxies,
        connections::MAX_PER_ADDRESS,
    );
    let web = serve(
        listeners.web,
        http::router(state.clone()),
        tls.clone(),
        handle.clone(),
        Some(HEADER_READ_TIMEOUT),
        per_address.clone(),
    );
    let gateway = serve(
        listeners.gateway,
        gateway::router(state),
        tls,
        handle.clone(),
        Some(HEADER_READ_TIMEOUT),
        per_address,
    );
    let stop = async {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop_reclaiming.send(true);
        handle.graceful_shutdown(Some(SHUTDOWN_GRACE));
        std::future::pending::<()>().await;
    };
    let served = tokio::select! {
        result = async { tokio::try_join!(web, gateway) } => result.map(|_| ()),
        () = stop => Ok(()),
    };
    let _ = stop_reclaiming.send(true);
    if let Err(error) = reclaimer.await {
        tracing::warn!(%error, "the housekeeping task ended abnormally");
    }
    if let Err(error) = mailer.await {
        tracing::warn!(%error, "the mail worker ended abnormally");
    }
    // Downloads cut short by the shutdown still record what they delivered.
    download_records.settled().await;
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// Serves `router` on `listener` until `handle` shuts it down. `header_read_timeout` bounds how long
/// a client may take to send a request's headers, and a new connection's first request (which
/// covers HTTP/2's preface too); `per_address` bounds the connections one client holds. Public so
/// tests can serve with a shorter timeout.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    handle: Handle<std::net::SocketAddr>,
    header_read_timeout: Option<Duration>,
    per_address: connections::PerAddressLimit,
) -> anyhow::Result<()> {
    // The peer address feeds sign-in throttling (`auth::throttle::ClientAddress`).
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    let accept_errors = std::sync::Arc::new(connections::RateLimitedLog::default());
    let on_accept_error = move |peer: Option<&std::net::SocketAddr>, error: &std::io::Error| {
        if error.kind() == std::io::ErrorKind::ConnectionRefused {
            return; // refused by the per-address limit, which logs it itself
        }
        accept_errors.log(|suppressed| match peer {
            // One client's connection failed (a TLS handshake a browser gave up on, a connection
            // over the per-address limit): worth a line, not an alarm.
            Some(peer) => {
                tracing::info!(%error, %peer, suppressed, "a connection was closed before its first request")
            }
            // The listener itself failed to accept (out of file descriptors…): every client is hit.
            None => tracing::warn!(%error, suppressed, "the listener could not accept a connection"),
        });
    };
    match tls {
        Some(tls) => {
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls).acceptor(per_address);
            let mut server = axum_server::from_tcp(listener)?
                .acceptor(acceptor)
                .handle(handle)
                .first_request_timeout(header_read_timeout)
                .accept_error_handler(on_accept_error);
            server
                .http_builder()
                .http1()
                .header_read_timeout(header_read_timeout);
            server.serve(service).await?
        }
        None => {
            let mut server = axum_server::from_tcp(listener)?
                .acceptor(per_address)
                .handle(handle)
                .first_request_timeout(header_read_timeout)
                .accept_error_handler(on_accept_error);
            server
                .http_builder()
                .http1()
                .header_read_timeout(header_read_timeout);
            server.serve(service).await?
        }
    }
    Ok(())
}

fn announce(web_url: &str, gateway_url: &str, node_place: &str, admin: &AdminAccount) {
    println!("Ferry {VERSION} is running.");
    println!("  Web app:       {web_url}");
    println!("  HTTP gateway:  {gateway_url}");
    println!("  Transfer node: {node_place}");
    if let AdminAccount::Created {
        username,
        generated_password,
    } = admin
    {
        match generated_password {
            Some(password) => println!(
                "First start: created the admin account.\n  Username: {username}\n  Password: {}\n  (shown only this once: sign in and keep it somewhere safe)",
                password.expose()
            ),
            None => println!(
                "First start: created the admin account {username:?} with the password from FERRY_ADMIN_PASSWORD."
            ),
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
