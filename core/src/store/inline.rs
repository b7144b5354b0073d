//! Short strings held inline, in the bytes of a stored value.

/// Bytes an [`InlineStr`] holds: what fits beside the tag in a 24-byte value.
pub(crate) const INLINE: usize = 22;

/// A string of at most [`INLINE`] bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct InlineStr {
    len: u8,
    bytes: [u8; INLINE],
}

impl InlineStr {
    /// `s` inline, when it fits.
    pub(crate) fn new(s: &str) -> Option<InlineStr> {
        let mut bytes = [0; INLINE];
        bytes.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(InlineStr { len: u8::try_from(s.len()).ok()?, bytes })
    }

    pub(crate) fn as_str(&self) -> &str {
        // Copied from a `str` whole, so always UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}
