//! The per-deployment key-value store that outlives the request.

use crate::hostcalls;

/// Handed to `guest_app_kvs!` entry points.
pub struct KVStore {
    _private: (),
}

impl KVStore {
    pub(crate) fn global() -> KVStore {
        KVStore { _private: () }
    }

    /// Stores `value` at `key`, overwriting. True if `key` was absent.
    pub fn insert(&mut self, key: &str, value: &[u8]) -> bool {
        hostcalls::kvstore_insert(key, value)
    }

    /// Stores `value` at `key`, overwriting. True if `key` was absent.
    pub fn upsert(&mut self, key: &str, value: &[u8]) -> bool {
        hostcalls::kvstore_upsert(key, value)
    }

    /// Appends `value` to the value at `key`, or creates it. True if `key`
    /// was absent.
    pub fn append(&mut self, key: &str, value: &[u8]) -> bool {
        hostcalls::kvstore_append(key, value)
    }

    /// The value at `key`, or `None`.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        hostcalls::kvstore_get(key)
    }

    /// True if `key` was there and is now removed.
    pub fn remove(&mut self, key: &str) -> bool {
        hostcalls::kvstore_remove(key)
    }
}
