"""Emits driver/include/aipsec/card_regs.hpp: offsets, capability values,
reason codes, the register table (for register models) and the layouts as C++
structs with pack/unpack to the 32-bit words the windows take."""


def _camel(*parts):
    return "k" + "".join(w.capitalize() for p in parts for w in p.split("_"))


def _cpp_type(width):
    for bits, t in ((8, "std::uint8_t"), (16, "std::uint16_t"), (32, "std::uint32_t"), (64, "std::uint64_t")):
        if width <= bits:
            return t
    return f"std::array<std::uint32_t, {width // 32}>"


def _type_name(name):
    return "".join(w.capitalize() for w in name.split("_"))


PRELUDE = """// Generated from hw/spec/*.yaml by hw/gen/aipsec_gen.py. Do not edit.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace aipsec::card {

struct Field {
  unsigned lsb;
  unsigned width;
  constexpr std::uint32_t mask() const {
    return (width >= 32 ? 0xffffffffu : ((1u << width) - 1u)) << lsb;
  }
  constexpr std::uint32_t get(std::uint32_t reg) const { return (reg & mask()) >> lsb; }
  constexpr std::uint32_t put(std::uint32_t value) const { return (value << lsb) & mask(); }
};

enum class Access : std::uint8_t { kRo, kRw, kWo, kCmd };
// Where a read-only register's value comes from: a constant of the spec, a
// parameter of the bitstream (build date, git hash, table sizes), the reason
// list, a layout's word count, or the running hardware.
enum class ValueSource : std::uint8_t { kConstant, kParam, kReasons, kLayout, kHardware };

struct RegisterInfo {
  std::string_view block;
  std::string_view name;
  std::uint32_t address;
  Access access;
  ValueSource source;
  std::uint32_t value;  // constant, reason count or layout words (per source); reset of rw
  std::uint32_t writable;  // rw: the bits that hold a field (the others read 0); else 0
};

struct BlockInfo {
  std::string_view name;
  std::uint32_t base;
  std::uint32_t size;
  std::uint32_t type;
  std::uint32_t version;
  std::uint32_t next;
};

enum class Disposition : std::uint8_t { kPass, kDrop, kHost, kEvent };

struct ReasonInfo {
  std::uint8_t code;
  std::string_view name;
  std::string_view host_name;  // aipsec::reason_name() of the host Reason it maps onto
  Disposition disposition;
  std::string_view description;
};

namespace detail {
// Bits lsb..lsb+width-1 (width <= 64) of a little-endian array of words.
template <std::size_t N>
constexpr void put_bits(std::array<std::uint32_t, N>& w, unsigned lsb, unsigned width, std::uint64_t v) {
  for (unsigned i = 0; i < width; ++i) {
    const unsigned b = lsb + i;
    const std::uint32_t bit = 1u << (b % 32);
    w[b / 32] = ((v >> i) & 1u) ? (w[b / 32] | bit) : (w[b / 32] & ~bit);
  }
}
template <std::size_t N>
constexpr std::uint64_t get_bits(const std::array<std::uint32_t, N>& w, unsigned lsb, unsigned width) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
    const unsigned b = lsb + i;
    v |= static_cast<std::uint64_t>((w[b / 32] >> (b % 32)) & 1u) << i;
  }
  return v;
}
}  // namespace detail
"""


def _block(blk):
    out = [f"// {blk.desc}", f"namespace {blk.name} {{",
           f"inline constexpr std::uint32_t kBase = 0x{blk.base:04x};",
           f"inline constexpr std::uint32_t kSize = 0x{blk.size:x};",
           f"inline constexpr std::uint32_t kType = 0x{blk.type:08x};",
           f"inline constexpr std::uint32_t kVersion = 0x{blk.version:08x};",
           f"inline constexpr std::uint32_t kNext = 0x{blk.next:04x};"]
    for r in blk.registers:
        out.append(f"inline constexpr std::uint32_t {_camel(r.name)} = 0x{r.address:04x};  // {r.desc}")
        if r.value is not None:
            out.append(f"inline constexpr std::uint32_t {_camel(r.name, 'value')} = 0x{r.value:08x};")
        for f in r.fields:
            out.append(f"inline constexpr Field {_camel(r.name, f.name)}{{{f.lsb}, {f.width}}};  // {f.desc}")
    if blk.window:
        out.append(f"inline constexpr std::uint32_t kData = 0x{blk.base + blk.window['data_offset']:04x};")
        out.append(f"inline constexpr std::uint32_t kDataWords = {blk.window['data_words']};")
    if blk.counter_array:
        out.append(f"inline constexpr std::uint32_t kFirstCounter = 0x{blk.base + blk.counter_array['first_offset']:04x};")
        out.append(f"inline constexpr std::uint32_t kStride = {blk.counter_array['stride']};")
    out.append(f"}}  // namespace {blk.name}")
    return out


