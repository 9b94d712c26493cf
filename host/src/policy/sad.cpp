// The SAD: two hash indexes over the same shared SA objects.
//  - by (dst, proto, spi): inbound SPI lookup, add/remove/update, O(1);
//  - by (src, dst, proto): outbound selection, O(SAs between that pair).
// Both are open-addressing slot arrays (sa_index.hpp): one slot per SA in
// each, holding the SA and its insertion number, which for_each and "newest
// first" need.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "aipsec/sad.hpp"
#include "policy/addr_hash.hpp"
#include "policy/sa_index.hpp"

namespace aipsec {
namespace {

using policy_detail::hash_addr;
using policy_detail::SaIndex;

struct PairKey {
  IpAddr src, dst;
  IpsecProto proto{};
  bool operator==(const PairKey&) const = default;
};

std::uint64_t hash_of(const SaKey& k) { return hash_addr(k.dst, std::uint64_t(k.spi) << 8 | std::uint8_t(k.proto)); }
std::uint64_t hash_of(const PairKey& k) { return hash_addr(k.src, hash_addr(k.dst, std::uint8_t(k.proto))); }

SaKey key_of(const SaConfig& c) { return SaKey{c.dst, c.proto, c.spi}; }
PairKey pair_of(const SaConfig& c) { return PairKey{c.src, c.dst, c.proto}; }

void check_addresses(const SaConfig& c) {
  if (c.dst.family != 4 && c.dst.family != 6) throw Error("SA destination address is not set");
  if (c.src.family != c.dst.family)
    throw Error("SA source and destination addresses are not of the same family");
}

bool mode_compatible(Mode sa_mode, Mode wanted) {
  return sa_mode == Mode::kAny || wanted == Mode::kAny || sa_mode == wanted;
}

}  // namespace

struct Sad::Impl {
  mutable std::shared_mutex mu;
  SaIndex by_spi;
  SaIndex by_pair;
  std::uint64_t next_seq = 1;
  std::atomic<std::uint64_t> generation{0};
  // The last kChangeLog changed keys with the generation each change made, a
  // ring (oldest at log_head once full); changes up to log_floor are no
  // longer all in it. Written under the exclusive lock.
  struct Change {
    std::uint64_t gen;
    SaKey key;
  };
  std::vector<Change> log;
  std::size_t log_head = 0;
  std::uint64_t log_floor = 0;

  std::uint64_t changed() { return generation.fetch_add(1, std::memory_order_release) + 1; }
  void record(const SaKey& k, std::uint64_t gen) {
    if (log.size() < kChangeLog) {
      log.push_back({gen, k});
      return;
    }
    log_floor = log[log_head].gen;
    log[log_head] = {gen, k};
    log_head = (log_head + 1) % kChangeLog;
  }
  // A change too large for the log: nothing before gen can be answered.
  void forget_log(std::uint64_t gen) {
    log.clear();
    log_head = 0;
    log_floor = gen;
  }

