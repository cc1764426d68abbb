//! Where credentials live: the OS keyring (Secret Service on Linux), or memory in unit tests.
//! Refresh and remember tokens never touch SQLite or plain files.

use std::{collections::HashMap, sync::Mutex};

use crate::error::{CoreError, CoreResult};

/// The keyring service name every Xin secret is filed under.
pub const SERVICE: &str = "xin";

pub trait Vault: Send + Sync + 'static {
    fn get(&self, key: &str) -> CoreResult<Option<String>>;
    fn set(&self, key: &str, secret: &str) -> CoreResult<()>;
    /// Deleting a missing entry is not an error.
    fn delete(&self, key: &str) -> CoreResult<()>;
}

/// The OS keyring through the `keyring` crate. Calls block on D-Bus: call from blocking threads.
pub struct KeyringVault;

impl KeyringVault {
    fn entry(key: &str) -> CoreResult<keyring::Entry> {
        keyring::Entry::new(SERVICE, key).map_err(|e| CoreError::Vault(e.to_string()))
    }
}

impl Vault for KeyringVault {
    fn get(&self, key: &str) -> CoreResult<Option<String>> {
        match Self::entry(key)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(CoreError::Vault(e.to_string())),
        }
    }

    fn set(&self, key: &str, secret: &str) -> CoreResult<()> {
        Self::entry(key)?
            .set_password(secret)
            .map_err(|e| CoreError::Vault(e.to_string()))
    }

    fn delete(&self, key: &str) -> CoreResult<()> {
        match Self::entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            // Several matching items (another client wrote one too): remove every one of them.
            Err(keyring::Error::Ambiguous(all)) => all.iter().try_for_each(|c| {
                c.delete_credential()
                    .map_err(|e| CoreError::Vault(e.to_string()))
            }),
            Err(e) => Err(CoreError::Vault(e.to_string())),
        }
    }
}

/// For unit tests only: forgets everything when dropped.
#[derive(Default)]
pub struct MemoryVault(Mutex<HashMap<String, String>>);

impl Vault for MemoryVault {
    fn get(&self, key: &str) -> CoreResult<Option<String>> {
        Ok(self.lock()?.get(key).cloned())
    }

    fn set(&self, key: &str, secret: &str) -> CoreResult<()> {
        self.lock()?.insert(key.to_string(), secret.to_string());
        Ok(())
    }

    fn delete(&self, key: &str) -> CoreResult<()> {
        self.lock()?.remove(key);
        Ok(())
    }
}

impl MemoryVault {
    /// Every secret held (tests look for them where they must not be).
    pub fn secrets(&self) -> CoreResult<Vec<String>> {
        Ok(self.lock()?.values().cloned().collect())
    }

    fn lock(&self) -> CoreResult<std::sync::MutexGuard<'_, HashMap<String, String>>> {
        self.0
            .lock()
            .map_err(|_| CoreError::Vault("memory vault poisoned".into()))
    }
}

/// Keys: one refresh token and one remember token per (server, account).
pub fn refresh_key(server: &str, user_id: &uuid::Uuid) -> String {
    format!("refresh:{server}:{user_id}")
}

pub fn remember_key(server: &str, user_id: &uuid::Uuid) -> String {
    format!("remember:{server}:{user_id}")
}
