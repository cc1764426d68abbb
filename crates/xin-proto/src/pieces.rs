//! A file as BLAKE3 pieces: 8 MiB spans hashed on their own, whose checksums merge into the
//! file's BLAKE3 (its tree is made of them; this is how Bao verifies a stream).
//!
//! A piece's checksum is its BLAKE3 *chaining value* at its offset — or, when the whole file is
//! one piece, the file's BLAKE3 itself. So a receiver that checks each piece as it arrives hashes
//! every byte once, and knows the whole file's hash at the end by merging 32-byte values.

use blake3::hazmat::{
    left_subtree_len, merge_subtrees_non_root, merge_subtrees_root, ChainingValue, HasherExt, Mode,
};

/// Bytes per piece. A power of two, so every piece is a subtree of the file's BLAKE3 tree.
pub const PIECE: u64 = 8 << 20;

/// The length of the piece starting at `offset` of a `size`-byte file.
pub fn piece_len(offset: u64, size: u64) -> u64 {
    PIECE.min(size.saturating_sub(offset))
}

/// The checksum of the piece `data` starting at `offset` (a multiple of [`PIECE`]) of a
/// `size`-byte file.
pub fn piece_checksum(data: &[u8], offset: u64, size: u64) -> [u8; 32] {
    let mut pieces = Pieces::starting_at(offset, size);
    pieces.update(data);
    pieces.last().unwrap_or_default()
}

/// Hashes a file piece by piece as its bytes come, in order, from some offset on.
#[derive(Clone)]
pub struct Pieces {
    size: u64,
    /// Bytes hashed so far, from the start of the file.
    len: u64,
    current: blake3::Hasher,
    /// The checksums of the finished pieces, in order (all of them when starting at zero).
    done: Vec<ChainingValue>,
}

impl Pieces {
    /// Nothing hashed yet, of a file of `size` bytes.
    pub fn new(size: u64) -> Self {
        Self::starting_at(0, size)
    }

    /// The pieces of a `size`-byte file whose first pieces are known by their checksums, as
    /// if their bytes had been hashed (a transfer continued elsewhere): hashing goes on after
    /// them. Checksums past the file's end are ignored.
    pub fn resume(size: u64, checksums: &[[u8; 32]]) -> Self {
        let count = usize::try_from(size.div_ceil(PIECE)).unwrap_or(usize::MAX);
        let done: Vec<ChainingValue> = checksums.iter().take(count).copied().collect();
        let len = (done.len() as u64 * PIECE).min(size);
        Self {
            size,
            len,
            current: hasher_at(len),
            done,
        }
    }

    /// Hashing from `offset` (a multiple of [`PIECE`]) on; checksums before it are not known.
    fn starting_at(offset: u64, size: u64) -> Self {
        let offset = offset - offset % PIECE;
        Self {
            size,
            len: offset,
            current: hasher_at(offset),
            done: Vec::new(),
        }
    }

    /// Bytes hashed so far (from the start of the file).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether there are no pieces (an empty file).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Hashes the next bytes; a piece that they finish gets its checksum. Bytes past the file's
    /// end are ignored (the caller refuses them).
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() && self.len < self.size {
            let start = self.len - self.len % PIECE;
            let room = piece_len(start, self.size) - (self.len - start);
            let n = usize::try_from(room).unwrap_or(usize::MAX).min(data.len());
            self.current.update(&data[..n]);
            self.len += n as u64;
            data = &data[n..];
            if self.len == start + piece_len(start, self.size) {
                let checksum = if self.size <= PIECE {
                    *self.current.finalize().as_bytes()
                } else {
                    self.current.finalize_non_root()
                };
                self.done.push(checksum);
                self.current = hasher_at(self.len);
            }
        }
    }

    /// The checksum of the last finished piece.
    pub fn last(&self) -> Option<[u8; 32]> {
        self.done.last().copied()
    }

    /// Forgets everything after `offset`, the end of a finished piece (or zero).
    pub fn rewind(&mut self, offset: u64) {
        let offset = offset.min(self.len);
        let keep = usize::try_from(offset.div_ceil(PIECE)).unwrap_or(usize::MAX);
        self.done.truncate(keep);
        self.len = offset;
        self.current = hasher_at(offset);
    }

    /// The whole file's BLAKE3, once every byte is hashed (from offset zero).
    pub fn finish(&self) -> Option<blake3::Hash> {
        if self.len != self.size {
            return None;
        }
        if self.size == 0 {
            return Some(blake3::hash(b""));
        }
        if self.size <= PIECE {
            return self.done.first().map(|h| blake3::Hash::from_bytes(*h));
        }
        if self.done.len() as u64 != self.size.div_ceil(PIECE) {
            return None;
        }
        let left = left_subtree_len(self.size);
        let split = usize::try_from(left / PIECE).ok()?;
        Some(merge_subtrees_root(
            &merge(&self.done[..split], left),
            &merge(&self.done[split..], self.size - left),
            Mode::Hash,
        ))
    }
}

