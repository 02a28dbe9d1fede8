//! What a username may look like: short, printable, no spaces, easy to type in a recipient field.

use app::limits::MAX_USERNAME_LEN;

/// Checks a username; the error is a sentence fragment for the user.
pub fn check(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.len() > MAX_USERNAME_LEN {
        return Err(format!(
            "must be at most {MAX_USERNAME_LEN} characters long"
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if !name.chars().all(allowed) {
        return Err("may contain only letters, digits, '.', '_' and '-'".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_plain_names_and_refuses_the_rest() {
        assert!(check("alice").is_ok());
        assert!(check("j.doe-2_x").is_ok());
        for bad in ["", "a b", "a/b", "ünï", "a@b", &"a".repeat(65)] {
            assert!(check(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
