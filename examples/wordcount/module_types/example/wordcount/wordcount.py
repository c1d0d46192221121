"""Counts words: the program of the example.wordcount module type.

Pimlico in Rust runs it with the module's task in environment variables and in the JSON task
file named by PIMLICO_TASK_FILE. Lines starting with "PIMLICO " on stdout are messages to
Pimlico; everything else printed goes to the module's log. Only the standard library is used.

Its input is a tokenized corpus as Pimlico stores it: Pimarc archives (data/*.prc) holding one
document after another, each a varint-prefixed JSON metadata block ({"name": ...}) and a
varint-prefixed data block: the document's sentences, one per line, tokens separated by spaces.
"""
import collections
import json
import os
import sys


def varint(f):
    """An unsigned LEB128 integer, or None at the end of the file."""
    value, shift = 0, 0
    while True:
        byte = f.read(1)
        if not byte:
            if shift == 0:
                return None
            raise ValueError("archive ends inside a length")
        value |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return value
        shift += 7


def documents(data_dir):
    """(name, text) of every document of a grouped corpus, in order."""
    for archive in sorted(n for n in os.listdir(data_dir) if n.endswith(".prc")):
        with open(os.path.join(data_dir, archive), "rb") as f:
            while True:
                length = varint(f)
                if length is None:
                    break
                metadata = json.loads(f.read(length).decode("utf-8"))
                text = f.read(varint(f)).decode("utf-8")
                yield metadata["name"], text


def main():
    with open(os.environ["PIMLICO_TASK_FILE"]) as f:
        task = json.load(f)
    options = task["options"]
    input_dir = task["inputs"]["text"][0]["data_dir"]
    output_dir = task["outputs"]["counts"]["data_dir"]

    counts = collections.Counter()
    docs = 0
    for name, text in documents(input_dir):
        if options.get("lowercase", True):
            text = text.lower()
        counts.update(token for line in text.split("\n") for token in line.split(" ") if token)
        docs += 1
        print("PIMLICO PROGRESS %d %s" % (docs, name), flush=True)
    if not docs:
        print("PIMLICO ERROR the input corpus has no documents to count")
        return 1

    kept = [(w, n) for w, n in counts.items() if n >= options.get("min_count", 1)]
    kept.sort(key=lambda item: (-item[1], item[0]))
    with open(os.path.join(output_dir, "counts.tsv"), "w", encoding="utf-8") as f:
        for word, n in kept:
            f.write("%s\t%d\n" % (word, n))
    print("PIMLICO METADATA counts " + json.dumps({"words": len(kept), "tokens": sum(counts.values())}))
    print("Counted %d tokens in %d documents, kept %d words" % (sum(counts.values()), docs, len(kept)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
