//! The unsigned LEB128 varints Pimarc uses for block lengths (`pimlico.utils.varint`): seven
//! bits per byte, least significant group first, high bit set on every byte but the last.

use std::io::{self, Read};

/// Appends the varint encoding of `n` to `out`.
pub fn encode(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Outcome of reading a varint from a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    /// A complete value and the number of bytes it took.
    Value(u64, u8),
    /// The stream ended before the first byte: a clean end between blocks.
    End,
    /// The stream ended inside the varint, after this many bytes.
    Truncated(u8),
    /// More than 64 bits: no archive we can address has blocks that long.
    Overflow,
}

/// Reads one varint. The reader should be buffered: this reads a byte at a time.
pub fn decode<R: Read>(reader: &mut R) -> io::Result<Decoded> {
    let mut result: u64 = 0;
    let mut shift = 0u32;
    let mut count = 0u8;
    let mut byte = [0u8; 1];
    loop {
        let n = loop {
            match reader.read(&mut byte) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            return Ok(if count == 0 {
                Decoded::End
            } else {
                Decoded::Truncated(count)
            });
        }
        count = count.saturating_add(1);
        let group = u64::from(byte[0] & 0x7f);
        if shift >= 64 || (shift > 57 && group >> (64 - shift) != 0) {
            return Ok(Decoded::Overflow);
        }
        result |= group << shift;
        shift += 7;
        if byte[0] & 0x80 == 0 {
            return Ok(Decoded::Value(result, count));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_known_bytes() {
        for (n, bytes) in [
            (0u64, vec![0u8]),
            (127, vec![0x7f]),
            (128, vec![0x80, 0x01]),
            (300, vec![0xac, 0x02]),
            (
                u64::MAX,
                vec![0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            ),
        ] {
            let mut out = Vec::new();
            encode(n, &mut out);
            assert_eq!(out, bytes, "encoding {n}");
            let mut r = &out[..];
            assert_eq!(
                decode(&mut r).unwrap(),
                Decoded::Value(n, bytes.len() as u8)
            );
        }
    }

    #[test]
    fn distinguishes_end_truncation_and_overflow() {
        assert_eq!(decode(&mut &[][..]).unwrap(), Decoded::End);
        assert_eq!(
            decode(&mut &[0x80, 0x80][..]).unwrap(),
            Decoded::Truncated(2)
        );
        let too_long = [0xffu8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(decode(&mut &too_long[..]).unwrap(), Decoded::Overflow);
    }
}
