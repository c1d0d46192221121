//! A pickle reader (protocols 0 to 5) that builds [`PyValue`]s instead of running code.
//!
//! Nothing in a pickle is executed: globals are recorded by name and instances keep their
//! class name, arguments and state, which the caller interprets (see `dictionary`). Shared
//! and mutated objects are handled through an arena, so a container that is memoised before
//! its items are added (as every pickler does) is seen complete wherever it is referenced.

use std::collections::HashMap;

mod run;

use super::value::{ObjectKind, PyObject, PyValue};

/// Why a pickle could not be read, with the byte offset of the opcode concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid pickle at byte {offset}: {detail}")]
pub struct PickleError {
    /// Offset of the offending opcode.
    pub offset: usize,
    /// What is wrong.
    pub detail: String,
}

type Id = usize;

enum Node {
    Leaf(PyValue),
    List(Vec<Id>),
    Tuple(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    Set(Vec<Id>),
    FrozenSet(Vec<Id>),
    Object {
        kind: ObjectKind,
        class: Id,
        args: Vec<Id>,
        state: Option<Id>,
    },
}

#[derive(Clone, Copy)]
enum Slot {
    Mark,
    Val(Id),
}

struct Machine<'a> {
    data: &'a [u8],
    pos: usize,
    op_start: usize,
    nodes: Vec<Node>,
    stack: Vec<Slot>,
    memo: HashMap<u64, Id>,
}

/// Reads one pickled object from `data`.
pub fn loads(data: &[u8]) -> Result<PyValue, PickleError> {
    let mut m = Machine {
        data,
        pos: 0,
        op_start: 0,
        nodes: Vec::new(),
        stack: Vec::new(),
        memo: HashMap::new(),
    };
    let root = m.run()?;
    let mut visiting = vec![false; m.nodes.len()];
    m.materialize(root, &mut visiting)
}

impl<'a> Machine<'a> {
    fn err(&self, detail: impl Into<String>) -> PickleError {
        PickleError {
            offset: self.op_start,
            detail: detail.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PickleError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.data.len());
        let Some(end) = end else {
            return Err(self.err(format!("data ends inside an opcode (needs {n} more bytes)")));
        };
        let data: &'a [u8] = self.data;
        self.pos = end;
        Ok(&data[end - n..end])
    }

    fn u8(&mut self) -> Result<u8, PickleError> {
        Ok(self.take(1)?[0])
    }

    fn le<const N: usize>(&mut self) -> Result<[u8; N], PickleError> {
        let mut b = [0u8; N];
        b.copy_from_slice(self.take(N)?);
        Ok(b)
    }

