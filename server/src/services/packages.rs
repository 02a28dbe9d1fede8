//! Package rules: creating drafts, who may see or delete a package, the lists.
