//! Python pickles, for the datatypes the original stores with `pickle` (`Dictionary`, `Dict`,
//! and `corpus_metadata` written by very old Pimlico versions).
//!
//! `serde-pickle` was considered and does not fit: it cannot write class instances (the
//! original's `Dictionary` is a pickled `DictionaryData` instance), and it reads dicts into
//! sorted maps, losing the insertion order the dictionary's word IDs depend on. This reader
//! never executes anything: it returns [`PyValue`]s that name classes instead of creating them.

mod ops;
mod read;
mod text;
mod value;
mod write;

pub use read::{PickleError, loads};
pub use value::{ObjectKind, PyObject, PyValue};
pub use write::{Pickle, Pickler, dumps};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let value = PyValue::Object(Box::new(PyObject {
            kind: ObjectKind::New,
            class: PyValue::Global {
                module: "m".into(),
                name: "C".into(),
            },
            args: vec![],
            state: Some(PyValue::Dict(vec![
                (PyValue::Str("a".into()), PyValue::Int(-5)),
                (PyValue::Str("big".into()), PyValue::Int(1 << 70)),
                (PyValue::Str("f".into()), PyValue::Float(0.25)),
                (
                    PyValue::Str("s".into()),
                    PyValue::Set((0..2500).map(PyValue::Int).collect()),
                ),
                (
                    PyValue::Str("l".into()),
                    PyValue::List(vec![
                        PyValue::None,
                        PyValue::Bool(true),
                        PyValue::Bytes(vec![1, 2]),
                    ]),
                ),
                (
                    PyValue::Str("t".into()),
                    PyValue::Tuple((0..5).map(PyValue::Int).collect()),
                ),
                (
                    PyValue::Str("long".into()),
                    PyValue::Str("x".repeat(70_000)),
                ),
            ])),
        }));
        assert_eq!(loads(&dumps(&value)).unwrap(), value);
    }

    #[test]
    fn reads_python2_set_reduce_and_memo_references() {
        // Protocol 2, as Python 2 writes `{"k": set([u"a"]), "r": <same set>}`.
        let data = b"\x80\x02}q\x00(U\x01kq\x01c__builtin__\nset\nq\x02]q\x03X\x01\x00\x00\x00aq\x04a\x85q\x05Rq\x06U\x01rq\x07h\x06u.";
        let v = loads(data).unwrap();
        let set = PyValue::Set(vec![PyValue::Str("a".into())]);
        assert_eq!(v.get("k"), Some(&set));
        assert_eq!(v.get("r"), Some(&set));
    }

    #[test]
    fn truncated_and_garbage_input_give_errors() {
        let full = dumps(&PyValue::Dict(vec![(
            PyValue::Str("a".into()),
            PyValue::Int(1),
        )]));
        for cut in 0..full.len() {
            assert!(loads(&full[..cut]).is_err(), "cut at {cut}");
        }
        let err = loads(b"\x80\x04\xff.").unwrap_err();
        assert!(err.detail.contains("0xff"), "{err}");
    }
}