/// A hasher for the piece holding `offset` (past the last piece: one never fed).
fn hasher_at(offset: u64) -> blake3::Hasher {
    let offset = offset - offset % PIECE;
    let mut h = blake3::Hasher::new();
    if offset > 0 {
        h.set_input_offset(offset);
    }
    h
}

/// The chaining value of `len` bytes made of these pieces, following BLAKE3's tree: the left
/// subtree is the largest power of two shorter than the span, so it is whole pieces.
fn merge(pieces: &[ChainingValue], len: u64) -> ChainingValue {
    if len <= PIECE || pieces.len() < 2 {
        return pieces.first().copied().unwrap_or_default();
    }
    let left = left_subtree_len(len);
    let split = usize::try_from(left / PIECE)
        .unwrap_or(usize::MAX)
        .min(pieces.len());
    merge_subtrees_non_root(
        &merge(&pieces[..split], left),
        &merge(&pieces[split..], len - left),
        Mode::Hash,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: u64) -> Vec<u8> {
        (0..n).map(|i| (i * 31 % 251) as u8).collect()
    }

    /// Sizes around every edge: empty, under a piece, exactly one, one byte over, several and a
    /// half, a power of two of pieces, and one past it.
    #[test]
    fn merged_pieces_are_the_files_blake3() {
        for size in [
            0,
            1,
            1024,
            PIECE - 1,
            PIECE,
            PIECE + 1,
            3 * PIECE + PIECE / 2,
            4 * PIECE,
            4 * PIECE + 1024,
        ] {
            let data = bytes(size);
            let mut pieces = Pieces::new(size);
            // Fed in odd sizes, across piece boundaries.
            for part in data.chunks(3 << 20 | 7) {
                pieces.update(part);
            }
            assert_eq!(pieces.finish(), Some(blake3::hash(&data)), "size {size}");
        }
    }

    #[test]
    fn a_piece_checksummed_alone_is_the_one_the_file_is_made_of() {
        let size = 3 * PIECE + 5;
        let data = bytes(size);
        let mut pieces = Pieces::new(size);
        pieces.update(&data);
        for (i, want) in pieces.done.iter().enumerate() {
            let offset = i as u64 * PIECE;
            let end = usize::try_from((offset + PIECE).min(size)).unwrap_or(usize::MAX);
            let start = usize::try_from(offset).unwrap_or(usize::MAX);
            assert_eq!(&piece_checksum(&data[start..end], offset, size), want);
        }
        // A one-piece file's checksum is its BLAKE3.
        let small = bytes(1000);
        assert_eq!(
            piece_checksum(&small, 0, 1000),
            *blake3::hash(&small).as_bytes()
        );
    }

    #[test]
    fn pieces_resumed_from_checksums_finish_as_the_files_blake3() {
        let size = 3 * PIECE + 77;
        let data = bytes(size);
        let mut first = Pieces::new(size);
        first.update(&data[..usize::try_from(2 * PIECE).unwrap_or(0)]);
        let known: Vec<[u8; 32]> = first.done.clone();
        let mut resumed = Pieces::resume(size, &known);
        assert_eq!(resumed.len(), 2 * PIECE);
        resumed.update(&data[usize::try_from(2 * PIECE).unwrap_or(0)..]);
        assert_eq!(resumed.finish(), Some(blake3::hash(&data)));
        // A wrong checksum among the known ones gives another hash, never the file's.
        let mut forged = known;
        forged[0][0] ^= 1;
        let mut wrong = Pieces::resume(size, &forged);
        wrong.update(&data[usize::try_from(2 * PIECE).unwrap_or(0)..]);
        assert_ne!(wrong.finish(), Some(blake3::hash(&data)));
    }

    #[test]
    fn rewinding_drops_what_came_after_and_hashing_again_agrees() {
        let size = 2 * PIECE + 100;
        let data = bytes(size);
        let mut pieces = Pieces::new(size);
        pieces.update(&data[..usize::try_from(PIECE + 4096).unwrap_or(0)]);
        pieces.rewind(PIECE);
        assert_eq!(pieces.len(), PIECE);
        pieces.update(&data[usize::try_from(PIECE).unwrap_or(0)..]);
        assert_eq!(pieces.finish(), Some(blake3::hash(&data)));
        // A different byte in the second piece changes its checksum and the file's hash.
        let mut other = data.clone();
        other[usize::try_from(PIECE).unwrap_or(0) + 9] ^= 1;
        let mut changed = Pieces::new(size);
        changed.update(&other);
        assert_ne!(changed.done[1], pieces.done[1]);
        assert_eq!(changed.done[0], pieces.done[0]);
        assert_ne!(changed.finish(), pieces.finish());
    }

    #[test]
    fn an_unfinished_file_has_no_hash() {
        let mut pieces = Pieces::new(PIECE * 2);
        pieces.update(&bytes(PIECE));
        assert_eq!(pieces.finish(), None);
    }
}
