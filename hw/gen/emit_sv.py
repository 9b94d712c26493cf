"""Emits the SystemVerilog package of the register map and the layouts.

Kept to the subset Verilator 5.006 and yosys 0.23 both accept: package-scoped
localparams and packed structs, referenced as aipsec_regs_pkg::NAME.
"""

HEADER = "// Generated from hw/spec/*.yaml by hw/gen/aipsec_gen.py. Do not edit.\n"


def _up(*parts):
    return "_".join(p.upper() for p in parts)


def _hex(width, value):
    return f"{width}'h{value:0{(width + 3) // 4}x}"


def _block_lines(spec, blk, aw):
    p = blk.name
    out = [f"  // {blk.name}: {blk.desc}",
           f"  localparam logic [{aw - 1}:0] {_up(p, 'base')} = {_hex(aw, blk.base)};",
           f"  localparam int unsigned {_up(p, 'size')} = {blk.size};",
           f"  localparam logic [31:0] {_up(p, 'type')} = {_hex(32, blk.type)};",
           f"  localparam logic [31:0] {_up(p, 'version')} = {_hex(32, blk.version)};",
           f"  localparam logic [31:0] {_up(p, 'next')} = {_hex(32, blk.next)};"]
    for r in blk.registers:
        out.append(f"  localparam logic [{aw - 1}:0] {_up(p, r.name, 'addr')} = {_hex(aw, r.address)};")
        if r.value is not None:
            out.append(f"  localparam logic [31:0] {_up(p, r.name, 'value')} = {_hex(32, r.value)};")
        if r.reset is not None:
            out.append(f"  localparam logic [31:0] {_up(p, r.name, 'reset')} = {_hex(32, r.reset)};")
        for f in r.fields:
            out.append(f"  localparam int unsigned {_up(p, r.name, f.name, 'lsb')} = {f.lsb};")
            out.append(f"  localparam int unsigned {_up(p, r.name, f.name, 'w')} = {f.width};")
    if blk.window:
        first = blk.base + blk.window["data_offset"]
        out.append(f"  localparam logic [{aw - 1}:0] {_up(p, 'data_addr')} = {_hex(aw, first)};")
        out.append(f"  localparam int unsigned {_up(p, 'data_words')} = {blk.window['data_words']};")
    if blk.counter_array:
        first = blk.base + blk.counter_array["first_offset"]
        out.append(f"  localparam logic [{aw - 1}:0] {_up(p, 'first_addr')} = {_hex(aw, first)};")
        out.append(f"  localparam int unsigned {_up(p, 'stride')} = {blk.counter_array['stride']};")
    return out


def _layout_lines(lay):
    p = lay.name
    out = [f"  // {lay.desc}: {lay.bits} bits, {lay.words} words",
           f"  localparam int unsigned {_up(p, 'bits')} = {lay.bits};",
           f"  localparam int unsigned {_up(p, 'words')} = {lay.words};"]
    for f in lay.fields:
        out.append(f"  localparam int unsigned {_up(p, f.name, 'lsb')} = {f.lsb};")
        for k, v in f.enum.items():
            out.append(f"  localparam logic [{f.width - 1}:0] {_up(p, f.name, k)} = {f.width}'d{v};")
    out.append("  typedef struct packed {")
    for f in reversed(lay.fields):
        out.append(f"    logic [{f.width - 1}:0] {f.name};  // bits {f.msb}:{f.lsb}")
    out.append(f"  }} {p}_t;")
    return out


def emit(spec):
    aw = spec.addr_width
    # Users take what they need from the package: unused constants are expected.
    out = [HEADER.rstrip(), "/* verilator lint_off UNUSEDPARAM */", "package aipsec_regs_pkg;",
           f"  localparam int unsigned ADDR_W = {aw};",
           f"  localparam int unsigned APERTURE_BYTES = {spec.aperture};"]
    for h in spec.header:
        out.append(f"  localparam logic [{aw - 1}:0] {_up(h['name'], 'off')} = {_hex(aw, h['offset'])};")
    for blk in spec.blocks:
        out += [""] + _block_lines(spec, blk, aw)
    out += ["", f"  localparam int unsigned REASON_COUNT = {len(spec.reasons)};"]
    rw = next(f.width for f in spec.meta.fields if f.name == "reason")
    for r in spec.reasons:
        out.append(f"  localparam logic [{rw - 1}:0] {_up('reason', r['name'])} = {rw}'d{r['code']};")
    for lay in spec.layouts.values():
        out += [""] + _layout_lines(lay)
    out += ["endpackage", "/* verilator lint_on UNUSEDPARAM */", ""]
    return "`default_nettype none\n" + "\n".join(out) + "`default_nettype wire\n"
