//! Transfers through the HTTP gateway: signed transfer tokens and the transfer specs that carry them.

pub mod live;
pub mod token;
