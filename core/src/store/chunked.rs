//! A vector stored in fixed-size chunks: it grows without moving what it holds (see the
//! module above for why).

use std::ops::{Index, IndexMut};

/// Items per chunk.
const CHUNK: usize = 1024;

/// A vector that grows by whole chunks.
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Chunked<T> {
    pub(crate) fn new() -> Self {
        Chunked { chunks: Vec::new(), len: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(item),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(item);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }
}

impl<T> Index<usize> for Chunked<T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        &self.chunks[index / CHUNK][index % CHUNK]
    }
}

impl<T> IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, index: usize) -> &mut T {
        &mut self.chunks[index / CHUNK][index % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_across_chunks_in_push_order() {
        let mut items = Chunked::new();
        for i in 0..3 * CHUNK + 7 {
            items.push(i);
        }
        assert_eq!(items.len(), 3 * CHUNK + 7);
        for i in [0, 1, CHUNK - 1, CHUNK, 2 * CHUNK + 5, 3 * CHUNK + 6] {
            assert_eq!(items[i], i);
        }
        items[CHUNK] = 42;
        assert_eq!(items[CHUNK], 42);
    }
}
