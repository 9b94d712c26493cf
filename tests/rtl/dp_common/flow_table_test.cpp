// Verilator bench of aipsec_flow_table against a C++ model: random inserts
// (placed in a free way of the bucket card_hash::flow_bucket gives, as the host
// does), removals, rewrites of a live entry's action, stray writes of invalid
// entries; random lookups of present, absent and near-miss keys, all under
// random back-pressure. Every answer must be the model's answer for one table
// version between the lookup's acceptance and its answer, entry included.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "Vaipsec_flow_table.h"
#include "aipsec/card_hash.hpp"
#include "table_model.hpp"
#include "vl_bits.hpp"

namespace card = aipsec::card;

namespace {

constexpr unsigned kWays = card::kWays;
using Model = TableModel<card::FlowEntry, kWays>;

struct Key {
  bool ipv6 = false;
  std::uint8_t proto = 0;
  std::uint16_t sport = 0, dport = 0;
  card::Address128 src{}, dst{};
  auto tie() const { return std::tie(ipv6, proto, sport, dport, src, dst); }
  bool operator<(const Key& o) const { return tie() < o.tie(); }
};

bool entry_matches(const card::FlowEntry& e, const Key& k) {
  return e.valid == 1 && (e.ipv6 != 0) == k.ipv6 && e.protocol == k.proto && e.src_port == k.sport &&
         e.dst_port == k.dport && e.src_addr == k.src && e.dst_addr == k.dst;
}

struct Lookup {
  Key key;
  std::size_t first_version;
};

class Bench {
 public:
  explicit Bench(std::uint32_t seed) : model_(FLOW_COUNT), rng_(seed) {
    for (unsigned i = 0; i < 2 * FLOW_COUNT; ++i) pool_.push_back(random_key());
  }

  void reset() {
    top_.s_wr_valid = 0;
    top_.s_lk_valid = 0;
    top_.m_lk_ready = 0;
    top_.rst = 1;
    for (int i = 0; i < 4; ++i) tick();
    top_.rst = 0;
    // The table clears, one bucket per cycle, before it takes anything.
    unsigned cycles = 0;
    for (top_.eval(); !top_.s_wr_ready && cycles < 2 * FLOW_COUNT; top_.eval()) {
      CHECK(!top_.s_lk_ready, "lookup taken while clearing");
      tick();
      ++cycles;
    }
    CHECK(cycles == FLOW_COUNT / kWays, "cleared in %u cycles", cycles);
  }

  // Reset in the middle of traffic: the table must come back empty.
  void reset_tables() {
    reset();
    model_ = Model(FLOW_COUNT);
    present_.clear();
    inflight_.clear();
  }

  void run(unsigned cycles, unsigned wr_pct, unsigned lk_pct, unsigned ready_pct) {
    for (unsigned c = 0; c < cycles; ++c) step(wr_pct, lk_pct, ready_pct);
    for (unsigned c = 0; c < 64 && !inflight_.empty(); ++c) step(0, 0, 100);
    CHECK(inflight_.empty(), "%zu lookups never answered", inflight_.size());
  }

  void report() const {
    std::printf("flow_table %u: %zu lookups (%zu hits), %zu writes, %zu inserts refused (bucket full), %d failures\n",
                FLOW_COUNT, answers_, hits_, writes_, full_, g_failures);
  }
  std::size_t hits() const { return hits_; }
  std::size_t answers() const { return answers_; }

 private:
  std::uint32_t u32() { return static_cast<std::uint32_t>(rng_()); }

  Key random_key() {
    static constexpr std::uint8_t protos[] = {6, 17, 50, 1, 132, 58};
    Key k;
    k.ipv6 = rng_() % 2;
    k.proto = protos[rng_() % 6];
    k.sport = static_cast<std::uint16_t>(rng_());
    k.dport = static_cast<std::uint16_t>(rng_() % 4 == 0 ? 4500 : rng_());
    k.src = {u32(), k.ipv6 ? u32() : 0, k.ipv6 ? u32() : 0, k.ipv6 ? u32() : 0};
    k.dst = {u32(), k.ipv6 ? u32() : 0, k.ipv6 ? u32() : 0, k.ipv6 ? u32() : 0};
    return k;
  }

