#include "aipsec/card_discovery.hpp"

#include <cstdio>
#include <string>

#include "aipsec/card_regs.hpp"

namespace aipsec::card {
namespace {

// A list longer than this is corrupt (the spec has a handful of blocks).
constexpr std::size_t kMaxBlocks = 64;

std::uint32_t major(std::uint32_t version) { return version >> 16; }

std::string hex(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

std::optional<std::uint32_t> CardInfo::base_of(std::uint32_t type, std::uint32_t version) const {
  for (const auto& b : blocks) {
    if (b.type == type && major(b.version) == major(version)) return b.base;
  }
  return std::nullopt;
}

std::uint32_t CardInfo::require(std::uint32_t type, std::uint32_t version, const char* what) const {
  if (auto base = base_of(type, version)) return *base;
  throw Error(std::string("card has no ") + what + " block of major version " +
              std::to_string(major(version)));
}

CardInfo discover(RegisterTransport& bus) {
  CardInfo info;
  std::uint32_t base = 0;
  for (;;) {
    if (info.blocks.size() == kMaxBlocks) throw Error("card register blocks: list too long (loop?)");
    DiscoveredBlock b{base, bus.read32(base + header::kType), bus.read32(base + header::kVersion)};
    const std::uint32_t next = bus.read32(base + header::kNext);
    info.blocks.push_back(b);
    if (next == 0) break;
    if (next <= base || next % 4 != 0 || next >= kApertureBytes) {
      throw Error("card register blocks: bad next pointer " + hex(next) + " in block at " + hex(base));
    }
    base = next;
  }
  if (info.blocks.front().type != id::kType) {
    throw Error("not an aipsec card: first block type " + hex(info.blocks.front().type));
  }
  const std::uint32_t id_base = info.require(id::kType, id::kVersion, "id");
  info.caps = read_capabilities(bus, id_base);
  return info;
}

}  // namespace aipsec::card
