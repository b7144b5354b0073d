//! The scope/id index: each node but the root, found by its parent and id.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

/// Node indexes keyed by (parent, id), holding half of each hash instead of the id.
#[derive(Default)]
pub(crate) struct ScopeTable {
    table: HashTable<Entry>,
    hasher: DefaultHashBuilder,
}

/// A node in the table, with half its hash: growing the table rehashes every entry, and
/// recomputing hashes would read each node's id again.
#[derive(Clone, Copy)]
struct Entry {
    node: u32,
    half_hash: u32,
}

impl Entry {
    /// The table's hash, spread from the kept half by an odd multiplier (a bijection).
    fn hash(self) -> u64 {
        u64::from(self.half_hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

impl ScopeTable {
    /// The half hash of a scope and id.
    fn half_hash(&self, parent: u32, id: &str) -> u32 {
        // The high half: foldhash mixes best there.
        (self.hasher.hash_one((parent, id)) >> 32) as u32
    }

    /// Records `node` as the child of `parent` named `id`.
    pub(crate) fn insert(&mut self, parent: u32, id: &str, node: u32) {
        let entry = Entry { node, half_hash: self.half_hash(parent, id) };
        self.table.insert_unique(entry.hash(), entry, |e| e.hash());
    }

    /// The node recorded for `parent` and `id`; `is_it` tells a node with the same half
    /// hash from the one sought (the table holds no ids).
    pub(crate) fn find(&self, parent: u32, id: &str, is_it: impl Fn(u32) -> bool) -> Option<u32> {
        let probe = Entry { node: 0, half_hash: self.half_hash(parent, id) };
        self.table.find(probe.hash(), |e| e.half_hash == probe.half_hash && is_it(e.node)).map(|e| e.node)
    }
}
