//! sea-orm entities: the rows as the database stores them. They never cross the wire; `http/` maps
//! them to the DTOs in `app::types`.

pub mod sessions;
pub mod users;