  SaIndex::Slot* spi_slot(const SaKey& k) {
    return by_spi.find(hash_of(k), [&](const SaIndex::Slot& s) { return key_of(s.sa->config()) == k; });
  }
  // The by_pair slot of a pair: one per pair, its SAs in the slot and its list.
  SaIndex::Slot* pair_slot(const PairKey& pk) {
    return by_pair.find(hash_of(pk), [&](const SaIndex::Slot& s) { return pair_of(s.sa->config()) == pk; });
  }
  void link_pair(const SaRef& sa, std::uint64_t seq) {
    const PairKey pk = pair_of(sa->config());
    if (SaIndex::Slot* s = pair_slot(pk)) SaIndex::add_to(s, sa, seq);
    else by_pair.insert(hash_of(pk), sa, seq);
  }
  void unlink_pair(const SaRef& sa) {
    if (SaIndex::Slot* s = pair_slot(pair_of(sa->config()))) by_pair.remove_from(s, sa);
  }
  // Starts loading the two slots an insert of c probes first: with a large
  // SAD each is a cache miss, which then overlaps with keying the SA.
  void prefetch(const SaConfig& c) const {
    std::shared_lock lock(mu);
    by_spi.prefetch(hash_of(key_of(c)));
    by_pair.prefetch(hash_of(pair_of(c)));
  }
  // Into both indexes, unless (dst, proto, spi) is taken: false then.
  bool insert(const SaRef& sa) {
    const SaConfig& c = sa->config();
    const SaKey k = key_of(c);
    const std::uint64_t h = hash_of(k);
    std::unique_lock lock(mu);
    if (by_spi.find(h, [&](const SaIndex::Slot& s) { return key_of(s.sa->config()) == k; })) return false;
    by_spi.insert(h, sa, next_seq);
    link_pair(sa, next_seq);
    ++next_seq;
    record(k, changed());
    return true;
  }
  // Removes from both indexes and marks dead; holders of a reference see it.
  void kill(SaIndex::Slot* slot) {
    SaRef sa = slot->sa;
    unlink_pair(sa);
    by_spi.erase(slot);
    sa->set_state(SaState::kDead);
    record(key_of(sa->config()), changed());
  }
};

Sad::Sad() : impl_(std::make_unique<Impl>()) {}
Sad::~Sad() = default;

SaRef Sad::add(SaConfig cfg) {
  check_addresses(cfg);
  impl_->prefetch(cfg);
  // Building the SA keys its crypto contexts: done before taking the lock.
  return add(std::make_shared<Sa>(std::move(cfg)));
}

SaRef Sad::add(SaRef sa) {
  if (!sa) throw Error("no SA given");
  const SaConfig& c = sa->config();
  check_addresses(c);
  if (!impl_->insert(sa))
    throw Error("SA already exists: dst " + c.dst.to_string() + " proto " +
                std::to_string(int(c.proto)) + " spi " + std::to_string(c.spi));
  return sa;
}

SaRef Sad::try_add(SaConfig cfg) {
  check_addresses(cfg);
  impl_->prefetch(cfg);
  auto sa = std::make_shared<Sa>(std::move(cfg));
  return impl_->insert(sa) ? sa : nullptr;
}

SaRef Sad::update(SaConfig cfg) {
  check_addresses(cfg);
  auto sa = std::make_shared<Sa>(std::move(cfg));
  const SaConfig& c = sa->config();
  std::unique_lock lock(impl_->mu);
  SaIndex::Slot* slot = impl_->spi_slot(key_of(c));
  if (!slot)
    throw Error("no SA to update: dst " + c.dst.to_string() + " proto " +
                std::to_string(int(c.proto)) + " spi " + std::to_string(c.spi));
  SaRef old = slot->sa;
  impl_->unlink_pair(old);
  // The SA keeps its place in the insertion order: it is the same SA, rekeyed.
  slot->sa = sa;
  impl_->link_pair(sa, slot->seq);
  old->set_state(SaState::kDead);
  impl_->record(key_of(c), impl_->changed());
  return sa;
}

SaRef Sad::get(const SaKey& k) const {
  std::shared_lock lock(impl_->mu);
  const auto* slot = impl_->spi_slot(k);
  return slot ? slot->sa : nullptr;
}

bool Sad::remove(const SaKey& k) {
  std::unique_lock lock(impl_->mu);
  SaIndex::Slot* slot = impl_->spi_slot(k);
  if (!slot) return false;
  impl_->kill(slot);
  return true;
}

std::size_t Sad::remove_all(const IpAddr& src, const IpAddr& dst, IpsecProto proto) {
  std::unique_lock lock(impl_->mu);
  const PairKey pk{src, dst, proto};
  std::vector<SaKey> keys;
  if (const SaIndex::Slot* s = impl_->pair_slot(pk))
    SaIndex::for_all(*s, [&](const SaRef& sa, std::uint64_t) { keys.push_back(key_of(sa->config())); });
  for (const auto& k : keys) impl_->kill(impl_->spi_slot(k));
  return keys.size();
}

std::size_t Sad::flush(std::optional<IpsecProto> proto) {
  std::unique_lock lock(impl_->mu);
  const auto chosen = [&](const SaIndex::Slot& s) { return !proto || s.sa->config().proto == *proto; };
  std::vector<SaKey> gone;
  impl_->by_spi.for_each([&](const SaIndex::Slot& s) {
    if (!chosen(s)) return;
    s.sa->set_state(SaState::kDead);
    gone.push_back(key_of(s.sa->config()));
  });
  if (!proto) {
    impl_->by_spi.clear();
    impl_->by_pair.clear();
  } else {
    impl_->by_spi.erase_if(chosen);
    impl_->by_pair.erase_if(chosen);
  }
  if (gone.empty()) return 0;
  const std::uint64_t gen = impl_->changed();
  if (gone.size() > kChangeLog) {
    impl_->forget_log(gen);
  } else {
    for (const SaKey& k : gone) impl_->record(k, gen);
  }
  return gone.size();
}

std::optional<Sad::Changes> Sad::changed_since(std::uint64_t since) const {
  std::shared_lock lock(impl_->mu);
  const Impl& m = *impl_;
  Changes out;
  out.generation = m.generation.load(std::memory_order_acquire);
  if (since < m.log_floor || since > out.generation) return std::nullopt;
  const std::size_t n = m.log.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Impl::Change& c = m.log[(m.log_head + i) % n];
    if (c.gen > since) out.keys.push_back(c.key);
  }
  return out;
}

