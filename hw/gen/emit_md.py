"""Emits the Markdown tables of docs/hw/registers.md and docs/hw/metadata.md.

The documents keep hand-written prose; only the text between
`<!-- BEGIN GENERATED: x -->` and `<!-- END GENERATED: x -->` is replaced.
"""
import re


def _access(r):
    return {"ro": "RO", "rw": "RW", "wo": "WO", "cmd": "W (command)"}[r.access]


def _value(spec, blk, r):
    if r.value is not None:
        return f"`0x{r.value:08x}`"
    if r.source == "param":
        return "build parameter"
    if r.source == "reasons":
        return str(len(spec.reasons))
    if r.source == "layout":
        return str(blk.window_layout.words)
    if r.reset is not None:
        return f"reset `0x{r.reset:08x}`"
    return "hardware"


def _bits(f):
    return str(f.lsb) if f.width == 1 else f"{f.msb}:{f.lsb}"


def block_map(spec):
    out = ["| Base | Block | Type | Version | Next | Size | Contents |", "|---|---|---|---|---|---|---|"]
    for b in spec.blocks:
        out.append(f"| `0x{b.base:04x}` | {b.name} | `0x{b.type:08x}` | `0x{b.version:08x}` | "
                   f"`0x{b.next:04x}` | `0x{b.size:x}` | {b.desc} |")
    return out


def block_tables(spec):
    out = []
    for b in spec.blocks:
        out += ["", f"### {b.name} (base `0x{b.base:04x}`)", "", b.desc.rstrip(".") + ".", "",
                "| Address | Register | Access | Value | Description |", "|---|---|---|---|---|"]
        for h in spec.header:
            v = {"block_type": b.type, "block_version": b.version, "block_next": b.next}[h["name"]]
            out.append(f"| `0x{b.base + h['offset']:04x}` | {h['name']} | RO | `0x{v:08x}` | {h['desc']} |")
        for r in b.registers:
            out.append(f"| `0x{r.address:04x}` | {r.name} | {_access(r)} | {_value(spec, b, r)} | {r.desc} |")
        if b.window:
            first = b.base + b.window["data_offset"]
            used = b.window_layout.words
            last = first + 4 * used - 4
            end = first + 4 * b.window["data_words"] - 4
            out.append(f"| `0x{first:04x}`..`0x{last:04x}` | data[0..{used - 1}] | WO | "
                       f"reads 0 | Shadow of one {b.window['layout']} entry, word i at data + 4i |")
            if b.window["data_words"] > used:
                out.append(f"| `0x{last + 4:04x}`..`0x{end:04x}` | (reserved) | - | SLVERR | "
                           "Room for a longer entry in a later version |")
        if b.counter_array:
            first = b.base + b.counter_array["first_offset"]
            out.append(f"| `0x{first:04x}` + 8 x code | drop[code] low | RO | hardware | "
                       "Counter of a reason code, bits 31:0; reading it latches bits 63:32 |")
            out.append(f"| `0x{first + 4:04x}` + 8 x code | drop[code] high | RO | hardware | "
                       "Bits 63:32 latched by the last read of a low word of this block |")
        for r in b.registers:
            if r.fields:
                out += ["", f"`{b.name}.{r.name}` fields:", "", "| Bits | Field | Value | Description |",
                        "|---|---|---|---|"]
                for f in r.fields:
                    v = "" if f.value is None else str(f.value)
                    out.append(f"| {_bits(f)} | {f.name} | {v} | {f.desc} |")
    return out


def layout_table(lay):
    out = [f"{lay.desc}: {lay.bits} bits = {lay.words} words of 32 bits.", "",
           "| Word | Bits | Field | Width | Values | Description |", "|---|---|---|---|---|---|"]
    for f in lay.fields:
        w0, w1 = f.lsb // 32, f.msb // 32
        word = str(w0) if w0 == w1 else f"{w0}..{w1}"
        vals = ", ".join(f"{k}={v}" for k, v in f.enum.items())
        out.append(f"| {word} | {f.msb}:{f.lsb} | {f.name} | {f.width} | {vals} | {f.desc} |")
    return out


def reason_table(spec):
    out = ["| Code | Card reason | Host Reason (`reason_name`) | Disposition | Meaning |", "|---|---|---|---|---|"]
    for r in spec.reasons:
        out.append(f"| {r['code']} | {r['name']} | {r['host']} | {r['disposition']} | {r['desc']} |")
    return out


def sections(spec):
    return {
        "block-map": block_map(spec),
        "block-registers": block_tables(spec),
        "sa-context": layout_table(spec.layouts["sa_context"]),
        "flow-entry": layout_table(spec.layouts["flow_entry"]),
        "reason-codes": reason_table(spec),
        "packet-meta": layout_table(spec.layouts["packet_meta"]),
    }


def fill(text, secs):
    """Replaces every generated section of text that secs knows."""
    def repl(m):
        name = m.group(1)
        if name not in secs:
            return m.group(0)
        body = "\n".join(secs[name]).strip("\n")
        return f"<!-- BEGIN GENERATED: {name} -->\n{body}\n<!-- END GENERATED: {name} -->"
    pat = re.compile(r"<!-- BEGIN GENERATED: ([a-z-]+) -->.*?<!-- END GENERATED: \1 -->", re.S)
    return pat.sub(repl, text)
