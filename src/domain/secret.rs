//! Random secrets (session ids, tokens, reset links) and their stored form.
//! Secrets are 256 random bits; only their SHA-256 is stored, which is
//! enough because they cannot be guessed (unlike passwords).

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random secret as 64 hex characters, with an optional prefix.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// The stored form of a secret.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_and_stored_hashed() {
        let a = generate("vng_");
        assert!(a.starts_with("vng_") && a.len() == 68);
        assert_ne!(a, generate("vng_"));
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), a);
        assert!(equal(&a, &a.clone()));
        assert!(!equal(&a, &generate("vng_")));
    }
}
