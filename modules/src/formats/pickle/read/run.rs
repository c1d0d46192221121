//! The opcode loop of the pickle machine.

use super::super::ops::*;
use super::super::text::{
    parse_float_line, parse_int_line, parse_string_literal, raw_unicode_escape,
};
use super::super::value::{ObjectKind, PyValue};
use super::{Id, Machine, Node, PickleError, Slot, decode_long};

impl Machine<'_> {
    pub(super) fn run(&mut self) -> Result<Id, PickleError> {
        loop {
            self.op_start = self.pos;
            let op = self.u8()?;
            match op {
                PROTO => {
                    let v = self.u8()?;
                    if v > 5 {
                        return Err(self.err(format!("unsupported pickle protocol {v}")));
                    }
                }
                FRAME => {
                    self.take(8)?;
                }
                STOP => return self.pop(),
                MARK => self.stack.push(Slot::Mark),
                POP => {
                    if self.stack.pop().is_none() {
                        return Err(self.err("stack underflow"));
                    }
                }
                POP_MARK => {
                    self.pop_mark()?;
                }
                DUP => {
                    let id = self.top()?;
                    self.stack.push(Slot::Val(id));
                }
                NONE => self.push_leaf(PyValue::None),
                NEWTRUE => self.push_leaf(PyValue::Bool(true)),
                NEWFALSE => self.push_leaf(PyValue::Bool(false)),
                BININT => {
                    let v = i32::from_le_bytes(self.le()?);
                    self.push_leaf(PyValue::Int(v.into()));
                }
                BININT1 => {
                    let v = self.u8()?;
                    self.push_leaf(PyValue::Int(v.into()));
                }
                BININT2 => {
                    let v = u16::from_le_bytes(self.le()?);
                    self.push_leaf(PyValue::Int(v.into()));
                }
                LONG1 | LONG4 => {
                    let n = if op == LONG1 {
                        u64::from(self.u8()?)
                    } else {
                        u64::from(u32::from_le_bytes(self.le()?))
                    };
                    let n = self.leaf_len(n)?;
                    let bytes = self.take(n)?.to_vec();
                    let v = decode_long(&bytes).ok_or_else(|| self.err("integer too large"))?;
                    self.push_leaf(PyValue::Int(v));
                }
                INT => {
                    let line = self.line_str()?;
                    let v = parse_int_line(&line).ok_or_else(|| self.err("bad INT literal"))?;
                    self.push_leaf(v);
                }
                LONG => {
                    let line = self.line_str()?;
                    let v = parse_int_line(line.trim_end_matches('L'))
                        .ok_or_else(|| self.err("bad LONG literal"))?;
                    self.push_leaf(v);
                }
                BINFLOAT => {
                    let v = f64::from_be_bytes(self.le()?);
                    self.push_leaf(PyValue::Float(v));
                }
                FLOAT => {
                    let line = self.line_str()?;
                    let v = parse_float_line(&line).ok_or_else(|| self.err("bad FLOAT literal"))?;
                    self.push_leaf(PyValue::Float(v));
                }
                SHORT_BINUNICODE | BINUNICODE | BINUNICODE8 => {
                    let n = match op {
                        SHORT_BINUNICODE => u64::from(self.u8()?),
                        BINUNICODE => u64::from(u32::from_le_bytes(self.le()?)),
                        _ => u64::from_le_bytes(self.le()?),
                    };
                    let n = self.leaf_len(n)?;
                    let bytes = self.take(n)?;
                    let v = self.utf8_leaf(bytes)?;
                    self.push_leaf(v);
                }
                UNICODE => {
                    let line = self.line()?.to_vec();
                    let s =
                        raw_unicode_escape(&line).ok_or_else(|| self.err("bad UNICODE literal"))?;
                    self.push_leaf(PyValue::Str(s));
                }
                SHORT_BINSTRING | BINSTRING => {
                    let n = if op == SHORT_BINSTRING {
                        u64::from(self.u8()?)
                    } else {
                        u64::from(u32::from_le_bytes(self.le()?))
                    };
                    let n = self.leaf_len(n)?;
                    let bytes = self.take(n)?.to_vec();
                    let v = self.string_leaf(&bytes);
                    self.push_leaf(v);
                }
                STRING => {
                    let line = self.line()?.to_vec();
                    let bytes = parse_string_literal(&line)
                        .ok_or_else(|| self.err("bad STRING literal"))?;
                    let v = self.string_leaf(&bytes);
                    self.push_leaf(v);
                }
                SHORT_BINBYTES | BINBYTES | BINBYTES8 | BYTEARRAY8 => {
                    let n = match op {
                        SHORT_BINBYTES => u64::from(self.u8()?),
                        BINBYTES => u64::from(u32::from_le_bytes(self.le()?)),
                        _ => u64::from_le_bytes(self.le()?),
                    };
                    let n = self.leaf_len(n)?;
                    let bytes = self.take(n)?.to_vec();
                    self.push_leaf(PyValue::Bytes(bytes));
                }
                EMPTY_LIST => self.push_node(Node::List(Vec::new())),
                EMPTY_TUPLE => self.push_node(Node::Tuple(Vec::new())),
                EMPTY_DICT => self.push_node(Node::Dict(Vec::new())),
                EMPTY_SET => self.push_node(Node::Set(Vec::new())),
                LIST => {
                    let items = self.pop_mark()?;
                    self.push_node(Node::List(items));
                }
                TUPLE => {
                    let items = self.pop_mark()?;
                    self.push_node(Node::Tuple(items));
                }
                TUPLE1 | TUPLE2 | TUPLE3 => {
                    let n = usize::from(op - TUPLE1 + 1);
                    let mut items = (0..n).map(|_| self.pop()).collect::<Result<Vec<_>, _>>()?;
                    items.reverse();
                    self.push_node(Node::Tuple(items));
                }
                FROZENSET => {
                    let items = self.pop_mark()?;
                    self.push_node(Node::FrozenSet(items));
                }
                DICT => {
                    let items = self.pop_mark()?;
                    let pairs = self.pairs(items)?;
                    self.push_node(Node::Dict(pairs));
                }
                APPEND => {
                    let v = self.pop()?;
                    self.extend_list(vec![v])?;
                }
                APPENDS => {
                    let items = self.pop_mark()?;
                    self.extend_list(items)?;
                }
                SETITEM => {
                    let v = self.pop()?;
                    let k = self.pop()?;
                    self.extend_dict(vec![(k, v)])?;
                }
                SETITEMS => {
                    let items = self.pop_mark()?;
                    let pairs = self.pairs(items)?;
                    self.extend_dict(pairs)?;
                }
                ADDITEMS => {
                    let items = self.pop_mark()?;
                    let target = self.top()?;
                    match &mut self.nodes[target] {
                        Node::Set(set) => set.extend(items),
                        _ => return Err(self.err("ADDITEMS on something that is not a set")),
                    }
                }
                GLOBAL => {
                    let module = self.line_str()?;
                    let name = self.line_str()?;
                    self.push_leaf(PyValue::Global { module, name });
                }
                STACK_GLOBAL => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    let (Node::Leaf(PyValue::Str(module)), Node::Leaf(PyValue::Str(name))) =
                        (&self.nodes[module], &self.nodes[name])
                    else {
                        return Err(self.err("STACK_GLOBAL needs two strings"));
                    };
                    let v = PyValue::Global {
                        module: module.clone(),
                        name: name.clone(),
                    };
                    self.push_leaf(v);
                }
                REDUCE => {
                    let args = self.pop()?;
                    let callable = self.pop()?;
                    let node = self.reduce(callable, args)?;
                    self.push_node(node);
                }
                NEWOBJ => {
                    let args = self.pop()?;
                    let class = self.pop()?;
                    let args = self.tuple_items(args)?;
                    self.push_node(Node::Object {
                        kind: ObjectKind::New,
                        class,
                        args,
                        state: None,
                    });
                }
                NEWOBJ_EX => {
                    let _kwargs = self.pop()?;
                    let args = self.pop()?;
                    let class = self.pop()?;
                    let args = self.tuple_items(args)?;
                    self.push_node(Node::Object {
                        kind: ObjectKind::New,
                        class,
                        args,
                        state: None,
                    });
                }
                OBJ => {
                    let mut items = self.pop_mark()?;
                    if items.is_empty() {
                        return Err(self.err("OBJ without a class"));
                    }
                    let class = items.remove(0);
                    self.push_node(Node::Object {
                        kind: ObjectKind::New,
                        class,
                        args: items,
                        state: None,
                    });
                }
                INST => {
                    let module = self.line_str()?;
                    let name = self.line_str()?;
                    let args = self.pop_mark()?;
                    self.nodes
                        .push(Node::Leaf(PyValue::Global { module, name }));
                    let class = self.nodes.len() - 1;
                    self.push_node(Node::Object {
                        kind: ObjectKind::New,
                        class,
                        args,
                        state: None,
                    });
                }
                BUILD => {
                    let state = self.pop()?;
                    let target = self.top()?;
                    match &mut self.nodes[target] {
                        Node::Object { state: s, .. } => *s = Some(state),
                        _ => return Err(self.err("BUILD on something that is not an instance")),
                    }
                }
                PUT => {
                    let line = self.line_str()?;
                    let key = line.trim().parse().map_err(|_| self.err("bad PUT index"))?;
                    self.memo_put(key)?;
                }
                BINPUT => {
                    let key = u64::from(self.u8()?);
                    self.memo_put(key)?;
                }
                LONG_BINPUT => {
                    let key = u64::from(u32::from_le_bytes(self.le()?));
                    self.memo_put(key)?;
                }
                MEMOIZE => {
                    // Python stores at `len(memo)`.
                    let key = self.memo.len() as u64;
                    self.memo_put(key)?;
                }
                GET => {
                    let line = self.line_str()?;
                    let key = line.trim().parse().map_err(|_| self.err("bad GET index"))?;
                    self.memo_get(key)?;
                }
                BINGET => {
                    let key = u64::from(self.u8()?);
                    self.memo_get(key)?;
                }
                LONG_BINGET => {
                    let key = u64::from(u32::from_le_bytes(self.le()?));
                    self.memo_get(key)?;
                }
                other => {
                    return Err(self.err(format!("unsupported pickle opcode 0x{other:02x}")));
                }
            }
        }
    }
}
