//! `IntegerListsDocumentType` and `IntegerListDocumentType`: binary lists of integers.
//!
//! Integers are little-endian, `bytes` wide (1, 2, 4 or 8), signed or unsigned, as given by the
//! corpus metadata (`bytes`, `signed`; defaults 8 and false). Integer-lists documents store each
//! row as its length, an unsigned little-endian integer `row_length_bytes` wide (default 2),
//! followed by its integers; an integer-list document is just the integers.

use serde_json::{Map, Value};

use crate::formats::error::DocError;

/// Python ints are unbounded; every value these formats can hold fits in an `i128`.
pub type Int = i128;

/// Width and signedness of stored integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntFormat {
    /// Bytes per integer: 1, 2, 4 or 8.
    pub bytes: u8,
    /// Whether integers are signed (two's complement).
    pub signed: bool,
}

impl Default for IntFormat {
    fn default() -> Self {
        IntFormat {
            bytes: 8,
            signed: false,
        }
    }
}

impl IntFormat {
    /// A format, checking the width as the original's `get_struct` does.
    pub fn new(bytes: u8, signed: bool) -> Result<Self, DocError> {
        if !matches!(bytes, 1 | 2 | 4 | 8) {
            return Err(DocError::new(
                "IntegerListsDocumentType",
                format!(
                    "invalid specification for int format: signed={signed}, bytes={bytes}. bytes must be in [1, 2, 4, 8]"
                ),
            ));
        }
        Ok(IntFormat { bytes, signed })
    }

    fn range(&self) -> (Int, Int) {
        let bits = u32::from(self.bytes) * 8;
        if self.signed {
            (-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
        } else {
            (0, (1 << bits) - 1)
        }
    }

    fn read(&self, b: &[u8]) -> Int {
        let mut buf = [0u8; 16];
        buf[..b.len()].copy_from_slice(b);
        if self.signed && b[b.len() - 1] & 0x80 != 0 {
            buf[b.len()..].fill(0xff);
        }
        Int::from_le_bytes(buf)
    }

    fn write(&self, v: Int, out: &mut Vec<u8>, doc_type: &'static str) -> Result<(), DocError> {
        let (lo, hi) = self.range();
        if v < lo || v > hi {
            return Err(DocError::new(
                doc_type,
                format!(
                    "{v} does not fit in {} {} byte(s)",
                    if self.signed { "signed" } else { "unsigned" },
                    self.bytes
                ),
            ));
        }
        out.extend_from_slice(&v.to_le_bytes()[..usize::from(self.bytes)]);
        Ok(())
    }
}

/// Encoding of an integer-lists corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntListsFormat {
    /// The integers.
    pub ints: IntFormat,
    /// Bytes of each row's length prefix (unsigned): 1, 2, 4 or 8.
    pub row_length_bytes: u8,
}

impl Default for IntListsFormat {
    fn default() -> Self {
        IntListsFormat {
            ints: IntFormat::default(),
            row_length_bytes: 2,
        }
    }
}

fn meta_int(metadata: &Map<String, Value>, key: &str, default: u8) -> Result<u8, DocError> {
    match metadata.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .and_then(|n| u8::try_from(n).ok())
            .ok_or_else(|| {
                DocError::new(
                    "IntegerListsDocumentType",
                    format!("metadata '{key}' is not a byte count: {v}"),
                )
            }),
    }
}

fn meta_bool(metadata: &Map<String, Value>, key: &str) -> Result<bool, DocError> {
    match metadata.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) if v.as_u64() == Some(0) => Ok(false),
        Some(v) if v.as_u64() == Some(1) => Ok(true),
        Some(v) => Err(DocError::new(
            "IntegerListsDocumentType",
            format!("metadata '{key}' is not a bool: {v}"),
        )),
    }
}

impl IntFormat {
    /// The format given by a corpus's metadata (`bytes`, `signed`).
    pub fn from_metadata(metadata: &Map<String, Value>) -> Result<Self, DocError> {
        IntFormat::new(
            meta_int(metadata, "bytes", 8)?,
            meta_bool(metadata, "signed")?,
        )
    }
}

impl IntListsFormat {
    /// The format given by a corpus's metadata (`bytes`, `signed`, `row_length_bytes`).
    pub fn from_metadata(metadata: &Map<String, Value>) -> Result<Self, DocError> {
        let row_length_bytes = meta_int(metadata, "row_length_bytes", 2)?;
        IntFormat::new(row_length_bytes, false)?;
        Ok(IntListsFormat {
            ints: IntFormat::from_metadata(metadata)?,
            row_length_bytes,
        })
    }