    fn line(&mut self) -> Result<&'a [u8], PickleError> {
        let data: &'a [u8] = self.data;
        let rest = &data[self.pos..];
        let Some(nl) = rest.iter().position(|b| *b == b'\n') else {
            return Err(self.err("data ends inside a text line"));
        };
        self.pos += nl + 1;
        Ok(&rest[..nl])
    }

    fn line_str(&mut self) -> Result<String, PickleError> {
        let line = self.line()?.to_vec();
        String::from_utf8(line).map_err(|_| self.err("text line is not UTF-8"))
    }

    fn push_leaf(&mut self, v: PyValue) {
        self.push_node(Node::Leaf(v));
    }

    fn push_node(&mut self, n: Node) {
        self.nodes.push(n);
        self.stack.push(Slot::Val(self.nodes.len() - 1));
    }

    fn pop(&mut self) -> Result<Id, PickleError> {
        match self.stack.pop() {
            Some(Slot::Val(id)) => Ok(id),
            Some(Slot::Mark) => Err(self.err("unexpected MARK on the stack")),
            None => Err(self.err("stack underflow")),
        }
    }

    fn top(&self) -> Result<Id, PickleError> {
        match self.stack.last() {
            Some(Slot::Val(id)) => Ok(*id),
            _ => Err(self.err("no object on the stack")),
        }
    }

    fn pop_mark(&mut self) -> Result<Vec<Id>, PickleError> {
        let Some(mark) = self.stack.iter().rposition(|s| matches!(s, Slot::Mark)) else {
            return Err(self.err("no MARK on the stack"));
        };
        let items = self.stack.split_off(mark + 1);
        self.stack.pop();
        Ok(items
            .into_iter()
            .map(|s| match s {
                Slot::Val(id) => id,
                Slot::Mark => unreachable!("the last mark was found above"),
            })
            .collect())
    }

    fn string_leaf(&self, bytes: &[u8]) -> PyValue {
        match std::str::from_utf8(bytes) {
            Ok(s) => PyValue::Str(s.to_string()),
            Err(_) => PyValue::Bytes(bytes.to_vec()),
        }
    }

    fn utf8_leaf(&self, bytes: &[u8]) -> Result<PyValue, PickleError> {
        std::str::from_utf8(bytes)
            .map(|s| PyValue::Str(s.to_string()))
            .map_err(|_| self.err("unicode string is not valid UTF-8"))
    }

    fn memo_put(&mut self, key: u64) -> Result<(), PickleError> {
        let id = self.top()?;
        self.memo.insert(key, id);
        Ok(())
    }

    fn memo_get(&mut self, key: u64) -> Result<(), PickleError> {
        match self.memo.get(&key) {
            Some(id) => {
                self.stack.push(Slot::Val(*id));
                Ok(())
            }
            None => Err(self.err(format!("memo key {key} was never stored"))),
        }
    }

    fn global_of(&self, id: Id) -> Option<(&str, &str)> {
        match &self.nodes[id] {
            Node::Leaf(PyValue::Global { module, name }) => Some((module, name)),
            _ => None,
        }
    }

    fn leaf_len(&mut self, n: u64) -> Result<usize, PickleError> {
        usize::try_from(n).map_err(|_| self.err("length does not fit in memory"))
    }

    fn pairs(&self, items: Vec<Id>) -> Result<Vec<(Id, Id)>, PickleError> {
        if !items.len().is_multiple_of(2) {
            return Err(self.err("odd number of items for a dict"));
        }
        Ok(items.chunks(2).map(|c| (c[0], c[1])).collect())
    }

    fn extend_list(&mut self, items: Vec<Id>) -> Result<(), PickleError> {
        let target = self.top()?;
        match &mut self.nodes[target] {
            Node::List(list) => {
                list.extend(items);
                Ok(())
            }
            _ => Err(self.err("APPEND on something that is not a list")),
        }
    }

    fn extend_dict(&mut self, pairs: Vec<(Id, Id)>) -> Result<(), PickleError> {
        let target = self.top()?;
        match &mut self.nodes[target] {
            Node::Dict(dict) => {
                dict.extend(pairs);
                Ok(())
            }
            _ => Err(self.err("SETITEM on something that is not a dict")),
        }
    }

    fn tuple_items(&self, id: Id) -> Result<Vec<Id>, PickleError> {
        match &self.nodes[id] {
            Node::Tuple(items) => Ok(items.clone()),
            _ => Err(self.err("constructor arguments are not a tuple")),
        }
    }

    /// Interprets the calls the picklers emit for builtins and plain instances; anything else
    /// stays an uninterpreted [`ObjectKind::Reduce`].
    fn reduce(&self, callable: Id, args: Id) -> Result<Node, PickleError> {
        let args = self.tuple_items(args)?;
        let global = self.global_of(callable);
        let builtin = |name: &str| matches!(global, Some((m, n)) if (m == "builtins" || m == "__builtin__") && n == name);
        let first_list = || match args.first().map(|id| &self.nodes[*id]) {
            Some(Node::List(items)) | Some(Node::Tuple(items)) => Some(items.clone()),
            _ => None,
        };
        if builtin("set") {
            return Ok(Node::Set(first_list().unwrap_or_default()));
        }
        if builtin("frozenset") {
            return Ok(Node::FrozenSet(first_list().unwrap_or_default()));
        }
        if matches!(global, Some((m, "_reconstructor")) if m == "copy_reg" || m == "copyreg")
            && let Some(class) = args.first()
        {
            return Ok(Node::Object {
                kind: ObjectKind::New,
                class: *class,
                args: Vec::new(),
                state: None,
            });
        }
        if matches!(global, Some(("_codecs", "encode")))
            && let Some(Node::Leaf(PyValue::Str(s))) = args.first().map(|id| &self.nodes[*id])
        {
            let latin1: Option<Vec<u8>> =
                s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
            if let Some(bytes) = latin1 {
                return Ok(Node::Leaf(PyValue::Bytes(bytes)));
            }
        }
        Ok(Node::Object {
            kind: ObjectKind::Reduce,
            class: callable,
            args,
            state: None,
        })
    }

    fn materialize(&self, id: Id, visiting: &mut [bool]) -> Result<PyValue, PickleError> {
        if visiting[id] {
            return Err(PickleError {
                offset: 0,
                detail: "the pickle contains a recursive structure, which Pimlico's files never do"
                    .into(),
            });
        }
        visiting[id] = true;
        let all = |ids: &[Id], visiting: &mut [bool]| -> Result<Vec<PyValue>, PickleError> {
            ids.iter().map(|i| self.materialize(*i, visiting)).collect()
        };
        let v = match &self.nodes[id] {
            Node::Leaf(v) => v.clone(),
            Node::List(items) => PyValue::List(all(items, visiting)?),
            Node::Tuple(items) => PyValue::Tuple(all(items, visiting)?),
            Node::Set(items) => PyValue::Set(all(items, visiting)?),
            Node::FrozenSet(items) => PyValue::FrozenSet(all(items, visiting)?),
            Node::Dict(pairs) => PyValue::Dict(
                pairs
                    .iter()
                    .map(|(k, v)| {
                        Ok((
                            self.materialize(*k, visiting)?,
                            self.materialize(*v, visiting)?,
                        ))
                    })
                    .collect::<Result<_, PickleError>>()?,
            ),
            Node::Object {
                kind,
                class,
                args,
                state,
            } => PyValue::Object(Box::new(PyObject {
                kind: *kind,
                class: self.materialize(*class, visiting)?,
                args: all(args, visiting)?,
                state: state.map(|s| self.materialize(s, visiting)).transpose()?,
            })),
        };
        visiting[id] = false;
        Ok(v)
    }
}

/// Little-endian two's complement, as `LONG1`/`LONG4` store integers.
fn decode_long(bytes: &[u8]) -> Option<i128> {
    if bytes.is_empty() {
        return Some(0);
    }
    if bytes.len() > 16 {
        let sign_ext = if bytes[15] & 0x80 != 0 { 0xff } else { 0 };
        if bytes[16..].iter().any(|b| *b != sign_ext) {
            return None;
        }
    }
    let n = bytes.len().min(16);
    let fill = if bytes[n - 1] & 0x80 != 0 { 0xff } else { 0 };
    let mut buf = [fill; 16];
    buf[..n].copy_from_slice(&bytes[..n]);
    Some(i128::from_le_bytes(buf))
}
