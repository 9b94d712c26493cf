#!/usr/bin/python3
"""Generates the card's control-plane contract from hw/spec/*.yaml.

  aipsec_gen.py --spec DIR --sv OUT.sv --cpp OUT.hpp   write the SV package and the C++ header
  aipsec_gen.py --spec DIR --docs DIR --check          exit 1 if docs/hw tables are stale
  aipsec_gen.py --spec DIR --docs DIR --update         rewrite the docs/hw tables
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emit_cpp  # noqa: E402
import emit_md  # noqa: E402
import emit_sv  # noqa: E402
from spec import Spec, SpecError  # noqa: E402

DOCS = ("registers.md", "metadata.md")


def write_if_changed(path, text):
    """Leaves an unchanged file alone so dependants are not rebuilt."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def docs(spec, docs_dir, update):
    secs = emit_md.sections(spec)
    stale = []
    for name in DOCS:
        path = os.path.join(docs_dir, name)
        with open(path, encoding="utf-8") as f:
            old = f.read()
        new = emit_md.fill(old, secs)
        if new != old:
            stale.append(path)
            if update:
                write_if_changed(path, new)
    if stale and not update:
        print("stale generated tables (run the regen-card-docs target):", *stale, sep="\n  ")
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spec", required=True)
    ap.add_argument("--sv")
    ap.add_argument("--cpp")
    ap.add_argument("--docs")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--update", action="store_true")
    a = ap.parse_args()
    try:
        spec = Spec(a.spec)
    except SpecError as e:
        print(f"spec error: {e}", file=sys.stderr)
        return 2
    if a.sv:
        write_if_changed(a.sv, emit_sv.emit(spec))
    if a.cpp:
        write_if_changed(a.cpp, emit_cpp.emit(spec))
    if a.docs:
        return docs(spec, a.docs, a.update)
    return 0


if __name__ == "__main__":
    sys.exit(main())
