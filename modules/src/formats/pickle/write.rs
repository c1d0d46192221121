//! A protocol 4 pickle writer that produces the bytes CPython 3.7's `pickle.dump(obj, f, -1)`
//! produces for the same objects.
//!
//! It follows the C pickler's choices: 64 KiB frames committed at the start of each object,
//! `MEMOIZE` after every string, container, global and instance, batches of 1000 items, and the
//! C implementation's extra empty `MARK SETITEMS`/`MARK ADDITEMS` batch after a dict or set whose
//! size is a multiple of 1000. Objects are never shared, so no `GET` is ever written; Python
//! only writes one for an object referenced twice, which Pimlico's pickles do not contain in
//! practice (the dictionary's `_id2token` cache is empty whenever the original writes it).

use super::ops::*;
use super::value::{ObjectKind, PyValue};

const FRAME_SIZE_TARGET: usize = 64 * 1024;
const FRAME_SIZE_MIN: usize = 4;
const BATCH: usize = 1000;

/// Something that can be written into a pickle.
pub trait Pickle {
    /// Writes `self` as one object.
    fn pickle(&self, p: &mut Pickler);
}

/// Streams objects into protocol 4 pickle bytes.
#[derive(Debug, Default)]
pub struct Pickler {
    out: Vec<u8>,
    frame: Vec<u8>,
}

/// Pickles one object, as `pickle.dumps(obj, 4)` would.
pub fn dumps(obj: &(impl Pickle + ?Sized)) -> Vec<u8> {
    let mut p = Pickler::default();
    p.out.extend_from_slice(&[PROTO, 4]);
    obj.pickle(&mut p);
    p.frame.push(STOP);
    p.commit_frame(true);
    p.out
}

impl Pickler {
    fn commit_frame(&mut self, force: bool) {
        if self.frame.is_empty() || (!force && self.frame.len() < FRAME_SIZE_TARGET) {
            return;
        }
        if self.frame.len() >= FRAME_SIZE_MIN {
            self.out.push(FRAME);
            self.out
                .extend_from_slice(&(self.frame.len() as u64).to_le_bytes());
        }
        self.out.append(&mut self.frame);
    }

    /// Called before every object, as the pickler starts each `save()` at an opcode boundary.
    fn boundary(&mut self) {
        self.commit_frame(false);
    }

    fn op(&mut self, op: u8) {
        self.frame.push(op);
    }

    fn memoize(&mut self) {
        self.frame.push(MEMOIZE);
    }

    fn large_or_framed(&mut self, header: &[u8], payload: &[u8]) {
        if payload.len() >= FRAME_SIZE_TARGET {
            self.commit_frame(true);
            self.out.extend_from_slice(header);
            self.out.extend_from_slice(payload);
        } else {
            self.frame.extend_from_slice(header);
            self.frame.extend_from_slice(payload);
        }
    }

    /// `None`.
    pub fn none(&mut self) {
        self.boundary();
        self.op(NONE);
    }

    /// A bool.
    pub fn bool(&mut self, b: bool) {
        self.boundary();
        self.op(if b { NEWTRUE } else { NEWFALSE });
    }

    /// An int.
    pub fn int(&mut self, v: i128) {
        self.boundary();
        if (0..=0xff).contains(&v) {
            self.frame.extend_from_slice(&[BININT1, v as u8]);
        } else if (0..=0xffff).contains(&v) {
            self.op(BININT2);
            self.frame.extend_from_slice(&(v as u16).to_le_bytes());
        } else if (i128::from(i32::MIN)..=i128::from(i32::MAX)).contains(&v) {
            self.op(BININT);
            self.frame.extend_from_slice(&(v as i32).to_le_bytes());
        } else {
            let bytes = encode_long(v);
            self.frame.extend_from_slice(&[LONG1, bytes.len() as u8]);
            self.frame.extend_from_slice(&bytes);
        }
    }

    /// A float.
    pub fn float(&mut self, v: f64) {
        self.boundary();
        self.op(BINFLOAT);
        self.frame.extend_from_slice(&v.to_be_bytes());
    }

