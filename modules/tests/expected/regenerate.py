#!/usr/bin/env python3
"""Regenerates the expected outputs of the original Pimlico's test pipelines.

Runs the original toolkit (its own command line, `run --all`) on each test pipeline of the
fixtures folder, then records every output of every module it ran: the corpus metadata, and
for a grouped corpus its documents in order (archive, name, BLAKE3 of the bytes), for other
datatypes their files (path, BLAKE3). One JSON file per pipeline is written next to this
script; `modules/tests/pipelines.rs` runs the same pipelines here and compares.

Besides the fixtures' pipelines, the pipelines in `modules/tests/pipelines/` (ours, written to
cover options the fixtures leave out) are run the same way, named `extra/<file>`.

Usage (with the original's Python 3.7, which needs numpy==1.21.6 and blake3 installed):

    PIMLICO_ORIG_SRC=/work/orig/pimlico/src/python \
    /path/to/python3.7 modules/tests/expected/regenerate.py [FIXTURES_DIR]

FIXTURES_DIR defaults to /work/shared/fixtures/pimlico-testdata (or $PIMLICO_TESTDATA).
"""
import json
import os
import subprocess
import sys
import tempfile

import blake3

HERE = os.path.dirname(os.path.abspath(__file__))
ORIG_SRC = os.environ.get("PIMLICO_ORIG_SRC", "/work/orig/pimlico/src/python")
sys.path.insert(0, ORIG_SRC)
from pimlico.utils.pimarc import PimarcReader  # noqa: E402  (the original's own reader)

# The test pipelines whose module types are implemented natively.
PIPELINES = [
    "core/filter_map.conf",
    "corpora/concat.conf",
    "corpora/filter_tokenize.conf",
    "corpora/formatters/tokenized.conf",
    "corpora/group.conf",
    "corpora/interleave.conf",
    "corpora/list_filter.conf",
    "corpora/shuffle.conf",
    "corpora/shuffle_linear.conf",
    "corpora/split.conf",
    "corpora/stats.conf",
    "corpora/store.conf",
    "corpora/subsample.conf",
    "corpora/subset.conf",
    "corpora/vocab_builder.conf",
    "corpora/vocab_counter.conf",
    "corpora/vocab_mapper.conf",
    "corpora/vocab_mapper_longer.conf",
    "corpora/vocab_unmapper.conf",
    "input/europarl.conf",
    "input/raw_text_files.conf",
    "text/char_tokenize.conf",
    "text/normalize.conf",
    "text/simple_tokenize.conf",
    "text/text_normalize.conf",
    "utility/collect_files.conf",
]


def digest(data):
    return blake3.blake3(data).hexdigest()


def corpus_documents(data_dir):
    archives = []
    for root, _, files in os.walk(data_dir):
        archives.extend(os.path.join(root, f) for f in files if f.endswith(".prc"))
    docs = []
    for path in sorted(archives):
        archive = os.path.basename(path)[:-len(".prc")]
        for metadata, data in PimarcReader(path):
            docs.append([archive, metadata["name"], digest(data)])
    return docs


def files(data_dir):
    out = []
    for root, _, names in os.walk(data_dir):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                out.append([os.path.relpath(path, data_dir), digest(f.read())])
    return sorted(out)


def record_module(module_dir):
    outputs = {}
    for output in sorted(os.listdir(module_dir)):
        base = os.path.join(module_dir, output)
        if not os.path.isfile(os.path.join(base, "corpus_metadata")):
            continue
        with open(os.path.join(base, "corpus_metadata"), "rb") as f:
            raw = f.read()
        entry = {"corpus_metadata": raw.decode("utf-8")}
        data = os.path.join(base, "data")
        if any(n.endswith(".prc") for _, _, ns in os.walk(data) for n in ns):
            entry["documents"] = corpus_documents(data)
        else:
            entry["files"] = files(data)
        outputs[output] = entry
    with open(os.path.join(module_dir, "metadata")) as f:
        status = json.load(f).get("status")
    return {"status": status, "outputs": outputs}


EXTRA_DIR = os.path.join(os.path.dirname(HERE), "pipelines")


def config_path(fixtures, conf):
    if conf.startswith("extra/"):
        return os.path.join(EXTRA_DIR, conf[len("extra/"):])
    return os.path.join(fixtures, "pipelines", conf)


def run(fixtures, conf):
    with tempfile.TemporaryDirectory() as tmp:
        with open(config_path(fixtures, conf)) as f:
            text = f.read().replace("%(test_data_dir)s", fixtures)
        config = os.path.join(tmp, os.path.basename(conf))
        with open(config, "w") as f:
            f.write(text)
        store = os.path.join(tmp, "store")
        local = os.path.join(tmp, "local.conf")
        with open(local, "w") as f:
            f.write("store=%s\n" % store)
        env = dict(os.environ, PYTHONPATH=ORIG_SRC)
        proc = subprocess.run(
            [sys.executable, "-m", "pimlico.cli.main", config, "--lc", local, "run", "--all"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        modules = {}
        for pipeline in os.listdir(store) if os.path.isdir(store) else []:
            variant = os.path.join(store, pipeline, "main")
            for module in sorted(os.listdir(variant)):
                modules[module] = record_module(os.path.join(variant, module))
        return {"pipeline": conf, "exit_code": proc.returncode, "modules": modules}


def main():
    fixtures = os.path.abspath(
        sys.argv[1] if len(sys.argv) > 1
        else os.environ.get("PIMLICO_TESTDATA", "/work/shared/fixtures/pimlico-testdata"))
    extra = ["extra/" + f for f in sorted(os.listdir(EXTRA_DIR)) if f.endswith(".conf")]
    for conf in PIPELINES + extra:
        result = run(fixtures, conf)
        name = conf[:-len(".conf")].replace("/", "__") + ".json"
        with open(os.path.join(HERE, name), "w") as f:
            json.dump(result, f, indent=1, sort_keys=True)
            f.write("\n")
        print("%s: exit %d, modules %s" % (conf, result["exit_code"], ", ".join(result["modules"])))


if __name__ == "__main__":
    main()
