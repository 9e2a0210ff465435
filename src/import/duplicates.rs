//! Finds natural keys that repeat within one file.
//!
//! Each key is kept as a 64-bit hash with the row that first had it, in an
//! open-addressing table sized from the record count of the first pass. The
//! table does not grow while an import runs, and takes about 16 MB for a
//! million rows, whatever the keys' length. By the birthday bound, a million
//! distinct keys share a hash with a chance of about 3 in 100 million, and
//! such a pair would be reported as a repeat.

use std::hash::{Hash, Hasher};

/// Marks a free slot; a key whose hash is zero is stored as one.
const FREE: u64 = 0;

pub struct KeyTracker {
    hashes: Vec<u64>,
    rows: Vec<u32>,
    used: usize,
}

fn hash_key(key: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    key.hash(&mut hasher);
    match hasher.finish() {
        FREE => 1,
        hash => hash,
    }
}

impl KeyTracker {
    /// Creates a table for `expected` keys, a quarter of it left free so
    /// that probes stay short.
    pub fn with_capacity(expected: usize) -> Self {
        let slots = (expected + expected / 3).max(16);
        KeyTracker {
            hashes: vec![FREE; slots],
            rows: vec![0; slots],
            used: 0,
        }
    }

    /// Records that `row` has `key`, and returns the earlier row that had
    /// it, if any. The earlier row stays the one remembered.
    pub fn insert(&mut self, key: &str, row: u64) -> Option<u64> {
        if (self.used + 1) * 4 > self.hashes.len() * 3 {
            self.grow();
        }
        let hash = hash_key(key);
        let slot = self.find_slot(hash);

        if self.hashes[slot] == hash {
            let first = u64::from(self.rows[slot]);
            return (first != row).then_some(first);
        }
        self.hashes[slot] = hash;
        self.rows[slot] = u32::try_from(row).unwrap_or(u32::MAX);
        self.used += 1;
        None
    }

    /// Returns the slot that contains `hash`, or the free slot where it goes.
    fn find_slot(&self, hash: u64) -> usize {
        let slots = self.hashes.len();
        let mut slot = (hash % slots as u64) as usize;
        while self.hashes[slot] != FREE && self.hashes[slot] != hash {
            slot = (slot + 1) % slots;
        }
        slot
    }

    /// Doubles the table; only a file with more records than the first pass
    /// counted, such as a resumed one that changed, gets here.
    fn grow(&mut self) {
        let old_hashes = std::mem::take(&mut self.hashes);
        let old_rows = std::mem::take(&mut self.rows);
        self.hashes = vec![FREE; old_hashes.len() * 2];
        self.rows = vec![0; old_hashes.len() * 2];
        for (hash, row) in old_hashes.into_iter().zip(old_rows) {
            if hash != FREE {
                let slot = self.find_slot(hash);
                self.hashes[slot] = hash;
                self.rows[slot] = row;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracker_repeat_names_first_row() {
        let mut keys = KeyTracker::with_capacity(10);
        assert_eq!(keys.insert("a@example.test", 2), None);
        assert_eq!(keys.insert("b@example.test", 3), None);
        assert_eq!(keys.insert("a@example.test", 7), Some(2));
        assert_eq!(keys.insert("a@example.test", 9), Some(2));
    }

    #[test]
    fn tracker_grows_past_its_capacity() {
        let mut keys = KeyTracker::with_capacity(4);
        for row in 0..1_000 {
            assert_eq!(keys.insert(&format!("key-{row}"), row), None);
        }
        for row in 0..1_000 {
            assert_eq!(keys.insert(&format!("key-{row}"), row + 5_000), Some(row));
        }
    }
}
