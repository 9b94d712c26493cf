// Verilator bench of aipsec_parser: frames built by parser_frames.py with
// Scapy, whose dissection gives the expected parse_t fields and reason. Frames
// go in as descriptors (random tuser, frame_len, first HDR_BYTES bytes) under
// random input gaps and output back-pressure; outputs must come in order with
// the descriptor unchanged. Garbage frames must each give one output whose
// reason is one the parser reports. A final run with no gaps and no
// back-pressure checks one descriptor per cycle.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "Vaipsec_parser.h"
#include "vl_bits.hpp"

namespace {

constexpr std::size_t kHdrBytes = 128;
constexpr std::size_t kDescBits = 64 + 16 + kHdrBytes * 8;

// parse_t fields, most significant first (hw/rtl/dp/aipsec_dp_pkg.sv).
struct Field {
  const char* name;
  std::size_t width;
  std::size_t lsb = 0;
};
std::vector<Field> parse_fields() {
  std::vector<Field> f = {{"reason", 8},     {"ipv6", 1},       {"l3_off", 8},  {"l3_hdr_len", 8},
                          {"nh_off", 8},     {"l4_proto", 8},   {"l3_len", 16}, {"src", 128},
                          {"dst", 128},      {"sport", 16},     {"dport", 16},  {"tos", 8},
                          {"df", 1},         {"ttl", 8},        {"flow_label", 20}, {"esp", 1},
                          {"natt", 1},       {"natt_keepalive", 1}, {"ike_marker", 1},
                          {"esp_off", 8},    {"spi", 32},       {"seq", 32}};
  std::size_t lsb = 0;
  for (auto it = f.rbegin(); it != f.rend(); ++it) {
    it->lsb = lsb;
    lsb += it->width;
  }
  return f;
}

struct Case {
  std::string name;
  std::vector<std::uint8_t> hdr;  // kHdrBytes
  std::uint16_t frame_len = 0;
  std::uint64_t tuser = 0;
  bool garbage = false;
  nlohmann::json expect;
};

std::vector<std::uint8_t> from_hex(const std::string& s) {
  std::vector<std::uint8_t> v;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    v.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  }
  return v;
}

// A JSON number, or a hex string for fields wider than 64 bits, as two 64-bit halves.
void json_u128(const nlohmann::json& j, std::uint64_t& hi, std::uint64_t& lo) {
  hi = lo = 0;
  if (!j.is_string()) {
    lo = j.get<std::uint64_t>();
    return;
  }
  for (char c : j.get<std::string>()) {
    const std::uint64_t d = static_cast<std::uint64_t>(std::stoul(std::string(1, c), nullptr, 16));
    hi = (hi << 4) | (lo >> 60);
    lo = (lo << 4) | d;
  }
}

class Bench {
 public:
  Bench(std::vector<Case> cases, std::set<unsigned> reasons, std::uint32_t seed)
      : cases_(std::move(cases)), reasons_(std::move(reasons)), fields_(parse_fields()), rng_(seed) {}

  void reset() {
    top_.s_valid = 0;
    top_.m_ready = 0;
    top_.rst = 1;
    for (int i = 0; i < 4; ++i) tick();
    top_.rst = 0;
    tick();
  }

  // Sends every case once; returns the cycles taken.
  std::size_t run(unsigned valid_pct, unsigned ready_pct) {
    std::size_t next = 0, cycles = 0;
    bool driving = false;
    while ((next < cases_.size() || !inflight_.empty()) && cycles < 100 * cases_.size() + 1000) {
      if (!driving && next < cases_.size() && rng_() % 100 < valid_pct) driving = true;
      top_.s_valid = driving;
      if (driving) drive(cases_[next]);
      top_.m_ready = rng_() % 100 < ready_pct;
      top_.eval();
      if (driving && top_.s_ready) {
        inflight_.push_back(next++);
        driving = false;
      }
      if (top_.m_valid && top_.m_ready) check_output();
      tick();
      ++cycles;
    }
    CHECK(next == cases_.size() && inflight_.empty(), "stalled: %zu of %zu sent, %zu in flight",
          next, cases_.size(), inflight_.size());
    return cycles;
  }

  std::size_t checked() const { return checked_; }

 private:
  void tick() {
    top_.clk = 0;
    top_.eval();
    top_.clk = 1;
    top_.eval();
    top_.clk = 0;
  }

  void drive(Case& c) {
    for (std::size_t i = 0; i < kHdrBytes; ++i) vlbits::set_byte(top_.s_desc, i, c.hdr[i]);
    vlbits::set_bits(top_.s_desc, kHdrBytes * 8, 16, c.frame_len);
    vlbits::set_bits(top_.s_desc, kHdrBytes * 8 + 16, 64, c.tuser);
  }

