"""Checks .npy files against NumPy: saves the arrays described on stdin with numpy.save and
loads the files we wrote with numpy.load.

stdin: [{"values": [...], "dtype": "int64"|"float64", "ours": PATH, "theirs": PATH}, ...]
prints: [{"loaded": [...], "dtype": str, "shape": [...]}, ...] for our files.
"""
import json
import sys

import numpy


def main():
    out = []
    for job in json.load(sys.stdin):
        numpy.save(job["theirs"], numpy.array(job["values"], dtype=job["dtype"]))
        arr = numpy.load(job["ours"])
        out.append({"loaded": arr.tolist(), "dtype": str(arr.dtype), "shape": list(arr.shape)})
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    main()
