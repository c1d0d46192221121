//! The Python values a pickle can hold, as far as Pimlico's files use them.

/// A Python object read from (or to be written to) a pickle.
///
/// Dicts keep their insertion order, because the original's dictionaries depend on it (word
/// IDs are reassigned in `token2id` order when a vocabulary is filtered).
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An `int` (Python ints are unbounded; larger values than `i128` are rejected).
    Int(i128),
    /// A `float`.
    Float(f64),
    /// A `str` (also Python 2 byte strings that are valid UTF-8, which is how Python 2 Pimlico
    /// stored ASCII names).
    Str(String),
    /// A `bytes` object (or a Python 2 byte string that is not UTF-8).
    Bytes(Vec<u8>),
    /// A `list`.
    List(Vec<PyValue>),
    /// A `tuple`.
    Tuple(Vec<PyValue>),
    /// A `dict`, in insertion order.
    Dict(Vec<(PyValue, PyValue)>),
    /// A `set`, in the order the pickle lists its items.
    Set(Vec<PyValue>),
    /// A `frozenset`.
    FrozenSet(Vec<PyValue>),
    /// A reference to a module-level name, e.g. a class.
    Global {
        /// Module, e.g. `pimlico.datatypes.dictionary`.
        module: String,
        /// Name in the module, e.g. `DictionaryData`.
        name: String,
    },
    /// A class instance or the result of calling something on unpickling.
    Object(Box<PyObject>),
}

/// How an [`PyValue::Object`] is made when unpickling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// `cls.__new__(cls, *args)` (`NEWOBJ`; also the protocol 0/1 forms of plain instances).
    New,
    /// `callable(*args)` (`REDUCE`) for callables this reader does not interpret.
    Reduce,
}

/// An instance: its class (or callable), constructor arguments and `__setstate__` state.
#[derive(Debug, Clone, PartialEq)]
pub struct PyObject {
    /// How it is constructed.
    pub kind: ObjectKind,
    /// The class or callable, normally a [`PyValue::Global`].
    pub class: PyValue,
    /// Positional arguments.
    pub args: Vec<PyValue>,
    /// The state set by `BUILD` (usually the instance `__dict__`), if any.
    pub state: Option<PyValue>,
}

impl PyValue {
    /// The class's `(module, name)` if this is an instance of a module-level class.
    pub fn class_name(&self) -> Option<(&str, &str)> {
        match self {
            PyValue::Object(obj) => match &obj.class {
                PyValue::Global { module, name } => Some((module, name)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The string, if this is a `str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PyValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an `int` (or a `bool`, as in Python).
    pub fn as_int(&self) -> Option<i128> {
        match self {
            PyValue::Int(i) => Some(*i),
            PyValue::Bool(b) => Some(i128::from(*b)),
            _ => None,
        }
    }

    /// Looks a key up in a dict with `str` keys.
    pub fn get(&self, key: &str) -> Option<&PyValue> {
        match self {
            PyValue::Dict(items) => items
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short name of the Python type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            PyValue::None => "None",
            PyValue::Bool(_) => "bool",
            PyValue::Int(_) => "int",
            PyValue::Float(_) => "float",
            PyValue::Str(_) => "str",
            PyValue::Bytes(_) => "bytes",
            PyValue::List(_) => "list",
            PyValue::Tuple(_) => "tuple",
            PyValue::Dict(_) => "dict",
            PyValue::Set(_) => "set",
            PyValue::FrozenSet(_) => "frozenset",
            PyValue::Global { .. } => "global",
            PyValue::Object(_) => "object",
        }
    }
}
