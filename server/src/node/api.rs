//! The node API's handlers: each one [`TransferNode`] operation over HTTP. Request bodies stream
//! into `append` and objects stream out of `read`; nothing is buffered whole. Names are checked by
//! the node behind (`[0-9a-z-]`), so a bad id or key is a 400 and touches nothing.

use std::{
    io,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Json,
    body::{Body, BodyDataStream},
    extract::{FromRequest, FromRequestParts, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::error::NodeError;
use crate::storage::http::wire;
use crate::storage::{ByteStream, TransferNode};

/// What the handlers reach: the node behind the API.
#[derive(Clone)]
pub struct NodeState {
    pub node: Arc<dyn TransferNode>,
}

/// `Query` whose rejection is a [`NodeError`].
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(NodeError))]
pub struct NodeQuery<T>(pub T);

/// `Path` whose rejection is a [`NodeError`].
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(NodeError))]
pub struct NodePath<T>(pub T);

/// `Json` whose rejection is a [`NodeError`].
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(NodeError))]
pub struct NodeJson<T>(pub T);

pub async fn health() -> Json<wire::Health> {
    Json(wire::Health {
        status: "ok".into(),
        version: crate::VERSION.into(),
    })
}

pub async fn create_upload(
    State(state): State<NodeState>,
    NodePath(id): NodePath<String>,
) -> Result<StatusCode, NodeError> {
    state.node.create_upload(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[tracing::instrument(skip_all, fields(upload.id = %id, offset = query.offset))]
pub async fn append(
    State(state): State<NodeState>,
    NodePath(id): NodePath<String>,
    NodeQuery(query): NodeQuery<wire::AppendQuery>,
    body: Body,
) -> Result<Json<wire::AppendAnswer>, NodeError> {
    let shared = SharedBody(Arc::new(Mutex::new(body.into_data_stream())));
    let body: ByteStream = Box::pin(shared.clone());
    let appended = state
        .node
        .append(
            &id,
            query.offset,
            query.max,
            body,
            query.digest.map(Into::into),
        )
        .await;
    let appended = match appended {
        Ok(appended) => appended,
        Err(error) => {
            shared.drain(EARLY_ERROR_DRAIN).await;
            return Err(error.into());
        }
    };
    if !appended.body_complete {
        tracing::info!(
            written = appended.written,
            "the body broke off; what arrived is durable"
        );
    }
    Ok(Json(wire::AppendAnswer {
        written: appended.written,
        digest: appended.digest.map(hex::encode),
        body_complete: appended.body_complete,
    }))
}

/// Most bytes of a refused append's body read and dropped before answering (see [`SharedBody`]).
const EARLY_ERROR_DRAIN: u64 = 64 << 20;

/// An append's request body, shared with its handler. When the node refuses an append before
/// reading its body (no such upload), the rest is drained before the error goes out: answering and
/// closing with unread bytes would reset the connection, and the gateway would see a broken
/// connection instead of the error.
#[derive(Clone)]
struct SharedBody(Arc<Mutex<BodyDataStream>>);

impl SharedBody {
    /// Reads and drops up to `limit` more bytes (until the body ends or fails).
    async fn drain(mut self, limit: u64) {
        let mut drained = 0u64;
        while drained < limit {
            match self.next().await {
                Some(Ok(chunk)) => drained += chunk.len() as u64,
                _ => return,
            }
        }
    }
}

impl Stream for SharedBody {
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut body = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        body.poll_next_unpin(cx).map_err(io::Error::other)
    }
}

pub async fn truncate_upload(
    State(state): State<NodeState>,
    NodePath(id): NodePath<String>,
    NodeQuery(query): NodeQuery<wire::TruncateQuery>,
) -> Result<StatusCode, NodeError> {
    state.node.truncate_upload(&id, query.len).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn discard_upload(
    State(state): State<NodeState>,
    NodePath(id): NodePath<String>,
) -> Result<StatusCode, NodeError> {
    state.node.discard_upload(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn idle_uploads(
    State(state): State<NodeState>,
    NodeQuery(query): NodeQuery<wire::IdleQuery>,
) -> Result<Json<wire::IdleUploads>, NodeError> {
    let uploads = state
        .node
        .idle_uploads(Duration::from_secs(query.idle_secs))
        .await?;
    Ok(Json(wire::IdleUploads { uploads }))
}

#[tracing::instrument(skip_all, fields(object.key = %key, parts = request.parts.len()))]
pub async fn publish(
    State(state): State<NodeState>,
    NodePath(key): NodePath<String>,
    NodeJson(request): NodeJson<wire::PublishRequest>,
) -> Result<(StatusCode, Json<wire::PublishAnswer>), NodeError> {
    let published = state.node.publish(&request.parts, &key).await?;
    tracing::info!(size = published.size, "object published");
    Ok((
        StatusCode::CREATED,
        Json(wire::PublishAnswer {
            size: published.size,
            sha256: published.sha256,
            crc32: published.crc32,
        }),
    ))
}

pub async fn delete_object(
    State(state): State<NodeState>,
    NodePath(key): NodePath<String>,
) -> Result<StatusCode, NodeError> {
    state.node.delete_object(&key).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn object_size(
    State(state): State<NodeState>,
    NodePath(key): NodePath<String>,
) -> Result<Json<wire::ObjectSize>, NodeError> {
    let size = state.node.object_size(&key).await?;
    Ok(Json(wire::ObjectSize { size }))
}

/// Exactly `len` bytes from `offset`, streamed, with their `Content-Length`.
pub async fn read_object(
    State(state): State<NodeState>,
    NodePath(key): NodePath<String>,
    NodeQuery(query): NodeQuery<wire::ReadQuery>,
) -> Result<Response, NodeError> {
    let stream = state
        .node
        .read_object(&key, query.offset, query.len)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, query.len.to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Anything else the API does not have.
pub async fn not_found() -> NodeError {
    NodeError::NoSuchPath
}
