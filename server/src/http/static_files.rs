//! The built web app. The paths of its pages come from its own route table (`app::ui::AppRoutes`,
//! listed through `leptos_axum`): each answers `index.html` with 200, so client-side routes survive a
//! reload. Any other path that is not a file of the build answers `index.html` with 404, so the
//! app shows its not-found page while monitoring, crawlers and tools see that nothing is there.
//! Responses are gzip-compressed when the browser accepts it, and revalidated on every load (Trunk's
//! file names change with their content; `index.html` does not), so a new release is never stale.

use std::{convert::Infallible, path::Path};

use axum::{
    Router,
    body::Body,
    http::{HeaderValue, Request, Response, header},
};
use tower::{ServiceBuilder, util::BoxCloneSyncService};
use tower_http::{
    compression::CompressionLayer,
    services::{ServeDir, ServeFile, fs::ServeFileSystemResponseBody},
    set_header::SetResponseHeaderLayer,
};

type WebService = BoxCloneSyncService<Request<Body>, Response<Body>, Infallible>;

/// The web app's pages, `index.html` each, as routes to merge into the web listener's router.
pub fn pages<S: Clone + Send + Sync + 'static>(web_dir: &Path) -> Router<S> {
    let index = web_headers(ServeFile::new(web_dir.join("index.html")));
    page_paths()
        .into_iter()
        .fold(Router::new(), |router, path| {
            router.route_service(&path, index.clone())
        })
}

/// The build's files, with `index.html` and 404 for anything else: the listener's fallback.
pub fn files(web_dir: &Path) -> WebService {
    web_headers(
        ServeDir::new(web_dir).not_found_service(ServeFile::new(web_dir.join("index.html"))),
    )
}

/// The paths of the web app's pages in axum's syntax (`/packages/{id}`), from its route table.
pub fn page_paths() -> Vec<String> {
    leptos_axum::generate_route_list(app::ui::RouteTable)
        .iter()
        .map(|route| route.path().to_owned())
        .collect()
}

fn web_headers<T>(service: T) -> WebService
where
    T: tower::Service<
            Request<Body>,
            Response = Response<ServeFileSystemResponseBody>,
            Error = Infallible,
        > + Clone
        + Send
        + Sync
        + 'static,
    T::Future: Send + 'static,
{
    let service = ServiceBuilder::new()
        .map_response(|response: Response<_>| response.map(Body::new))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(CompressionLayer::new())
        .service(service);
    BoxCloneSyncService::new(service)
}
