"""Counts words: the program of the example.wordcount module type.

Pimlico in Rust runs it with the module's task in environment variables and in the JSON task
file named by PIMLICO_TASK_FILE. Lines starting with "PIMLICO " on stdout are messages to
Pimlico; everything else printed goes to the module's log. Only the standard library is used.
"""
import collections
import json
import os
import re
import sys


def main():
    with open(os.environ["PIMLICO_TASK_FILE"]) as f:
        task = json.load(f)
    options = task["options"]
    input_dir = task["inputs"]["text"][0]["data_dir"]
    output_dir = task["outputs"]["counts"]["data_dir"]

    names = sorted(os.listdir(input_dir))
    if not names:
        print("PIMLICO ERROR the input has no files to count")
        return 1
    counts = collections.Counter()
    for done, name in enumerate(names, start=1):
        with open(os.path.join(input_dir, name), encoding="utf-8") as f:
            text = f.read()
        if options.get("lowercase", True):
            text = text.lower()
        counts.update(re.findall(r"[\w']+", text))
        print("PIMLICO PROGRESS %d/%d %s" % (done, len(names), name), flush=True)

    kept = [(w, n) for w, n in counts.items() if n >= options.get("min_count", 1)]
    kept.sort(key=lambda item: (-item[1], item[0]))
    with open(os.path.join(output_dir, "counts.tsv"), "w", encoding="utf-8") as f:
        for word, n in kept:
            f.write("%s\t%d\n" % (word, n))
    print("PIMLICO METADATA counts " + json.dumps({"words": len(kept), "tokens": sum(counts.values())}))
    print("Counted %d tokens, kept %d words" % (sum(counts.values()), len(kept)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
