"""Writes datasets with the original Pimlico's writer classes, as a JSON spec on stdin says.

The spec is a list of jobs; each has "kind" and "dir":
  {"kind": "corpus", "doc_type": NAME, "writer_kwargs": {...}, "docs": [[archive, name, DOC]]}
      DOC is {"sentences": ...}, {"lists": ...}, {"list": ...}, {"text": ...}, {"label": ...},
      {"raw": HEX} or {"invalid": [module, info]}
  {"kind": "gzip_corpus", "docs": [[archive, name, TEXT]], "zlib": bool}
      what a gzip corpus looks like on disk (the original's gzip writer fails on Python 3):
      metadata {"length", "gzip": true}, documents gzipped as NAME.gz, or with "zlib",
      compressed with plain zlib under NAME, as very old versions stored them
  {"kind": "tar_corpus", "docs": [[archive, name, TEXT]], "format": "gnu"|"pax"}
      an old tar-based corpus, written with Python's tarfile
  {"kind": "dictionary", "documents": [[word, ...]], "stopwords": [...]|null,
   "threshold": n|null, "max_prop": f|null, "limit": n|null, "add_terms": [...], "prune_at": n|null}
      a Dictionary built as vocab_builder does
  {"kind": "string_list", "items": [...]}
  {"kind": "files", "files": {name: HEX}}
  {"kind": "dict", "dict": {...}}
Prints a JSON list with, for each dictionary job, the stopwords in pickle order.
"""
import gzip
import io
import json
import os
import sys
import tarfile
import zlib

from pimlico.datatypes.base import PimlicoDatatype
from pimlico.datatypes.corpora import GroupedCorpus
from pimlico.datatypes.corpora.data_points import invalid_document
from pimlico.datatypes.core import StringList, Dict
from pimlico.datatypes.dictionary import Dictionary
from pimlico.datatypes.files import NamedFileCollection
from pimlico.utils.pimarc import PimarcWriter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from orig_read import DOC_TYPES  # noqa: E402


def make_doc(dpt, doc):
    if "invalid" in doc:
        return invalid_document(*doc["invalid"])
    if "raw" in doc:
        return bytes.fromhex(doc["raw"])
    return dpt(**doc)


def write_meta(path, meta):
    PimlicoDatatype.Writer._write_metadata(os.path.join(path, "corpus_metadata"), meta)


def job(spec):
    path = os.path.abspath(spec["dir"])
    kind = spec["kind"]
    if kind == "corpus":
        datatype = GroupedCorpus(DOC_TYPES[spec["doc_type"]]())
        with datatype.get_writer(path, None, **spec.get("writer_kwargs", {})) as w:
            for archive, name, doc in spec["docs"]:
                w.add_document(archive, name, make_doc(datatype.data_point_type, doc))
    elif kind == "gzip_corpus":
        os.makedirs(os.path.join(path, "data"))
        writers = {}
        for archive, name, text in spec["docs"]:
            if archive not in writers:
                writers[archive] = PimarcWriter(os.path.join(path, "data", archive + ".prc"))
            raw = text.encode("utf-8")
            if spec.get("zlib"):
                writers[archive].write_file(zlib.compress(raw), name=name)
            else:
                buf = io.BytesIO()
                with gzip.GzipFile(mode="wb", compresslevel=9, fileobj=buf) as f:
                    f.write(raw)
                writers[archive].write_file(buf.getvalue(), name=name + ".gz")
        for w in writers.values():
            w.close()
        write_meta(path, {"length": len(spec["docs"]), "gzip": True})
    elif kind == "tar_corpus":
        os.makedirs(os.path.join(path, "data"))
        fmt = tarfile.GNU_FORMAT if spec["format"] == "gnu" else tarfile.PAX_FORMAT
        tars = {}
        for archive, name, text in spec["docs"]:
            if archive not in tars:
                tars[archive] = tarfile.open(os.path.join(path, "data", archive + ".tar"), "w", format=fmt)
            raw = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tars[archive].addfile(info, io.BytesIO(raw))
        for t in tars.values():
            t.close()
        write_meta(path, {"length": len(spec["docs"]), "gzip": False})
    elif kind == "dictionary":
        with Dictionary().get_writer(path, None, stopwords=spec.get("stopwords")) as w:
            w.add_documents(spec["documents"], prune_at=spec.get("prune_at"))
            w.filter_high_low(spec.get("threshold"), spec.get("max_prop"), spec.get("limit"))
            for term in spec.get("add_terms", []):
                w.data.add_term(term)
            stopwords = list(w.data.stopwords)
        return stopwords
    elif kind == "string_list":
        with StringList().get_writer(path, None) as w:
            w.write_list(spec["items"])
    elif kind == "files":
        names = list(spec["files"])
        with NamedFileCollection(names).get_writer(path, None) as w:
            for name, data in spec["files"].items():
                w.write_file(name, bytes.fromhex(data))
    elif kind == "dict":
        with Dict().get_writer(path, None) as w:
            w.write_dict(spec["dict"])
    else:
        raise SystemExit("unknown kind %s" % kind)
    return None


def main():
    results = [job(spec) for spec in json.load(sys.stdin)]
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
