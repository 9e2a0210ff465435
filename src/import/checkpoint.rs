//! The import's checkpoint: how far the committed chunks reach and what
//! they counted. It is saved in the same transaction as each chunk.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Checkpoint {
    /// The last source row that a committed chunk covered; a resumed import
    /// starts after it.
    pub row: u64,
    /// Records read so far, valid or not.
    pub processed: u64,
    pub imported: u64,
    pub failed: u64,
    /// Customers an orders import created because no customer had the
    /// order's email.
    pub customers_created: u64,
}

impl Checkpoint {
    /// Reads the checkpoint of a job; a missing or unreadable one starts
    /// from the beginning.
    pub fn parse(text: Option<&str>) -> Self {
        text.and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_defaults() {
        let checkpoint = Checkpoint {
            row: 1001,
            processed: 1000,
            imported: 990,
            failed: 10,
            customers_created: 3,
        };
        assert_eq!(Checkpoint::parse(Some(&checkpoint.to_json())), checkpoint);
        assert_eq!(Checkpoint::parse(None), Checkpoint::default());
        assert_eq!(Checkpoint::parse(Some("{")), Checkpoint::default());
    }
}