  std::uint64_t field(const char* name, bool high = false) const {
    for (const auto& f : fields_) {
      if (std::string(name) != f.name) continue;
      if (f.width <= 64) return vlbits::get_bits(top_.m_parse, f.lsb, f.width);
      return vlbits::get_bits(top_.m_parse, f.lsb + (high ? 64 : 0), 64);
    }
    std::abort();
  }

  void check_output() {
    if (inflight_.empty()) {
      CHECK(false, "output with nothing sent");
      return;
    }
    const Case& c = cases_[inflight_.front()];
    inflight_.pop_front();
    ++checked_;
    // The descriptor passes unchanged.
    bool same = true;
    for (std::size_t i = 0; i < kHdrBytes; ++i) same = same && vlbits::get_byte(top_.m_desc, i) == c.hdr[i];
    same = same && vlbits::get_bits(top_.m_desc, kHdrBytes * 8, 16) == c.frame_len;
    same = same && vlbits::get_bits(top_.m_desc, kHdrBytes * 8 + 16, 64) == c.tuser;
    CHECK(same, "%s: descriptor changed", c.name.c_str());
    const unsigned reason = static_cast<unsigned>(field("reason"));
    if (c.garbage) {
      CHECK(reasons_.count(reason) == 1, "%s: reason %u is not a parser reason", c.name.c_str(), reason);
      return;
    }
    const auto& e = c.expect;
    CHECK(reason == e["reason"].get<unsigned>(), "%s: reason %u, expected %u", c.name.c_str(), reason,
          e["reason"].get<unsigned>());
    if (e["check_l2"].get<int>() != 0) {
      CHECK(field("l3_off") == e["l3_off"].get<std::uint64_t>(), "%s: l3_off %llu", c.name.c_str(),
            static_cast<unsigned long long>(field("l3_off")));
      CHECK(field("ipv6") == e["ipv6"].get<std::uint64_t>(), "%s: ipv6", c.name.c_str());
    }
    if (e["reason"].get<unsigned>() != 0) return;
    for (const auto& f : fields_) {
      if (!e.contains(f.name)) {
        CHECK(false, "%s: no expected %s", c.name.c_str(), f.name);
        continue;
      }
      std::uint64_t hi = 0, lo = 0;
      json_u128(e[f.name], hi, lo);
      const std::uint64_t got_lo = field(f.name, false);
      const std::uint64_t got_hi = f.width > 64 ? field(f.name, true) : 0;
      CHECK(got_lo == lo && got_hi == hi, "%s: %s = %llx:%llx, expected %llx:%llx", c.name.c_str(), f.name,
            static_cast<unsigned long long>(got_hi), static_cast<unsigned long long>(got_lo),
            static_cast<unsigned long long>(hi), static_cast<unsigned long long>(lo));
    }
  }

  Vaipsec_parser top_;
  std::vector<Case> cases_;
  std::set<unsigned> reasons_;
  std::vector<Field> fields_;
  std::mt19937 rng_;
  std::deque<std::size_t> inflight_;
  std::size_t checked_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Verilated::randReset(2);  // state not reset starts random
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FRAMES_JSON [SEED]\n", argv[0]);
    return 2;
  }
  static_assert(kDescBits == 64 + 16 + 1024);
  const std::uint32_t seed = argc > 2 ? static_cast<std::uint32_t>(std::atoi(argv[2])) : 1;
  std::ifstream in(argv[1]);
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::mt19937_64 rng(seed);
  std::vector<Case> cases;
  for (const auto& j : doc["cases"]) {
    Case c;
    c.name = j["name"].get<std::string>();
    c.hdr = from_hex(j["frame"].get<std::string>());
    c.hdr.resize(kHdrBytes, 0);  // the ingress zeroes bytes past the frame
    c.frame_len = j["frame_len"].get<std::uint16_t>();
    if (c.frame_len > 0 && c.frame_len < kHdrBytes) {
      std::fill(c.hdr.begin() + c.frame_len, c.hdr.end(), 0);
    }
    c.tuser = rng();
    c.garbage = j.value("garbage", false);
    if (!c.garbage) c.expect = j["expect"];
    cases.push_back(std::move(c));
  }
  std::set<unsigned> reasons;
  for (const auto& r : doc["parser_reasons"]) reasons.insert(r.get<unsigned>());
  Bench bench(cases, reasons, seed);
  bench.reset();
  bench.run(70, 60);
  bench.run(100, 25);
  const std::size_t cycles = bench.run(100, 100);
  // One per cycle: the pipeline fills once (ten stages) and never stalls.
  CHECK(cycles <= cases.size() + 10, "full rate: %zu cycles for %zu descriptors", cycles, cases.size());
  std::printf("parser: %zu frames checked (%zu cases x 3 runs), %d failures\n", bench.checked(),
              cases.size(), g_failures);
  return g_failures == 0 ? 0 : 1;
}