  card::FlowEntry entry_for(const Key& k) {
    card::FlowEntry e;
    e.valid = 1;
    e.ipv6 = k.ipv6;
    e.action = static_cast<card::FlowEntry::Action>(rng_() % 4);
    e.bundle_len = static_cast<std::uint8_t>(1 + rng_() % 2);
    e.protocol = k.proto;
    e.src_port = k.sport;
    e.dst_port = k.dport;
    e.src_addr = k.src;
    e.dst_addr = k.dst;
    e.sa_index0 = static_cast<std::uint16_t>(rng_());
    e.sa_index1 = static_cast<std::uint16_t>(rng_());
    return e;
  }

  // The next write, chosen as the host would: into a free way of the key's bucket.
  bool choose_write(std::size_t& index, card::FlowEntry& e) {
    const unsigned op = rng_() % 10;
    if (op < 5) {  // insert
      const Key k = pool_[rng_() % pool_.size()];
      if (present_.count(k)) return false;
      const std::uint32_t b = card::flow_bucket(k.ipv6, k.proto, k.sport, k.dport, k.src, k.dst, FLOW_COUNT);
      for (unsigned w = 0; w < kWays; ++w) {
        if (model_.at(b * kWays + w).valid == 0) {
          index = b * kWays + w;
          e = entry_for(k);
          return true;
        }
      }
      ++full_;
      return false;
    }
    if (present_.empty()) return false;
    auto it = present_.begin();
    std::advance(it, rng_() % present_.size());
    index = it->second;
    e = model_.at(index);
    if (op < 8) {  // remove: keep the key, clear valid (a stale key must not match)
      e.valid = 0;
    } else {       // rewrite the action of a live entry
      e.action = static_cast<card::FlowEntry::Action>(rng_() % 4);
      e.sa_index0 = static_cast<std::uint16_t>(rng_());
    }
    return true;
  }

  Key choose_lookup() {
    const unsigned kind = rng_() % 10;
    if (kind < 6 && !present_.empty()) {
      auto it = present_.begin();
      std::advance(it, rng_() % present_.size());
      Key k = it->first;
      if (kind == 5) {  // near miss: one field off
        switch (rng_() % 5) {
          case 0: k.sport ^= 1; break;
          case 1: k.dst[0] ^= 0x100; break;
          case 2: k.proto ^= 2; break;
          case 3: k.ipv6 = !k.ipv6; break;
          default: k.src[k.ipv6 ? 3 : 0] ^= 0x80000000u; break;
        }
      }
      return k;
    }
    return kind < 8 ? pool_[rng_() % pool_.size()] : random_key();
  }

  void step(unsigned wr_pct, unsigned lk_pct, unsigned ready_pct) {
    if (!top_.s_wr_valid && rng_() % 100 < wr_pct && choose_write(wr_index_, wr_entry_)) {
      top_.s_wr_valid = 1;
      top_.s_wr_index = static_cast<std::uint32_t>(wr_index_);
      const auto words = wr_entry_.pack();
      for (std::size_t i = 0; i < words.size(); ++i) top_.s_wr_entry[i] = words[i];
    }
    if (!top_.s_lk_valid && rng_() % 100 < lk_pct) {
      lk_key_ = choose_lookup();
      top_.s_lk_valid = 1;
      top_.s_lk_ipv6 = lk_key_.ipv6;
      top_.s_lk_proto = lk_key_.proto;
      top_.s_lk_sport = lk_key_.sport;
      top_.s_lk_dport = lk_key_.dport;
      for (unsigned i = 0; i < 4; ++i) {
        top_.s_lk_src[i] = lk_key_.src[i];
        top_.s_lk_dst[i] = lk_key_.dst[i];
      }
    }
    top_.m_lk_ready = rng_() % 100 < ready_pct;
    top_.eval();
    // Nothing holds the pipeline when answers are always taken: one lookup per cycle.
    if (ready_pct == 100) CHECK(top_.s_lk_ready, "lookup not ready at full rate");
    const std::size_t version_before = model_.version();
    if (top_.m_lk_valid && top_.m_lk_ready) check_answer();
    const bool lk_taken = top_.s_lk_valid && top_.s_lk_ready;
    const bool wr_taken = top_.s_wr_valid && top_.s_wr_ready;
    if (lk_taken) inflight_.push_back({lk_key_, version_before});
    if (wr_taken) {
      model_.write(wr_index_, wr_entry_);
      ++writes_;
      const Key k{wr_entry_.ipv6 != 0, wr_entry_.protocol, wr_entry_.src_port, wr_entry_.dst_port,
                  wr_entry_.src_addr, wr_entry_.dst_addr};
      if (wr_entry_.valid) present_[k] = wr_index_;
      else present_.erase(k);
    }
    tick();
    if (lk_taken) top_.s_lk_valid = 0;
    if (wr_taken) top_.s_wr_valid = 0;
  }

