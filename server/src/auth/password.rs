//! Password policy and argon2id hashing. Hashing is CPU work: callers run it off the async runtime
//! through [`hash`] and [`verify`], which use `spawn_blocking`.

use app::limits::MAX_PASSWORD_LEN;
pub use app::limits::MIN_PASSWORD_LEN;
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};

/// Checks a new password against the policy; the error is a sentence for the user.
pub fn check_policy(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        return Err(format!(
            "must be at least {MIN_PASSWORD_LEN} characters long"
        ));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(format!("must be at most {MAX_PASSWORD_LEN} bytes long"));
    }
    Ok(())
}

/// argon2id with m = 19 MiB, t = 2, p = 1 (OWASP's recommended minimum).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))?;
    Ok(hash.to_string())
}

fn verify_blocking(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Hashes a password (which must already satisfy [`check_policy`]) off the async runtime.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// Checks a password against a stored PHC string off the async runtime. `None` (no such user) still
/// costs one hash, so an unknown user and a wrong password take the same time.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify_blocking(&password, &stored),
        None => {
            let _ = hash_blocking(&password);
            false
        }
    })
    .await
    .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_has_bounds_and_never_truncates() {
        assert!(check_policy("1234567").is_err());
        assert!(check_policy("12345678").is_ok());
        assert!(check_policy(&"x".repeat(64)).is_ok());
        assert!(check_policy(&"x".repeat(MAX_PASSWORD_LEN)).is_ok());
        assert!(check_policy(&"x".repeat(MAX_PASSWORD_LEN + 1)).is_err());
    }

    #[test]
    fn hashes_are_argon2id_with_the_required_cost() {
        let hash = hash_blocking("a good password").expect("hashes");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_blocking("a good password", &hash));
        assert!(!verify_blocking("a good passwore", &hash));
        assert!(!verify_blocking("a good password", "not a hash"));
    }
}
