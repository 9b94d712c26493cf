"""Loads and checks the card's control-plane spec (hw/spec/*.yaml).

Everything the generators emit comes from the objects built here, so every
consistency rule (offsets, overlaps, field widths, reason codes) is checked
once, before any output is written.
"""
import os
import yaml


class SpecError(Exception):
    pass


def _fail(msg):
    raise SpecError(msg)


class Field:
    def __init__(self, name, lsb, width, desc, value=None, enum=None):
        self.name, self.lsb, self.width, self.desc = name, lsb, width, desc
        self.value, self.enum = value, enum or {}

    @property
    def msb(self):
        return self.lsb + self.width - 1

    @property
    def is_array(self):
        return self.width > 64


class Layout:
    """A packed record (SA context, flow entry, packet metadata), bit 0 first."""

    def __init__(self, doc):
        self.name, self.desc = doc["name"], doc["desc"]
        self.fields = []
        lsb = 0
        for f in doc["fields"]:
            width = int(f["width"])
            if width <= 0:
                _fail(f"{self.name}.{f['name']}: width must be positive")
            if width > 64 and (lsb % 32 or width % 32):
                _fail(f"{self.name}.{f['name']}: fields wider than 64 bits must be whole aligned words")
            enum = f.get("enum") or {}
            for k, v in enum.items():
                if v >= (1 << width):
                    _fail(f"{self.name}.{f['name']}: enum {k}={v} does not fit {width} bits")
            self.fields.append(Field(f["name"], lsb, width, f["desc"], enum=enum))
            lsb += width
        self.bits = lsb
        if self.bits % 32:
            _fail(f"{self.name}: {self.bits} bits is not a whole number of 32-bit words")
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            _fail(f"{self.name}: duplicate field names")

    @property
    def words(self):
        return self.bits // 32


class Register:
    def __init__(self, block, doc):
        self.block = block
        self.name, self.offset, self.desc = doc["name"], int(doc["offset"]), doc["desc"]
        self.access = doc.get("access", "ro")
        self.reset = doc.get("reset")
        self.source = doc.get("source")
        self.value = doc.get("value")
        self.fields = []
        for f in doc.get("fields", []):
            if "bit" in f:
                msb = lsb = int(f["bit"])
            else:
                msb, lsb = (int(x) for x in f["bits"])
            if not 0 <= lsb <= msb <= 31:
                _fail(f"{block.name}.{self.name}.{f['name']}: bits out of range")
            fld = Field(f["name"], lsb, msb - lsb + 1, f["desc"], value=f.get("value"))
            if fld.value is not None and fld.value >= (1 << fld.width):
                _fail(f"{block.name}.{self.name}.{fld.name}: value does not fit")
            self.fields.append(fld)
        used = 0
        for f in self.fields:
            mask = ((1 << f.width) - 1) << f.lsb
            if used & mask:
                _fail(f"{block.name}.{self.name}: field {f.name} overlaps another")
            used |= mask
        if any(f.value is not None for f in self.fields):
            self.value = sum((f.value or 0) << f.lsb for f in self.fields)
        if self.access not in ("ro", "rw", "wo", "cmd"):
            _fail(f"{block.name}.{self.name}: unknown access {self.access}")

    @property
    def address(self):
        return self.block.base + self.offset


class Block:
    def __init__(self, spec, doc):
        self.name, self.desc = doc["name"], doc["desc"]
        self.type, self.version = int(doc["type"]), int(doc["version"])
        self.base, self.size = int(doc["base"]), int(doc["size"])
        self.next = 0
        self.registers = [Register(self, r) for r in doc.get("registers", [])]
        self.window = doc.get("window")
        self.counter_array = doc.get("counter_array")
        if self.window:
            self.window_layout = spec.layouts[self.window["layout"]]
            if self.window_layout.words > self.window["data_words"]:
                _fail(f"{self.name}: {self.window['layout']} needs {self.window_layout.words} words")

    def spans(self):
        """(first byte, last byte, what) of every part of the block."""
        out = [(0, 11, "header")]
        out += [(r.offset, r.offset + 3, r.name) for r in self.registers]
        if self.window:
            first = self.window["data_offset"]
            out.append((first, first + 4 * self.window["data_words"] - 1, "window data"))
        if self.counter_array:
            first = self.counter_array["first_offset"]
            n = self.counter_count
            out.append((first, first + self.counter_array["stride"] * n - 1, "counters"))
        return out


class Spec:
    def __init__(self, spec_dir):
        def load(name):
            with open(os.path.join(spec_dir, name), encoding="utf-8") as f:
                return yaml.safe_load(f)

        regs = load("registers.yaml")
        self.layouts = {}
        for name in ("sa_context.yaml", "flow_entry.yaml", "metadata.yaml"):
            lay = Layout(load(name))
            self.layouts[lay.name] = lay
        self.reasons = load("reasons.yaml")["reasons"]
        self._check_reasons()
        self.aperture = int(regs["aperture_bytes"])
        self.header = regs["header"]
        self.blocks = [Block(self, b) for b in regs["blocks"]]
        for blk in self.blocks:
            if blk.counter_array:
                blk.counter_count = len(self.reasons)
        for a, b in zip(self.blocks, self.blocks[1:]):
            a.next = b.base
        self._check_blocks()

    @property
    def meta(self):
        return self.layouts["packet_meta"]

    def _check_reasons(self):
        codes = [r["code"] for r in self.reasons]
        if codes != list(range(len(codes))):
            _fail("reason codes must be 0, 1, 2... in order")
        names = [r["name"] for r in self.reasons]
        if len(set(names)) != len(names):
            _fail("duplicate reason names")
        for r in self.reasons:
            if r["disposition"] not in ("pass", "drop", "host", "event"):
                _fail(f"reason {r['name']}: unknown disposition")

    def _check_blocks(self):
        if self.blocks[0].base != 0:
            _fail("the first block (id) must be at offset 0")
        end = 0
        for blk in self.blocks:
            if blk.base % 0x100 or blk.base < end:
                _fail(f"{blk.name}: base must be 256-byte aligned and after the previous block")
            end = blk.base + blk.size
            if end > self.aperture:
                _fail(f"{blk.name}: beyond the aperture")
            spans = sorted(blk.spans())
            for (a0, a1, an), (b0, _, bn) in zip(spans, spans[1:]):
                if b0 <= a1:
                    _fail(f"{blk.name}: {an} overlaps {bn}")
            for s0, s1, what in spans:
                if s0 % 4 or s1 >= blk.size:
                    _fail(f"{blk.name}: {what} misaligned or outside the block")
        width = next(f.width for f in self.meta.fields if f.name == "reason")
        if len(self.reasons) > (1 << width):
            _fail("more reason codes than the metadata reason field holds")

    def block(self, name):
        return next(b for b in self.blocks if b.name == name)

    @property
    def addr_width(self):
        return (self.aperture - 1).bit_length()