def _register_table(spec):
    acc = {"ro": "kRo", "rw": "kRw", "wo": "kWo", "cmd": "kCmd"}
    rows = []
    for blk in spec.blocks:
        for h in spec.header:
            val = {"block_type": blk.type, "block_version": blk.version, "block_next": blk.next}[h["name"]]
            rows.append((blk.name, h["name"], blk.base + h["offset"], "kRo", "kConstant", val, 0))
        for r in blk.registers:
            if r.value is not None:
                src, val = "kConstant", r.value
            elif r.source == "param":
                src, val = "kParam", 0
            elif r.source == "reasons":
                src, val = "kReasons", len(spec.reasons)
            elif r.source == "layout":
                src, val = "kLayout", blk.window_layout.words
            elif r.access == "rw":
                src, val = "kConstant", r.reset or 0
            else:
                src, val = "kHardware", 0
            writable = 0
            if r.access == "rw":
                writable = sum(((1 << f.width) - 1) << f.lsb for f in r.fields) if r.fields else 0xFFFFFFFF
            rows.append((blk.name, r.name, r.address, acc[r.access], src, val, writable))
    out = [f"inline constexpr std::array<RegisterInfo, {len(rows)}> kRegisters{{{{"]
    for b, n, a, ac, s, v, wr in rows:
        out.append(f"    {{\"{b}\", \"{n}\", 0x{a:04x}, Access::{ac}, ValueSource::{s}, 0x{v:08x}u, 0x{wr:08x}u}},")
    out.append("}};")
    out.append(f"inline constexpr std::array<BlockInfo, {len(spec.blocks)}> kBlocks{{{{")
    for blk in spec.blocks:
        out.append(f"    {{\"{blk.name}\", 0x{blk.base:04x}, 0x{blk.size:x}, 0x{blk.type:08x}, "
                   f"0x{blk.version:08x}, 0x{blk.next:04x}}},")
    out.append("}};")
    return out


def _reasons(spec):
    disp = {"pass": "kPass", "drop": "kDrop", "host": "kHost", "event": "kEvent"}
    out = ["enum class CardReason : std::uint8_t {"]
    out += [f"  {_camel(r['name'])} = {r['code']}," for r in spec.reasons]
    out += ["};", f"inline constexpr std::size_t kCardReasonCount = {len(spec.reasons)};",
            f"inline constexpr std::array<ReasonInfo, {len(spec.reasons)}> kReasons{{{{"]
    for r in spec.reasons:
        desc = r["desc"].replace('"', '\\"')
        out.append(f"    {{{r['code']}, \"{r['name']}\", \"{r['host']}\", Disposition::{disp[r['disposition']]}, \"{desc}\"}},")
    out.append("}};")
    return out


def _layout(lay):
    t = _type_name(lay.name)
    out = [f"// {lay.desc}: {lay.bits} bits, {lay.words} words; word i is bits 32i+31..32i.",
           f"struct {t} {{", f"  static constexpr unsigned kBits = {lay.bits};",
           f"  static constexpr unsigned kWords = {lay.words};", "  using Words = std::array<std::uint32_t, kWords>;"]
    for f in lay.fields:
        if f.enum:
            out.append(f"  enum class {_type_name(f.name)} : {_cpp_type(f.width)} {{")
            out += [f"    {_camel(k)} = {v}," for k, v in f.enum.items()]
            out.append("  };")
    for f in lay.fields:
        ty = f"{_type_name(f.name)}" if f.enum else _cpp_type(f.width)
        out.append(f"  {ty} {f.name}{{}};  // bits {f.msb}:{f.lsb}: {f.desc}")
    out.append("  constexpr Words pack() const {\n    Words w{};")
    for f in lay.fields:
        if f.is_array:
            out.append(f"    for (unsigned i = 0; i < {f.width // 32}; ++i) w[{f.lsb // 32} + i] = {f.name}[i];")
        else:
            out.append(f"    detail::put_bits(w, {f.lsb}, {f.width}, static_cast<std::uint64_t>({f.name}));")
    out.append("    return w;\n  }")
    out.append(f"  static constexpr {t} unpack(const Words& w) {{\n    {t} r{{}};")
    for f in lay.fields:
        if f.is_array:
            out.append(f"    for (unsigned i = 0; i < {f.width // 32}; ++i) r.{f.name}[i] = w[{f.lsb // 32} + i];")
        else:
            ty = f"{_type_name(f.name)}" if f.enum else _cpp_type(f.width)
            out.append(f"    r.{f.name} = static_cast<{ty}>(detail::get_bits(w, {f.lsb}, {f.width}));")
    out.append("    return r;\n  }")
    out.append("};")
    widths = " + ".join(str(f.width) for f in lay.fields)
    out.append(f"static_assert({widths} == {t}::kBits, \"{lay.name}: field widths do not add up\");")
    out.append(f"static_assert(sizeof({t}::Words) * 8 == {t}::kBits, \"{lay.name}: words do not hold the record\");")
    return out


def emit(spec):
    out = [PRELUDE.rstrip(), "", f"inline constexpr std::uint32_t kApertureBytes = 0x{spec.aperture:x};",
           "namespace header {"]
    out += [f"inline constexpr std::uint32_t {_camel(h['name'].replace('block_', ''))} = 0x{h['offset']:x};"
            for h in spec.header]
    out.append("}  // namespace header")
    for blk in spec.blocks:
        out += [""] + _block(blk)
    out += [""] + _register_table(spec) + [""] + _reasons(spec)
    for lay in spec.layouts.values():
        out += [""] + _layout(lay)
    for blk in spec.blocks:
        if blk.window:
            t = _type_name(blk.window["layout"])
            out.append(f"static_assert({t}::kWords <= {blk.name}::kDataWords, \"{blk.name}: window too small\");")
    out += ["", "}  // namespace aipsec::card", ""]
    return "\n".join(out)