std::uint64_t Sad::generation() const { return impl_->generation.load(std::memory_order_acquire); }

std::size_t Sad::size() const {
  std::shared_lock lock(impl_->mu);
  return impl_->by_spi.size();
}

SaRef Sad::find_outbound(const IpAddr& src, const IpAddr& dst, IpsecProto proto, Mode mode,
                         std::uint32_t reqid) const {
  std::shared_lock lock(impl_->mu);
  const SaRef* mature = nullptr;
  const SaRef* dying = nullptr;
  std::uint64_t mature_seq = 0, dying_seq = 0;
  const SaIndex::Slot* s = impl_->pair_slot(PairKey{src, dst, proto});
  if (!s) return nullptr;
  SaIndex::for_all(*s, [&](const SaRef& sa, std::uint64_t seq) {
    const SaConfig& c = sa->config();
    if (!mode_compatible(c.mode, mode)) return;
    if (reqid != 0 && c.reqid != reqid) return;
    const SaState st = sa->state();
    if (st == SaState::kMature && (!mature || seq > mature_seq)) mature = &sa, mature_seq = seq;
    if (st == SaState::kDying && (!dying || seq > dying_seq)) dying = &sa, dying_seq = seq;
    // larval and dead SAs are never chosen
  });
  const SaRef* best = mature ? mature : dying;
  return best ? *best : nullptr;
}

void Sad::for_each(const std::function<void(const SaRef&)>& fn,
                   std::optional<IpsecProto> proto) const {
  std::vector<std::pair<std::uint64_t, SaRef>> all;
  {
    std::shared_lock lock(impl_->mu);
    all.reserve(impl_->by_spi.size());
    impl_->by_spi.for_each([&](const SaIndex::Slot& s) {
      if (!proto || s.sa->config().proto == *proto) all.emplace_back(s.seq, s.sa);
    });
  }
  // Visited without the lock held, so fn may call back into the SAD.
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& e : all) fn(e.second);
}

void Sad::visit_locked(const std::function<void(const SaRef&)>& fn) const {
  std::shared_lock lock(impl_->mu);
  impl_->by_spi.for_each([&](const SaIndex::Slot& s) { fn(s.sa); });
}

}  // namespace aipsec