    /// A str.
    pub fn str(&mut self, s: &str) {
        self.boundary();
        let b = s.as_bytes();
        if b.len() <= 0xff {
            self.frame
                .extend_from_slice(&[SHORT_BINUNICODE, b.len() as u8]);
            self.frame.extend_from_slice(b);
        } else if b.len() > u32::MAX as usize {
            let mut header = vec![BINUNICODE8];
            header.extend_from_slice(&(b.len() as u64).to_le_bytes());
            self.large_or_framed(&header, b);
        } else {
            let mut header = vec![BINUNICODE];
            header.extend_from_slice(&(b.len() as u32).to_le_bytes());
            self.large_or_framed(&header, b);
        }
        self.memoize();
    }

    /// A bytes object.
    pub fn bytes(&mut self, b: &[u8]) {
        self.boundary();
        if b.len() <= 0xff {
            self.frame
                .extend_from_slice(&[SHORT_BINBYTES, b.len() as u8]);
            self.frame.extend_from_slice(b);
        } else if b.len() > u32::MAX as usize {
            let mut header = vec![BINBYTES8];
            header.extend_from_slice(&(b.len() as u64).to_le_bytes());
            self.large_or_framed(&header, b);
        } else {
            let mut header = vec![BINBYTES];
            header.extend_from_slice(&(b.len() as u32).to_le_bytes());
            self.large_or_framed(&header, b);
        }
        self.memoize();
    }

    /// A tuple.
    pub fn tuple<'a, T: Pickle + ?Sized + 'a>(
        &mut self,
        items: impl ExactSizeIterator<Item = &'a T>,
    ) {
        self.boundary();
        let n = items.len();
        if n == 0 {
            self.op(EMPTY_TUPLE);
            return;
        }
        if n > 3 {
            self.op(MARK);
        }
        for item in items {
            item.pickle(self);
        }
        self.op(match n {
            1 => TUPLE1,
            2 => TUPLE2,
            3 => TUPLE3,
            _ => TUPLE,
        });
        self.memoize();
    }

    /// A list.
    pub fn list<'a, T: Pickle + ?Sized + 'a>(
        &mut self,
        items: impl ExactSizeIterator<Item = &'a T>,
    ) {
        self.boundary();
        self.op(EMPTY_LIST);
        self.memoize();
        let n = items.len();
        let mut items = items.peekable();
        if n == 1 {
            if let Some(item) = items.next() {
                item.pickle(self);
            }
            self.op(APPEND);
            return;
        }
        while items.peek().is_some() {
            self.op(MARK);
            for item in items.by_ref().take(BATCH) {
                item.pickle(self);
            }
            self.op(APPENDS);
        }
    }

    /// A dict, in the iterator's order.
    pub fn dict<'a, K: Pickle + ?Sized + 'a, V: Pickle + ?Sized + 'a>(
        &mut self,
        items: impl ExactSizeIterator<Item = (&'a K, &'a V)>,
    ) {
        self.boundary();
        self.op(EMPTY_DICT);
        self.memoize();
        let n = items.len();
        let mut items = items.peekable();
        if n == 0 {
            return;
        }
        if n == 1 {
            if let Some((k, v)) = items.next() {
                k.pickle(self);
                v.pickle(self);
            }
            self.op(SETITEM);
            return;
        }
        loop {
            self.op(MARK);
            let mut count = 0;
            for (k, v) in items.by_ref().take(BATCH) {
                k.pickle(self);
                v.pickle(self);
                count += 1;
            }
            self.op(SETITEMS);
            if count < BATCH {
                break;
            }
        }
    }

    /// A set (or, with `frozen`, a frozenset), in the iterator's order.
    pub fn set<'a, T: Pickle + ?Sized + 'a>(
        &mut self,
        items: impl ExactSizeIterator<Item = &'a T>,
        frozen: bool,
    ) {
        self.boundary();
        if frozen {
            self.op(MARK);
            for item in items {
                item.pickle(self);
            }
            self.op(FROZENSET);
            self.memoize();
            return;
        }
        self.op(EMPTY_SET);
        self.memoize();
        if items.len() == 0 {
            return;
        }
        let mut items = items.peekable();
        loop {
            self.op(MARK);
            let mut count = 0;
            for item in items.by_ref().take(BATCH) {
                item.pickle(self);
                count += 1;
            }
            self.op(ADDITEMS);
            if count < BATCH {
                break;
            }
        }
    }

    /// A module-level name such as a class.
    pub fn global(&mut self, module: &str, name: &str) {
        self.boundary();
        self.str(module);
        self.str(name);
        self.op(STACK_GLOBAL);
        self.memoize();
    }

    /// An instance made by `NEWOBJ` (or `REDUCE`) with its state set by `BUILD`: how
    /// `pickle` saves an ordinary class instance. `state` writes the state object, if any.
    pub fn object(
        &mut self,
        kind: ObjectKind,
        class: &dyn Fn(&mut Pickler),
        args: &[PyValue],
        state: Option<&dyn Fn(&mut Pickler)>,
    ) {
        self.boundary();
        class(self);
        self.tuple(args.iter());
        self.op(match kind {
            ObjectKind::New => NEWOBJ,
            ObjectKind::Reduce => REDUCE,
        });
        self.memoize();
        if let Some(state) = state {
            state(self);
            self.op(BUILD);
        }
    }
}

