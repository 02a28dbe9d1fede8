//! Real `ferry` processes: killed (SIGKILL) in the middle of an upload, then started again on the
//! same data dir: the gateway (`ferry serve` with its in-process node), or a separate transfer node
//! (`ferry node`, on the local disk or an S3 bucket) under a running gateway. Either way the upload
//! resumes from the last acknowledged byte, nothing partial is ever published, and the finished
//! file is byte-identical. And two `ferry serve` on one PostgreSQL database and one S3 bucket,
//! sharing uploads, download records and expiry. Spoken over raw HTTP/1.1 sockets.
#![cfg(unix)]
mod admin_cli;
mod cluster;
mod completion;
mod framing;
mod http;
mod instances;
mod logs;
mod node;
mod private_files;
mod process;
mod s3_node;
mod server;
mod site;
mod support;
