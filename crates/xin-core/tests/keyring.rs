#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The real OS keyring (Secret Service). `cargo xtask test` runs these inside a D-Bus session
//! with gnome-keyring; a plain `cargo test` lists them as ignored, never as passed.

use xin_core::vault::{KeyringVault, Vault};

#[test]
#[ignore = "needs a Secret Service: run through `cargo xtask test`"]
fn keyring_vault_stores_reads_and_deletes() {
    let key = format!("test:{}", uuid::Uuid::now_v7());
    let vault = KeyringVault;
    assert_eq!(vault.get(&key).unwrap(), None);
    vault.set(&key, "s3cret-token").unwrap();
    assert_eq!(vault.get(&key).unwrap().as_deref(), Some("s3cret-token"));
    // Visible to any Secret Service client, not just to us.
    let entry = keyring::Entry::new(xin_core::vault::SERVICE, &key).unwrap();
    assert_eq!(entry.get_password().unwrap(), "s3cret-token");
    vault.delete(&key).unwrap();
    assert_eq!(vault.get(&key).unwrap(), None);
    vault.delete(&key).unwrap();
}
