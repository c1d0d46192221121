//! `NumpyArray`: one array in `data/array.npy`, NumPy's `.npy` format, with metadata `{}`.
//!
//! An `.npy` file is the magic `\x93NUMPY`, a version, a header length, a header that is a
//! Python dict literal (`{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }`) padded
//! with spaces and a newline to a multiple of 64 bytes, then the raw data. Numeric and bool
//! arrays are supported, in either byte order. Arrays are written as NumPy 1.x writes them for
//! the Python versions the original supports (version 1.0 headers, no extra growth padding).

use std::path::{Path, PathBuf};

use super::error::{FormatError, Result};
use super::fsutil::{self, create_dir_all};
use super::metadata::{Metadata, write_metadata};
use super::ready::{NotReady, base_ready, data_dir};

const MAGIC: &[u8] = b"\x93NUMPY";
const ALIGN: usize = 64;

/// Element kind of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `b1`.
    Bool,
    /// `i1`, `i2`, `i4`, `i8`.
    Int,
    /// `u1`, `u2`, `u4`, `u8`.
    UInt,
    /// `f4`, `f8`.
    Float,
}

/// An element type: kind and size in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dtype {
    /// Element kind.
    pub kind: Kind,
    /// Bytes per element.
    pub size: u8,
}

impl Dtype {
    /// `int64`, what NumPy makes of a list of Python ints on Linux.
    pub const INT64: Dtype = Dtype {
        kind: Kind::Int,
        size: 8,
    };
    /// `float64`, what NumPy makes of a list of floats (or an empty list).
    pub const FLOAT64: Dtype = Dtype {
        kind: Kind::Float,
        size: 8,
    };

    fn descr(&self) -> String {
        let code = match self.kind {
            Kind::Bool => 'b',
            Kind::Int => 'i',
            Kind::UInt => 'u',
            Kind::Float => 'f',
        };
        let order = if self.size == 1 { '|' } else { '<' };
        format!("{order}{code}{}", self.size)
    }

    fn parse(descr: &str) -> Option<(Dtype, bool)> {
        let mut chars = descr.chars();
        let (big, rest) = match chars.next()? {
            '<' | '|' | '=' => (false, chars.as_str()),
            '>' => (true, chars.as_str()),
            _ => (false, descr),
        };
        let (code, size) = rest.split_at(1);
        let kind = match (code, rest) {
            ("?", _) => {
                return Some((
                    Dtype {
                        kind: Kind::Bool,
                        size: 1,
                    },
                    false,
                ));
            }
            ("b", _) => Kind::Bool,
            ("i", _) => Kind::Int,
            ("u", _) => Kind::UInt,
            ("f", _) => Kind::Float,
            _ => return None,
        };
        let size: u8 = size.parse().ok()?;
        let ok = match kind {
            Kind::Bool => size == 1,
            Kind::Int | Kind::UInt => matches!(size, 1 | 2 | 4 | 8),
            Kind::Float => matches!(size, 4 | 8),
        };
        ok.then_some((Dtype { kind, size }, big))
    }
}

/// An array: element type, shape, order and little-endian element bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// Element type.
    pub dtype: Dtype,
    /// Shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// Whether elements are in column-major order.
    pub fortran_order: bool,
    data: Vec<u8>,
}

impl NpyArray {
    /// A one-dimensional `int64` array.
    pub fn from_i64(values: &[i64]) -> Self {
        NpyArray {
            dtype: Dtype::INT64,
            shape: vec![values.len()],
            fortran_order: false,
            data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        }
    }

