//! Account rules: creating and changing users, passwords, preferences, API tokens.
