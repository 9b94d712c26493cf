// Verilator bench of the data path's hashing: aipsec_dp_pkg::crc32c against
// the RFC 3720 B.4 vectors; the package's key builders and crc32c, and the
// XOR-tree aipsec_key_hash, against the host's card_hash (itself checked
// against the same vectors in tests/unit/driver_card_hash_test.cpp) on random
// keys and byte strings.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <vector>

#include "Vdp_hash_check.h"
#include "aipsec/card_hash.hpp"
#include "vl_bits.hpp"

namespace card = aipsec::card;

namespace {

std::uint32_t pkg_crc(Vdp_hash_check& top, const std::vector<std::uint8_t>& bytes) {
  for (std::size_t i = 0; i < 64; ++i) vlbits::set_byte(top.bytes, i, i < bytes.size() ? bytes[i] : 0);
  top.n = static_cast<std::uint8_t>(bytes.size());
  top.eval();
  return top.pkg_crc;
}

void set_addr(VlWide<4>& sig, const card::Address128& a) {
  for (unsigned i = 0; i < 4; ++i) sig[i] = a[i];
}

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Verilated::randReset(2);  // state not reset starts random
  const unsigned rounds = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 2000;
  Vdp_hash_check top;

  // RFC 3720 B.4.
  std::vector<std::uint8_t> v(32, 0x00);
  CHECK(pkg_crc(top, v) == 0x8a9136aau, "32 x 0x00: %08x", pkg_crc(top, v));
  v.assign(32, 0xff);
  CHECK(pkg_crc(top, v) == 0x62a8ab43u, "32 x 0xff: %08x", pkg_crc(top, v));
  std::iota(v.begin(), v.end(), std::uint8_t{0});
  CHECK(pkg_crc(top, v) == 0x46dd794eu, "0..31: %08x", pkg_crc(top, v));
  for (unsigned i = 0; i < 32; ++i) v[i] = static_cast<std::uint8_t>(31 - i);
  CHECK(pkg_crc(top, v) == 0x113fdb5cu, "31..0: %08x", pkg_crc(top, v));

  std::mt19937 rng(7);
  auto u32 = [&rng] { return static_cast<std::uint32_t>(rng()); };
  for (unsigned r = 0; r < rounds; ++r) {
    // Byte strings of every length the package function takes.
    std::vector<std::uint8_t> b(rng() % 65);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    CHECK(pkg_crc(top, b) == card::crc32c(b), "random %zu bytes", b.size());

    // Keys: the package builders and both hashes against card_hash.
    const bool ipv6 = rng() & 1;
    const auto proto = static_cast<std::uint8_t>(rng());
    const auto sport = static_cast<std::uint16_t>(rng()), dport = static_cast<std::uint16_t>(rng());
    const std::uint32_t spi = u32();
    card::Address128 src{u32(), u32(), u32(), u32()}, dst{u32(), u32(), u32(), u32()};
    if (!ipv6) src[1] = src[2] = src[3] = dst[1] = dst[2] = dst[3] = 0;
    top.ipv6 = ipv6;
    top.proto = proto;
    top.sport = sport;
    top.dport = dport;
    top.spi = spi;
    set_addr(top.src, src);
    set_addr(top.dst, dst);
    top.eval();
    const auto fk = card::flow_key_bytes(ipv6, proto, sport, dport, src, dst);
    const auto sk = card::sa_key_bytes(spi, proto, ipv6, dst);
    bool same = true;
    for (std::size_t i = 0; i < fk.size(); ++i) same = same && vlbits::get_byte(top.flow_key, i) == fk[i];
    CHECK(same, "flow_key_bytes differ (round %u)", r);
    same = true;
    for (std::size_t i = 0; i < sk.size(); ++i) same = same && vlbits::get_byte(top.sa_key, i) == sk[i];
    CHECK(same, "sa_key_bytes differ (round %u)", r);
    CHECK(top.flow_crc_pkg == card::crc32c(fk), "flow crc (package) round %u", r);
    CHECK(top.flow_crc_tree == card::crc32c(fk), "flow crc (key_hash) round %u", r);
    CHECK(top.sa_crc_pkg == card::crc32c(sk), "sa crc (package) round %u", r);
    CHECK(top.sa_crc_tree == card::crc32c(sk), "sa crc (key_hash) round %u", r);
  }
  std::printf("hash: 4 RFC 3720 vectors, %u random strings and keys, %d failures\n", rounds, g_failures);
  return g_failures == 0 ? 0 : 1;
}
