//! The gateway's tus 1.0.0 server, driven through the gateway router without a socket: protocol
//! rules and refusals, concatenation, token scoping, durability (broken bodies, concurrent writers,
//! expiry) and completion (the package becomes sent). Database-dependent tests run on SQLite and
//! PostgreSQL.
mod capacity;
mod completion;
mod concat;
mod conformance;
mod durability;
mod protocol;
mod recovery;
mod refusals;
pub mod support;
mod tokens;
