//! How every call goes over the wire: JSON in and out, the CSRF header on state-changing requests,
//! and error answers turned into [`ApiError`]s.

use std::cell::RefCell;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::paths;
use crate::types::ErrorBody;

thread_local! {
    /// Called when an answer says the session has ended (the browser runs one thread).
    static SESSION_ENDED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Registers what to do when any call finds that the session has ended (the app forgets the user
/// and shows the login page). Replaces an earlier registration.
pub fn on_session_ended(hook: impl Fn() + 'static) {
    SESSION_ENDED.with(|slot| *slot.borrow_mut() = Some(Box::new(hook)));
}

/// `GET` a JSON document, with optional query parameters.
pub(super) async fn get<T: DeserializeOwned>(
    url: &str,
    query: &[(&str, String)],
) -> Result<T, ApiError> {
    let request = Request::get(url)
        .header("Accept", "application/json")
        .query(query.iter().map(|(key, value)| (*key, value.as_str())));
    decode(send(request).await?).await
}

/// `POST` a JSON body and decode the JSON answer.
pub(super) async fn post<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<T, ApiError> {
    decode(send_json(Request::post(url), body).await?).await
}

/// `POST` without a body and decode the JSON answer.
pub(super) async fn post_empty<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    decode(send(state_changing(Request::post(url))).await?).await
}

/// `POST` without a body when the answer (204) carries nothing.
pub(super) async fn post_ignoring_answer(url: &str) -> Result<(), ApiError> {
    send(state_changing(Request::post(url))).await.map(drop)
}

/// `PUT` a JSON body and decode the JSON answer.
pub(super) async fn put<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<T, ApiError> {
    decode(send_json(Request::put(url), body).await?).await
}

/// `PUT` a JSON body when the answer carries nothing we need (204, or 200 with a body).
pub(super) async fn put_ignoring_answer<B: Serialize>(url: &str, body: &B) -> Result<(), ApiError> {
    send_json(Request::put(url), body).await.map(drop)
}

/// `PATCH` a JSON body and decode the JSON answer.
pub(super) async fn patch<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<T, ApiError> {
    decode(send_json(Request::patch(url), body).await?).await
}

/// `DELETE`; the answer (204) carries nothing.
pub(super) async fn delete(url: &str) -> Result<(), ApiError> {
    send(state_changing(Request::delete(url))).await.map(drop)
}

async fn send_json<B: Serialize>(request: RequestBuilder, body: &B) -> Result<Response, ApiError> {
    let request = state_changing(request)
        .json(body)
        .map_err(|_| ApiError::Malformed)?;
    check(request.send().await).await
}

/// Marks a request as coming from the web app (the server's CSRF defence requires it on every
/// POST, PUT, PATCH and DELETE).
pub(super) fn state_changing(request: RequestBuilder) -> RequestBuilder {
    request
        .header(paths::CSRF_HEADER, "1")
        .header("Accept", "application/json")
}

pub(super) async fn send(request: RequestBuilder) -> Result<Response, ApiError> {
    check(request.send().await).await
}

/// Passes a 2xx answer through; turns anything else into an [`ApiError`], and tells the app when
/// the session has ended.
pub(super) async fn check(sent: Result<Response, gloo_net::Error>) -> Result<Response, ApiError> {
    let response = sent.map_err(|_| ApiError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let error = match response.json::<ErrorBody>().await {
        Ok(body) => ApiError::Server {
            status,
            code: Some(body.error.code),
            message: body.error.message,
        },
        Err(_) => ApiError::Server {
            status,
            code: None,
            message: fallback_message(status),
        },
    };
    if error.ends_session() {
        SESSION_ENDED.with(|slot| {
            if let Some(hook) = slot.borrow().as_ref() {
                hook();
            }
        });
    }
    Err(error)
}

pub(super) async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response.json::<T>().await.map_err(|_| ApiError::Malformed)
}

/// What to say when an error answer carries no `ErrorBody` (e.g. from a proxy in front of Ferry).
fn fallback_message(status: u16) -> String {
    match status {
        401 => "Please sign in.".to_owned(),
        403 => "You are not allowed to do that.".to_owned(),
        404 => "Not found.".to_owned(),
        429 => "Too many attempts. Wait a moment and try again.".to_owned(),
        500..=599 => format!("The server had a problem (HTTP {status}). Try again later."),
        _ => format!("The request failed (HTTP {status})."),
    }
}
