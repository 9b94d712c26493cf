// Verilator bench of aipsec_sa_lookup against a C++ model: random inbound SAs
// placed in a free entry of the bucket card_hash::sa_bucket gives (as the host
// does), outbound SAs at any free entry (same SPI and address as inbound ones:
// they must never match), removals, rewrites; random lookups of present,
// absent and near-miss keys under random back-pressure. Every answer must be
// the model's answer for one table version between the lookup's acceptance and
// its answer; a reset in the middle of traffic must leave the table empty.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "Vaipsec_sa_lookup.h"
#include "aipsec/card_hash.hpp"
#include "table_model.hpp"
#include "vl_bits.hpp"

namespace card = aipsec::card;

namespace {

constexpr unsigned kWays = card::kWays;
using Model = TableModel<card::SaContext, kWays>;
using Dir = card::SaContext::Direction;

struct Key {
  std::uint32_t spi = 0;
  std::uint8_t proto = 50;
  bool ipv6 = false;
  card::Address128 dst{};
  auto tie() const { return std::tie(spi, proto, ipv6, dst); }
  bool operator<(const Key& o) const { return tie() < o.tie(); }
};

std::uint8_t proto_of(const card::SaContext& e) {
  return e.protocol == card::SaContext::Protocol::kAh ? 51 : 50;
}

Key key_of(const card::SaContext& e) { return Key{e.spi, proto_of(e), e.outer_ipv6 != 0, e.tunnel_dst}; }

bool entry_matches(const card::SaContext& e, const Key& k) {
  return e.valid == 1 && e.direction == Dir::kInbound && e.spi == k.spi && proto_of(e) == k.proto &&
         (e.outer_ipv6 != 0) == k.ipv6 && e.tunnel_dst == k.dst;
}

struct Lookup {
  Key key;
  std::size_t first_version;
};

class Bench {
 public:
  explicit Bench(std::uint32_t seed) : model_(SA_COUNT), rng_(seed) {
    for (unsigned i = 0; i < 2 * SA_COUNT; ++i) pool_.push_back(random_key());
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
    for (top_.eval(); !top_.s_wr_ready && cycles < 2 * SA_COUNT; top_.eval()) {
      CHECK(!top_.s_lk_ready, "lookup taken while clearing");
      tick();
      ++cycles;
    }
    CHECK(cycles == SA_COUNT / kWays, "cleared in %u cycles", cycles);
  }

  // Reset in the middle of traffic: the table must come back empty.
  void reset_tables() {
    reset();
    model_ = Model(SA_COUNT);
    present_.clear();
    inflight_.clear();
  }

  void run(unsigned cycles, unsigned wr_pct, unsigned lk_pct, unsigned ready_pct) {
    for (unsigned c = 0; c < cycles; ++c) step(wr_pct, lk_pct, ready_pct);
    for (unsigned c = 0; c < 64 && !inflight_.empty(); ++c) step(0, 0, 100);
    CHECK(inflight_.empty(), "%zu lookups never answered", inflight_.size());
  }

  void report() const {
    std::printf("sa_lookup %u: %zu lookups (%zu hits), %zu writes, %zu inserts refused (bucket full), %d failures\n",
                SA_COUNT, answers_, hits_, writes_, full_, g_failures);
  }
  std::size_t hits() const { return hits_; }
  std::size_t answers() const { return answers_; }

 private:
  std::uint32_t u32() { return static_cast<std::uint32_t>(rng_()); }

  Key random_key() {
    Key k;
    k.spi = u32() % 64 == 0 ? 0x100 : u32();
    k.proto = rng_() % 4 == 0 ? 51 : 50;
    k.ipv6 = rng_() % 2;
    k.dst = {u32(), k.ipv6 ? u32() : 0, k.ipv6 ? u32() : 0, k.ipv6 ? u32() : 0};
    return k;
  }

  card::SaContext sa_for(const Key& k, Dir dir) {
    card::SaContext e;
    e.valid = 1;
    e.direction = dir;
    e.protocol = k.proto == 51 ? card::SaContext::Protocol::kAh : card::SaContext::Protocol::kEsp;
    e.mode = static_cast<card::SaContext::Mode>(rng_() % 2);
    e.outer_ipv6 = k.ipv6;
    e.spi = k.spi;
    e.salt = u32();
    e.seq = u32();
    e.tunnel_dst = k.dst;
    e.tunnel_src = {u32(), u32(), u32(), u32()};
    for (auto& w : e.enc_key) w = u32();
    return e;
  }

  // The next write, chosen as the host would: an inbound SA into a free entry
  // of its key's bucket, an outbound SA into any free entry.
  bool choose_write(std::size_t& index, card::SaContext& e) {
    const unsigned op = rng_() % 10;
    if (op < 4) {  // inbound insert
      const Key k = pool_[rng_() % pool_.size()];
      if (present_.count(k)) return false;
      const std::uint32_t b = card::sa_bucket(k.spi, k.proto, k.ipv6, k.dst, SA_COUNT);
      for (unsigned w = 0; w < kWays; ++w) {
        if (model_.at(b * kWays + w).valid == 0) {
          index = b * kWays + w;
          e = sa_for(k, Dir::kInbound);
          return true;
        }
      }
      ++full_;
      return false;
    }
    if (op < 5) {  // outbound SA with a key that lookups use, anywhere free
      index = rng_() % SA_COUNT;
      if (model_.at(index).valid != 0) return false;
      e = sa_for(pool_[rng_() % pool_.size()], Dir::kOutbound);
      return true;
    }
    if (op < 7) {  // remove any SA, inbound or outbound
      index = rng_() % SA_COUNT;
      e = model_.at(index);
      if (e.valid == 0) return false;
      e.valid = 0;  // the key stays in the fields and must not match
      return true;
    }
    if (present_.empty()) return false;
    auto it = present_.begin();
    std::advance(it, rng_() % present_.size());
    index = it->second;
    e = model_.at(index);
    if (op < 8) {
      e.valid = 0;  // remove; the key stays in the fields and must not match
    } else {
      e.seq = u32();
      e.salt = u32();
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
        switch (rng_() % 4) {
          case 0: k.spi ^= 1; break;
          case 1: k.proto = k.proto == 50 ? 51 : 17; break;
          case 2: k.ipv6 = !k.ipv6; break;
          default: k.dst[k.ipv6 ? 3 : 0] ^= 0x80000000u; break;
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
      top_.s_lk_spi = lk_key_.spi;
      top_.s_lk_proto = lk_key_.proto;
      top_.s_lk_ipv6 = lk_key_.ipv6;
      for (unsigned i = 0; i < 4; ++i) top_.s_lk_dst[i] = lk_key_.dst[i];
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
      const Key k = key_of(wr_entry_);
      if (wr_entry_.direction != Dir::kInbound) {
        // outbound entries are not looked up
      } else if (wr_entry_.valid) present_[k] = wr_index_;
      else if (present_.count(k) && present_[k] == wr_index_) present_.erase(k);
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
    const std::uint32_t b = card::sa_bucket(k.spi, k.proto, k.ipv6, k.dst, SA_COUNT);
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
      ok = hit ? (top_.m_lk_hit && top_.m_lk_index == b * kWays + way) : !top_.m_lk_hit;
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

  Vaipsec_sa_lookup top_;
  Model model_;
  std::mt19937 rng_;
  std::vector<Key> pool_;
  std::map<Key, std::size_t> present_;
  std::deque<Lookup> inflight_;
  Key lk_key_;
  std::size_t wr_index_ = 0;
  card::SaContext wr_entry_;
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