    /// A `float64` array of the given shape (row-major).
    pub fn from_f64(shape: Vec<usize>, values: &[f64]) -> Result<Self> {
        if shape.iter().product::<usize>() != values.len() {
            return Err(FormatError::Invalid(format!(
                "{} values do not fill shape {shape:?}",
                values.len()
            )));
        }
        Ok(NpyArray {
            dtype: Dtype::FLOAT64,
            shape,
            fortran_order: false,
            data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        })
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn items(&self) -> impl Iterator<Item = &[u8]> {
        self.data.chunks_exact(usize::from(self.dtype.size))
    }

    /// The elements as `i64`, if the array holds integers (or bools) that fit.
    pub fn to_i64(&self) -> Option<Vec<i64>> {
        let size = usize::from(self.dtype.size);
        self.items()
            .map(|b| {
                let mut buf = [0u8; 8];
                buf[..size].copy_from_slice(b);
                match self.dtype.kind {
                    Kind::Int => {
                        if b[size - 1] & 0x80 != 0 {
                            buf[size..].fill(0xff);
                        }
                        Some(i64::from_le_bytes(buf))
                    }
                    Kind::UInt | Kind::Bool => i64::try_from(u64::from_le_bytes(buf)).ok(),
                    Kind::Float => None,
                }
            })
            .collect()
    }

    /// The elements as `f64` (integers converted).
    pub fn to_f64(&self) -> Vec<f64> {
        match (self.dtype.kind, self.dtype.size) {
            (Kind::Float, 4) => self
                .items()
                .map(|b| f64::from(f32::from_le_bytes(b.try_into().expect("4 bytes"))))
                .collect(),
            (Kind::Float, _) => self
                .items()
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
            _ => self
                .to_i64()
                .map(|v| v.into_iter().map(|i| i as f64).collect())
                .unwrap_or_else(|| {
                    self.items()
                        .map(|b| {
                            let mut buf = [0u8; 8];
                            buf[..b.len()].copy_from_slice(b);
                            u64::from_le_bytes(buf) as f64
                        })
                        .collect()
                }),
        }
    }

    /// The `.npy` bytes, as `numpy.save` writes them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let shape = match self.shape.as_slice() {
            [n] => format!("({n},)"),
            dims => format!(
                "({})",
                dims.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let order = if self.fortran_order { "True" } else { "False" };
        let header = format!(
            "{{'descr': '{}', 'fortran_order': {order}, 'shape': {shape}, }}",
            self.dtype.descr()
        );
        let hlen = header.len() + 1;
        // NumPy pads a whole extra block when already aligned; kept for identical bytes.
        let padlen = ALIGN - ((MAGIC.len() + 2 + 2 + hlen) % ALIGN);
        let mut out = Vec::with_capacity(MAGIC.len() + 4 + hlen + padlen + self.data.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&((hlen + padlen) as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend(std::iter::repeat_n(b' ', padlen));
        out.push(b'\n');
        out.extend_from_slice(&self.data);
        out
    }

    /// Parses `.npy` bytes read from `path` (named in errors).
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self> {
        let bad = |offset: usize, detail: &str| {
            FormatError::malformed(path, Some(offset as u64), detail.to_string())
        };
        if !bytes.starts_with(MAGIC) || bytes.len() < 10 {
            return Err(bad(0, "not a .npy file (no \\x93NUMPY magic)"));
        }
        let (hlen, start) = match bytes[6] {
            1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
            2 | 3 if bytes.len() >= 12 => (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            ),
            v => return Err(bad(6, &format!("unsupported .npy version {v}"))),
        };
        let header = bytes
            .get(start..start + hlen)
            .ok_or_else(|| bad(start, "file ends inside the header"))?;
        let header = String::from_utf8_lossy(header);
        let descr =
            dict_value(&header, "descr").ok_or_else(|| bad(start, "header has no 'descr'"))?;
        let descr = descr.trim_matches(|c| c == '\'' || c == '"');
        let (dtype, big) = Dtype::parse(descr)
            .ok_or_else(|| bad(start, &format!("unsupported dtype '{descr}'")))?;
        let fortran_order = match dict_value(&header, "fortran_order") {
            Some("True") => true,
            Some("False") => false,
            _ => return Err(bad(start, "header has no valid 'fortran_order'")),
        };
        let shape_text =
            dict_value(&header, "shape").ok_or_else(|| bad(start, "header has no 'shape'"))?;
        let shape = shape_text
            .trim_matches(|c| c == '(' || c == ')')
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.trim_end_matches('L').parse::<usize>())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| bad(start, &format!("bad shape {shape_text}")))?;
        let count: usize = shape.iter().product();
        let data_start = start + hlen;
        let want = count * usize::from(dtype.size);
        let mut data = bytes
            .get(data_start..data_start + want)
            .ok_or_else(|| {
                bad(
                    data_start,
                    &format!("file ends inside the data (expected {want} bytes)"),
                )
            })?
            .to_vec();
        if big && dtype.size > 1 {
            data.chunks_exact_mut(usize::from(dtype.size))
                .for_each(<[u8]>::reverse);
        }
        Ok(NpyArray {
            dtype,
            shape,
            fortran_order,
            data,
        })
    }
}

/// The text of a key's value in a Python dict literal (up to the next top-level comma).
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let start = header
        .find(&format!("'{key}'"))
        .or_else(|| header.find(&format!("\"{key}\"")))?
        + key.len()
        + 2;
    let rest = header[start..].trim_start().strip_prefix(':')?.trim_start();
    let mut depth = 0;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' | '}' if depth == 0 => return Some(rest[..i].trim()),
            _ => {}
        }
    }
    None
}

/// `data/array.npy` under a dataset directory.
pub fn array_path(dir: &Path) -> PathBuf {
    data_dir(dir).join("array.npy")
}

/// The original's readiness check: `data/array.npy` exists.
pub fn ready(dir: &Path) -> std::result::Result<(), NotReady> {
    base_ready(dir, &["array.npy"])
}

/// Reads the array stored at `dir`.
pub fn read(dir: &Path) -> Result<NpyArray> {
    let path = array_path(dir);
    NpyArray::from_bytes(&fsutil::read(&path)?, &path)
}

/// Writes an array to `dir` (metadata `{}`, then the file, atomically).
pub fn write(dir: &Path, array: &NpyArray) -> Result<()> {
    create_dir_all(&data_dir(dir))?;
    write_metadata(dir, &Metadata::new())?;
    fsutil::write_atomic(&array_path(dir), &array.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout_matches_numpy() {
        let bytes = NpyArray::from_i64(&[1, -2, 3]).to_bytes();
        let expected_header = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
        assert_eq!(
            &bytes[10..10 + expected_header.len()],
            expected_header.as_bytes()
        );
        assert_eq!((bytes.len() - 24) % 64, 0);
        assert_eq!(bytes[bytes.len() - 25], b'\n');
        let back = NpyArray::from_bytes(&bytes, Path::new("x.npy")).unwrap();
        assert_eq!(back.to_i64().unwrap(), [1, -2, 3]);
        assert_eq!(back.shape, [3]);
    }
}