  void check_answer() {
    if (inflight_.empty()) {
      CHECK(false, "answer with no lookup");
      return;
    }
    const Lookup lk = inflight_.front();
    inflight_.pop_front();
    ++answers_;
    const Key& k = lk.key;
    const std::uint32_t b = card::flow_bucket(k.ipv6, k.proto, k.sport, k.dport, k.src, k.dst, FLOW_COUNT);
    card::FlowEntry::Words got{};
    for (std::size_t i = 0; i < got.size(); ++i) got[i] = top_.m_lk_entry[i];
    bool ok = false;
    bool any_hit = false;
    for (std::size_t v = lk.first_version; v <= model_.version() && !ok; ++v) {
      const auto bucket = model_.bucket_at(b, v);
      bool hit = false;
      unsigned way = 0;
      for (unsigned w = kWays; w-- > 0;) {
        if (entry_matches(bucket[w], k)) {
          hit = true;
          way = w;
        }
      }
      any_hit = any_hit || hit;
      if (hit) {
        ok = top_.m_lk_hit && top_.m_lk_index == b * kWays + way && got == bucket[way].pack();
      } else {
        ok = !top_.m_lk_hit && got == card::FlowEntry{}.pack();
      }
    }
    if (top_.m_lk_hit) ++hits_;
    CHECK(ok, "lookup %zu: hit %d index %u, model %s (bucket %u, versions %zu..%zu)", answers_,
          top_.m_lk_hit, top_.m_lk_index, any_hit ? "hit" : "miss", b, lk.first_version, model_.version());
  }

  void tick() {
    top_.clk = 0;
    top_.eval();
    top_.clk = 1;
    top_.eval();
    top_.clk = 0;
  }

  Vaipsec_flow_table top_;
  Model model_;
  std::mt19937 rng_;
  std::vector<Key> pool_;
  std::map<Key, std::size_t> present_;
  std::deque<Lookup> inflight_;
  Key lk_key_;
  std::size_t wr_index_ = 0;
  card::FlowEntry wr_entry_;
  std::size_t answers_ = 0, hits_ = 0, writes_ = 0, full_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Verilated::randReset(2);  // state not reset starts random
  const unsigned cycles = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 20000;
  const std::uint32_t seed = argc > 2 ? static_cast<std::uint32_t>(std::atoi(argv[2])) : 1;
  Bench bench(seed);
  bench.reset();
  bench.run(cycles, 40, 60, 70);       // filling, lookups in between
  bench.reset_tables();
  bench.run(cycles / 4, 0, 100, 100);   // after a reset: every key misses
  bench.run(cycles, 40, 60, 70);
  bench.run(cycles / 2, 10, 100, 100);  // full rate lookups
  bench.run(cycles / 2, 60, 50, 20);    // heavy writes, slow consumer
  CHECK(bench.hits() > bench.answers() / 10, "too few hits to mean anything");
  bench.report();
  return g_failures == 0 ? 0 : 1;
}
