"""Reads a dataset with the original Pimlico's reader classes and prints what it sees as JSON.

Usage: orig_read.py KIND DIR [ARG]
   or: orig_read.py batch < [[KIND, DIR, ARG], ...]   (prints a list of results; a failed
       read gives {"error": message})

KIND is one of:
  corpus DIR DOC_TYPE   a GroupedCorpus of the named document type: readiness, length and
                        every (archive, name, document) in iteration order
  ready DIR             only the GroupedCorpus readiness check
  dictionary DIR        a Dictionary's DictionaryData
  string_list DIR       a StringList
  files DIR NAMES       a NamedFileCollection (NAMES comma-separated): each file's bytes
  dict DIR              a Dict

Bytes are printed as hex, everything else as JSON values. Run with the original's source on
PYTHONPATH, under the Python the original's tests use.
"""
import json
import os
import sys

from pimlico.datatypes.corpora import GroupedCorpus
from pimlico.datatypes.corpora.data_points import (
    RawDocumentType, TextDocumentType, RawTextDocumentType, is_invalid_doc)
from pimlico.datatypes.corpora.tokenized import (
    TokenizedDocumentType, CharacterTokenizedDocumentType, SegmentedLinesDocumentType)
from pimlico.datatypes.corpora.ints import IntegerListsDocumentType, IntegerListDocumentType
from pimlico.datatypes.corpora.strings import LabelDocumentType
from pimlico.datatypes.core import StringList, Dict
from pimlico.datatypes.dictionary import Dictionary
from pimlico.datatypes.files import NamedFileCollection

DOC_TYPES = {
    "RawDocumentType": RawDocumentType,
    "TextDocumentType": TextDocumentType,
    "RawTextDocumentType": RawTextDocumentType,
    "LabelDocumentType": LabelDocumentType,
    "TokenizedDocumentType": TokenizedDocumentType,
    "CharacterTokenizedDocumentType": CharacterTokenizedDocumentType,
    "SegmentedLinesDocumentType": SegmentedLinesDocumentType,
    "IntegerListsDocumentType": IntegerListsDocumentType,
    "IntegerListDocumentType": IntegerListDocumentType,
}


def reader(datatype, path):
    setup = datatype([path])
    if not setup.ready_to_read():
        raise SystemExit("dataset at %s is not ready for the original" % path)
    return setup.get_reader(None)


def describe_doc(doc):
    if is_invalid_doc(doc):
        return {"invalid": [doc.module_name, doc.error_info]}
    dpt = doc.data_point_type
    if isinstance(dpt, (TokenizedDocumentType,)):
        return {"sentences": [list(s) for s in doc.sentences]}
    if isinstance(dpt, IntegerListsDocumentType):
        return {"lists": doc.lists}
    if isinstance(dpt, IntegerListDocumentType):
        return {"list": doc.list}
    if isinstance(dpt, TextDocumentType):
        return {"text": doc.text}
    if isinstance(dpt, LabelDocumentType):
        return {"text": doc.label}
    return {"raw": doc.raw_data.hex()}


def py_value(v):
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, (set, frozenset)):
        return {"set": sorted(py_value(x) for x in v)}
    if isinstance(v, (list, tuple)):
        return [py_value(x) for x in v]
    if isinstance(v, dict):
        return {"dict": [[py_value(k), py_value(x)] for k, x in v.items()]}
    return v


def read(kind, path, arg=None):
    path = os.path.abspath(path)
    if kind == "ready":
        setup = GroupedCorpus(RawDocumentType())([path])
        out = {"ready": bool(setup.ready_to_read())}
    elif kind == "corpus":
        r = reader(GroupedCorpus(DOC_TYPES[arg]()), path)
        out = {
            "length": len(r),
            "metadata": r.metadata,
            "docs": [[a, n, describe_doc(d)] for a, n, d in r.archive_iter()],
        }
    elif kind == "dictionary":
        d = reader(Dictionary(), path).get_data()
        out = {
            "token2id": [[t, i] for t, i in d.token2id.items()],
            "dfs": [[i, n] for i, n in d.dfs.items()],
            "stopwords": sorted(getattr(d, "stopwords", set())),
            "num_docs": d.num_docs,
            "num_pos": d.num_pos,
            "num_nnz": d.num_nnz,
            "id2token_len": len(d.id2token),
        }
    elif kind == "string_list":
        out = {"list": reader(StringList(), path).get_list()}
    elif kind == "files":
        names = arg.split(",")
        r = reader(NamedFileCollection(names), path)
        out = {"files": {n: r.read_file(n).hex() for n in names}}
    elif kind == "dict":
        out = {"dict": py_value(reader(Dict(), path).get_dict())}
    else:
        raise SystemExit("unknown kind %s" % kind)
    return out


def main():
    if sys.argv[1] == "batch":
        results = []
        for request in json.load(sys.stdin):
            try:
                results.append(read(*request))
            except (Exception, SystemExit) as e:
                results.append({"error": "%s.%s: %s" % (type(e).__module__, type(e).__name__, e)})
        sys.stdout.write(json.dumps(results))
    else:
        sys.stdout.write(json.dumps(read(*sys.argv[1:])))


if __name__ == "__main__":
    main()
