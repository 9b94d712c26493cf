// Expected outputs of the outbound path and their comparison with what the
// DUT sent: frames (bytes and tuser) per output port in any order across
// frames of different SAs, counter events as multisets.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "ob_dut.hpp"

namespace obtest {

// packet_meta_t (hw/spec/metadata.yaml).
inline std::uint64_t meta(unsigned port, unsigned kind, bool exception, bool event, unsigned reason,
                          unsigned index, unsigned pkt_len, unsigned l3_off) {
  return std::uint64_t(port & 3) << 1 | std::uint64_t(kind & 1) << 3 | std::uint64_t(exception) << 4 |
         std::uint64_t(event) << 6 | std::uint64_t(reason & 0xff) << 8 | std::uint64_t(index & 0xffff) << 16 |
         std::uint64_t(pkt_len & 0xffff) << 32 | std::uint64_t(l3_off & 0xff) << 48;
}
constexpr unsigned kPortPlain = 0, kPortHost = 2, kKindSa = 0, kKindFlow = 1;

struct ExpFrame {
  Frame f;
  std::uint64_t user_mask = ~std::uint64_t(0);
  std::string what;
};

class Scoreboard {
 public:
  std::vector<ExpFrame> net, host;
  std::vector<unsigned> drops;
  std::vector<std::pair<unsigned, unsigned>> sa_cnt;
  unsigned checked_frames = 0, failures = 0;

  // Compares what the DUT produced since the last check; clears both sides.
  void check(Dut& d, const char* phase) {
    match(d.net.frames, net, "m_axis", phase);
    match(d.to_host.frames, host, "m_host", phase);
    compare_multiset(d.drops, drops, "m_drop", phase);
    compare_multiset(d.sa_cnt, sa_cnt, "m_sa_cnt", phase);
  }

 private:
  static std::string hex(const Bytes& b, std::size_t max = 96) {
    std::string s;
    char t[4];
    for (std::size_t i = 0; i < b.size() && i < max; ++i) {
      std::snprintf(t, sizeof t, "%02x", b[i]);
      s += t;
    }
    return s;
  }

  void fail(const std::string& msg) {
    if (++failures <= 20) std::printf("FAIL %s\n", msg.c_str());
  }

  void match(std::vector<Frame>& got, std::vector<ExpFrame>& exp, const char* port, const char* phase) {
    for (const Frame& g : got) {
      auto it = std::find_if(exp.begin(), exp.end(), [&](const ExpFrame& e) {
        return e.f.bytes == g.bytes && ((e.f.tuser ^ g.tuser) & e.user_mask) == 0;
      });
      if (it != exp.end()) {
        exp.erase(it);
        ++checked_frames;
        continue;
      }
      std::string near;
      for (const ExpFrame& e : exp) {
        if (e.f.bytes.size() == g.bytes.size() || e.f.tuser == g.tuser) {
          near = " nearest expected (" + e.what + ") tuser=" + std::to_string(e.f.tuser) + " len=" +
                 std::to_string(e.f.bytes.size()) + " " + hex(e.f.bytes);
          break;
        }
      }
      fail(std::string(phase) + ": unexpected frame on " + port + " tuser=" + std::to_string(g.tuser) +
           " len=" + std::to_string(g.bytes.size()) + " " + hex(g.bytes) + near);
    }
    for (const ExpFrame& e : exp)
      fail(std::string(phase) + ": missing frame on " + port + " (" + e.what + ") tuser=" +
           std::to_string(e.f.tuser) + " len=" + std::to_string(e.f.bytes.size()));
    got.clear();
    exp.clear();
  }

  template <typename T>
  void compare_multiset(std::vector<T>& got, std::vector<T>& exp, const char* what, const char* phase) {
    std::sort(got.begin(), got.end());
    std::sort(exp.begin(), exp.end());
    if (got != exp)
      fail(std::string(phase) + ": " + what + " events differ: got " + std::to_string(got.size()) +
           ", expected " + std::to_string(exp.size()));
    got.clear();
    exp.clear();
  }
};

}  // namespace obtest
