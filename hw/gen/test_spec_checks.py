#!/usr/bin/python3
"""The spec loader accepts the real spec and rejects broken copies of it."""
import copy
import os
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spec import Spec, SpecError  # noqa: E402

SPEC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "spec")


def load_all():
    out = {}
    for name in os.listdir(SPEC_DIR):
        if name.endswith(".yaml"):
            with open(os.path.join(SPEC_DIR, name), encoding="utf-8") as f:
                out[name] = yaml.safe_load(f)
    return out


def build(docs):
    with tempfile.TemporaryDirectory() as d:
        for name, doc in docs.items():
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                yaml.safe_dump(doc, f)
        return Spec(d)


def reg(docs, block, name):
    blk = next(b for b in docs["registers.yaml"]["blocks"] if b["name"] == block)
    return next(r for r in blk["registers"] if r["name"] == name)


def overlap(d):
    reg(d, "ctrl", "scratch")["offset"] = reg(d, "ctrl", "control")["offset"]


def header_clash(d):
    reg(d, "ctrl", "scratch")["offset"] = 0x8


def reason_gap(d):
    d["reasons.yaml"]["reasons"][3]["code"] = 30


def odd_layout(d):
    d["flow_entry.yaml"]["fields"][-1]["width"] = 15


def beyond_aperture(d):
    d["registers.yaml"]["blocks"][-1]["base"] = 0x4000


def window_too_small(d):
    blk = next(b for b in d["registers.yaml"]["blocks"] if b["name"] == "sa_window")
    blk["window"]["data_words"] = 8


def field_overlap(d):
    reg(d, "id", "cap_alg")["fields"][1]["bit"] = 0


def main():
    base = load_all()
    build(base)  # the real spec must load
    failures = 0
    for mutate in (overlap, header_clash, reason_gap, odd_layout, beyond_aperture, window_too_small,
                   field_overlap):
        docs = copy.deepcopy(base)
        mutate(docs)
        try:
            build(docs)
        except SpecError as e:
            print(f"ok: {mutate.__name__}: {e}")
            continue
        print(f"FAIL: {mutate.__name__} was accepted")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
