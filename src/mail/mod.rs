//! Outgoing mail through lettre.
