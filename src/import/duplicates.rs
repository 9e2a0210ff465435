//! Finds natural keys that repeat within one file.
//!
//! Each key is kept as a 64-bit hash with the row that first had it, so a
//! million keys take about 32 MiB whatever their length. By the birthday
//! bound, a million distinct keys share a hash with a chance of about
//! 3 in 100 million, and such a pair would be reported as a repeat.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Passes a hash through unchanged, since the keys are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

#[derive(Default)]
pub struct KeyTracker {
    first_rows: HashMap<u64, u64, BuildHasherDefault<Prehashed>>,
}

fn hash_key(key: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

impl KeyTracker {
    /// Records that `row` has `key`, and returns the earlier row that had
    /// it, if any. The earlier row stays the one remembered.
    pub fn insert(&mut self, key: &str, row: u64) -> Option<u64> {
        let first = *self.first_rows.entry(hash_key(key)).or_insert(row);
        (first != row).then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracker_repeat_names_first_row() {
        let mut keys = KeyTracker::default();
        assert_eq!(keys.insert("a@example.test", 2), None);
        assert_eq!(keys.insert("b@example.test", 3), None);
        assert_eq!(keys.insert("a@example.test", 7), Some(2));
        assert_eq!(keys.insert("a@example.test", 9), Some(2));
    }
}