    /// Calls `row` with each row's integers, without building lists.
    pub fn for_each_row(
        &self,
        raw: &[u8],
        mut row: impl FnMut(&mut dyn Iterator<Item = Int>),
    ) -> Result<(), DocError> {
        let lw = usize::from(self.row_length_bytes);
        let iw = usize::from(self.ints.bytes);
        let len_fmt = IntFormat {
            bytes: self.row_length_bytes,
            signed: false,
        };
        let mut pos = 0;
        while pos < raw.len() {
            if raw.len() - pos < lw {
                return Err(DocError::new(
                    "IntegerListsDocumentType",
                    format!("document ends inside a row length at byte {pos}"),
                ));
            }
            let n = usize::try_from(len_fmt.read(&raw[pos..pos + lw]))
                .map_err(|_| DocError::new("IntegerListsDocumentType", "row length too large"))?;
            pos += lw;
            let end = n
                .checked_mul(iw)
                .and_then(|b| pos.checked_add(b))
                .filter(|e| *e <= raw.len())
                .ok_or_else(|| {
                    DocError::new(
                        "IntegerListsDocumentType",
                        format!("file ended mid-row (row of {n} at byte {})", pos - lw),
                    )
                })?;
            let ints = self.ints;
            row(&mut raw[pos..end].chunks_exact(iw).map(move |c| ints.read(c)));
            pos = end;
        }
        Ok(())
    }

    /// Reads all rows.
    pub fn decode(&self, raw: &[u8]) -> Result<Vec<Vec<Int>>, DocError> {
        let mut rows = Vec::new();
        self.for_each_row(raw, |r| rows.push(r.collect()))?;
        Ok(rows)
    }

    /// Appends the stored form of `rows` to `out`.
    pub fn encode<R: AsRef<[Int]>>(&self, rows: &[R], out: &mut Vec<u8>) -> Result<(), DocError> {
        let len_fmt = IntFormat {
            bytes: self.row_length_bytes,
            signed: false,
        };
        for row in rows {
            let row = row.as_ref();
            len_fmt.write(row.len() as Int, out, "IntegerListsDocumentType")?;
            for v in row {
                self.ints.write(*v, out, "IntegerListsDocumentType")?;
            }
        }
        Ok(())
    }
}

/// Reads an integer-list document (one flat list).
pub fn decode_int_list(format: IntFormat, raw: &[u8]) -> Result<Vec<Int>, DocError> {
    let w = usize::from(format.bytes);
    if !raw.len().is_multiple_of(w) {
        return Err(DocError::new(
            "IntegerListDocumentType",
            format!(
                "error interpreting int data: {} bytes is not a whole number of {w}-byte ints",
                raw.len()
            ),
        ));
    }
    Ok(raw.chunks_exact(w).map(|c| format.read(c)).collect())
}

/// Appends the stored form of an integer list to `out`.
pub fn encode_int_list(format: IntFormat, list: &[Int], out: &mut Vec<u8>) -> Result<(), DocError> {
    list.iter()
        .try_for_each(|v| format.write(*v, out, "IntegerListDocumentType"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_round_trip_in_every_width() {
        for bytes in [1u8, 2, 4, 8] {
            for signed in [false, true] {
                let f = IntListsFormat {
                    ints: IntFormat::new(bytes, signed).unwrap(),
                    row_length_bytes: 1,
                };
                let (lo, hi) = f.ints.range();
                let rows = vec![vec![lo, hi, 0], vec![], vec![1]];
                let mut out = Vec::new();
                f.encode(&rows, &mut out).unwrap();
                assert_eq!(out.len(), 3 + 4 * usize::from(bytes));
                assert_eq!(f.decode(&out).unwrap(), rows);
                assert!(f.encode(&[vec![hi + 1]], &mut Vec::new()).is_err());
            }
        }
    }

    #[test]
    fn known_bytes_and_errors() {
        let f = IntListsFormat::from_metadata(
            json!({"bytes": 2, "row_length_bytes": 4})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        let mut out = Vec::new();
        f.encode(&[vec![1, 2], vec![3]], &mut out).unwrap();
        assert_eq!(out, [2, 0, 0, 0, 1, 0, 2, 0, 1, 0, 0, 0, 3, 0]);
        assert!(f.decode(&out[..out.len() - 1]).is_err());
        assert!(f.decode(&out[..out.len() - 4]).is_err());
        assert!(IntListsFormat::from_metadata(json!({"bytes": 3}).as_object().unwrap()).is_err());
        assert_eq!(
            decode_int_list(IntFormat::new(2, true).unwrap(), &[0xff, 0xff, 1, 0]).unwrap(),
            vec![-1, 1]
        );
    }
}
