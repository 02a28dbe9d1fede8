//! The built web app. Unknown paths get `index.html`, so client-side routes survive a reload.
//! Responses are gzip-compressed when the browser accepts it, and revalidated on every load (Trunk's
//! file names change with their content; `index.html` does not), so a new release is never stale.

use std::{convert::Infallible, path::Path};

use axum::{
    body::Body,
    http::{HeaderValue, Request, Response, header},
};
use tower::{ServiceBuilder, util::BoxCloneSyncService};
use tower_http::{
    compression::CompressionLayer,
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

pub fn service(web_dir: &Path) -> BoxCloneSyncService<Request<Body>, Response<Body>, Infallible> {
    let files = ServeDir::new(web_dir).fallback(ServeFile::new(web_dir.join("index.html")));
    let service = ServiceBuilder::new()
        .map_response(|response: Response<_>| response.map(Body::new))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(CompressionLayer::new())
        .service(files);
    BoxCloneSyncService::new(service)
}
