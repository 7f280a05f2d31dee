//! The audit chain: how each audit entry is hashed onto the one before it.
//!
//! Every change to the register writes one audit entry (who, when, what, the old and the new values).
//! Entry `n`'s hash is SHA-256 over entry `n-1`'s hash and entry `n`'s fields, so editing, deleting or
//! reordering any entry breaks every hash after it. The store writes entries and asks [`verify_chain`]
//! to check them; this module only computes, it never reads a database.
//!
//! The hashed bytes are a length-prefixed encoding of the fields exactly as stored (the JSON of old and
//! new values is hashed as text, never re-serialised), so the same row always gives the same hash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When, RFC 3339 in Vietnam time.
    pub at: String,
    /// Who: the user name (or `system`).
    pub actor: String,
    /// What: a stable verb such as `incoming.register`, `document.cancel`, `organisation.init`.
    pub action: String,
    /// The kind of thing changed: `document`, `organisation`…
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// The old values as JSON text, if any.
    pub old_json: Option<String>,
    /// The new values as JSON text, if any.
    pub new_json: Option<String>,
}

impl AuditEntry {
    /// The hash of this entry chained onto `prev_hash`, as lowercase hex.
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(b"vanthu-audit-v1");
        field(prev_hash.as_bytes());
        field(&self.seq.to_be_bytes());
        field(self.at.as_bytes());
        field(self.actor.as_bytes());
        field(self.action.as_bytes());
        field(self.entity.as_bytes());
        field(self.entity_id.as_bytes());
        for json in [&self.old_json, &self.new_json] {
            match json {
                None => field(b"\0none"),
                Some(j) => field(j.as_bytes()),
            }
        }
        hex::encode(h.finalize())
    }
}

/// Where a chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ChainBreak {
    /// An entry is missing or out of order: its sequence number is not the one expected.
    #[error("mục nhật ký số {found} xuất hiện ở vị trí {expected}: có mục bị xóa hoặc đảo thứ tự")]
    Sequence {
        /// The seq that should come next.
        expected: i64,
        /// The seq found there.
        found: i64,
    },
    /// An entry does not point at the hash of the one before it.
    #[error("mục nhật ký số {seq} không nối với mục trước: có mục bị xóa, sửa hoặc đảo thứ tự")]
    Link {
        /// The entry's seq.
        seq: i64,
    },
    /// An entry's content does not give its stored hash.
    #[error("mục nhật ký số {seq} đã bị sửa (mã băm không khớp)")]
    Content {
        /// The entry's seq.
        seq: i64,
    },
}

/// Checks stored entries, in seq order, each with its stored `prev_hash` and `hash`. Returns the hash
/// of the last entry (the head) when the whole chain holds.
pub fn verify_chain<I>(entries: I) -> Result<String, ChainBreak>
where
    I: IntoIterator<Item = (AuditEntry, String, String)>,
{
    let mut head = GENESIS_HASH.to_owned();
    for (expected_seq, (entry, prev_hash, hash)) in (1..).zip(entries) {
        if entry.seq != expected_seq {
            return Err(ChainBreak::Sequence { expected: expected_seq, found: entry.seq });
        }
        if prev_hash != head {
            return Err(ChainBreak::Link { seq: entry.seq });
        }
        if entry.hash(&prev_hash) != hash {
            return Err(ChainBreak::Content { seq: entry.seq });
        }
        head = hash;
    }
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, new: &str) -> AuditEntry {
        AuditEntry {
            seq,
            at: "2026-11-21T09:00:00+07:00".into(),
            actor: "văn thư".into(),
            action: "incoming.register".into(),
            entity: "document".into(),
            entity_id: format!("doc-{seq}"),
            old_json: None,
            new_json: Some(new.into()),
        }
    }

    fn chain(n: i64) -> Vec<(AuditEntry, String, String)> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let e = entry(seq, &format!("{{\"n\":{seq}}}"));
                let h = e.hash(&prev);
                let row = (e, prev.clone(), h.clone());
                prev = h;
                row
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(5);
        let head = rows.last().unwrap().2.clone();
        assert_eq!(verify_chain(rows), Ok(head));
        assert_eq!(verify_chain(Vec::new()), Ok(GENESIS_HASH.to_owned()));
    }

    #[test]
    fn edits_deletions_and_reorders_are_found() {
        let mut edited = chain(5);
        edited[2].0.new_json = Some("{\"n\":99}".into());
        assert_eq!(verify_chain(edited), Err(ChainBreak::Content { seq: 3 }));

        let mut deleted = chain(5);
        deleted.remove(1);
        assert_eq!(verify_chain(deleted), Err(ChainBreak::Sequence { expected: 2, found: 3 }));

        let mut renumbered = chain(5);
        renumbered.remove(1);
        for (i, row) in renumbered.iter_mut().enumerate() {
            row.0.seq = i as i64 + 1;
        }
        assert_eq!(verify_chain(renumbered), Err(ChainBreak::Link { seq: 2 }));

        let mut swapped = chain(5);
        swapped.swap(1, 2);
        assert!(verify_chain(swapped).is_err());

        let mut rehashed_alone = chain(5);
        rehashed_alone[1].0.actor = "kẻ giả mạo".into();
        rehashed_alone[1].2 = rehashed_alone[1].0.hash(&rehashed_alone[1].1);
        assert_eq!(verify_chain(rehashed_alone), Err(ChainBreak::Link { seq: 3 }));
    }

    #[test]
    fn fields_do_not_run_into_each_other() {
        let mut a = entry(1, "{}");
        let mut b = entry(1, "{}");
        a.actor = "ab".into();
        a.action = "c".into();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(a.hash(GENESIS_HASH), b.hash(GENESIS_HASH));
    }
}
