//! The transfer node: the same contract checked on the local-disk node, the S3 node, and the HTTP node in front
//! of a `ferry node` API on a loopback socket; the API's own rules (the node token, server-made
//! names, error statuses); and a node that dies in the middle of an append.
mod api;
mod contract;
mod restart;
mod s3;
mod support;
