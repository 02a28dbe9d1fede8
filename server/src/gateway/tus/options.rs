//! `OPTIONS`: what this tus server supports. (A browser's CORS preflight, an `OPTIONS` with
//! `Access-Control-Request-Method`, is answered by the CORS layer before it gets here; this answer
//! carries the CORS headers itself, as it bypasses that layer.)

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
};

use super::{
    CHECKSUM_ALGORITHMS, EXTENSIONS, TUS_CHECKSUM_ALGORITHM, TUS_EXTENSION, TUS_MAX_SIZE,
    TUS_VERSION, TUS_VERSION_HEADER, headers,
};
use crate::services::AppState;

pub async fn options(
    State(state): State<AppState>,
    request_headers: HeaderMap,
) -> (StatusCode, HeaderMap) {
    let mut out = HeaderMap::new();
    if request_headers.contains_key(header::ORIGIN) {
        out.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        out.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            super::cors::exposed_value(),
        );
    }
    out.insert(TUS_VERSION_HEADER, HeaderValue::from_static(TUS_VERSION));
    out.insert(TUS_EXTENSION, HeaderValue::from_static(EXTENSIONS));
    out.insert(
        TUS_CHECKSUM_ALGORITHM,
        HeaderValue::from_static(CHECKSUM_ALGORITHMS),
    );
    out.insert(TUS_MAX_SIZE, headers::value(state.config.max_file_size));
    (StatusCode::NO_CONTENT, out)
}
