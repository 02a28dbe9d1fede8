//! Domain rules, independent of HTTP: who may do what, and what a valid change is.

pub mod accounts;
pub mod packages;
pub mod settings;