/// Little-endian two's complement in the fewest bytes, as Python's `encode_long`.
fn encode_long(v: i128) -> Vec<u8> {
    let bytes = v.to_le_bytes();
    let mut n = 16;
    while n > 1 {
        let last = bytes[n - 1];
        let prev_high = bytes[n - 2] & 0x80;
        if (last == 0 && prev_high == 0) || (last == 0xff && prev_high != 0) {
            n -= 1;
        } else {
            break;
        }
    }
    bytes[..n].to_vec()
}

impl Pickle for PyValue {
    fn pickle(&self, p: &mut Pickler) {
        match self {
            PyValue::None => p.none(),
            PyValue::Bool(b) => p.bool(*b),
            PyValue::Int(i) => p.int(*i),
            PyValue::Float(f) => p.float(*f),
            PyValue::Str(s) => p.str(s),
            PyValue::Bytes(b) => p.bytes(b),
            PyValue::List(items) => p.list(items.iter()),
            PyValue::Tuple(items) => p.tuple(items.iter()),
            PyValue::Dict(items) => p.dict(items.iter().map(|(k, v)| (k, v))),
            PyValue::Set(items) => p.set(items.iter(), false),
            PyValue::FrozenSet(items) => p.set(items.iter(), true),
            PyValue::Global { module, name } => p.global(module, name),
            PyValue::Object(obj) => {
                let state = obj
                    .state
                    .as_ref()
                    .map(|s| move |p: &mut Pickler| s.pickle(p));
                p.object(
                    obj.kind,
                    &|p| obj.class.pickle(p),
                    &obj.args,
                    state.as_ref().map(|f| f as &dyn Fn(&mut Pickler)),
                );
            }
        }
    }
}

impl Pickle for str {
    fn pickle(&self, p: &mut Pickler) {
        p.str(self);
    }
}

impl Pickle for String {
    fn pickle(&self, p: &mut Pickler) {
        p.str(self);
    }
}

impl Pickle for u64 {
    fn pickle(&self, p: &mut Pickler) {
        p.int(i128::from(*self));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_encoding_is_minimal() {
        assert_eq!(
            encode_long(0x7f_ffff_ffff),
            vec![0xff, 0xff, 0xff, 0xff, 0x7f]
        );
        assert_eq!(encode_long(0x80_0000_0000), vec![0, 0, 0, 0, 0x80, 0]);
        assert_eq!(
            encode_long(-0x8000_0001),
            vec![0xff, 0xff, 0xff, 0x7f, 0xff]
        );
    }

    #[test]
    fn small_pickles_have_no_frame() {
        assert_eq!(
            dumps(&PyValue::List(vec![])),
            vec![PROTO, 4, EMPTY_LIST, MEMOIZE, STOP]
        );
        assert_eq!(
            dumps(&PyValue::Int(1)),
            vec![PROTO, 4, BININT1, 1, STOP],
            "3-byte frame content is written without a FRAME header"
        );
    }
}
