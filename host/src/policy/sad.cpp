// The SAD: two hash indexes over the same shared SA objects.
//  - by (dst, proto, spi): inbound SPI lookup, add/remove/update, O(1);
//  - by (src, dst, proto): outbound selection, O(SAs between that pair).
// Each SA costs one node in each index and nothing else: the insertion order
// that for_each and "newest first" need is a sequence number kept in the nodes.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "aipsec/sad.hpp"
#include "policy/addr_hash.hpp"

namespace aipsec {
namespace {

using policy_detail::hash_addr;

struct SaKeyHash {
  std::size_t operator()(const SaKey& k) const {
    return hash_addr(k.dst, std::uint64_t(k.spi) << 8 | std::uint8_t(k.proto));
  }
};

struct PairKey {
  IpAddr src, dst;
  IpsecProto proto{};
  bool operator==(const PairKey&) const = default;
};

struct PairKeyHash {
  std::size_t operator()(const PairKey& k) const {
    return hash_addr(k.src, hash_addr(k.dst, std::uint8_t(k.proto)));
  }
};

struct Entry {
  SaRef sa;
  std::uint64_t seq = 0;  // insertion order
};

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
  std::unordered_map<SaKey, Entry, SaKeyHash> by_spi;
  std::unordered_multimap<PairKey, Entry, PairKeyHash> by_pair;
  std::uint64_t next_seq = 1;
  std::atomic<std::uint64_t> generation{0};
  void changed() { generation.fetch_add(1, std::memory_order_release); }

  void unlink_pair(const SaRef& sa) {
    auto [it, end] = by_pair.equal_range(pair_of(sa->config()));
    for (; it != end; ++it)
      if (it->second.sa == sa) {
        by_pair.erase(it);
        return;
      }
  }
  // Into both indexes, unless (dst, proto, spi) is taken: false then.
  bool insert(const SaRef& sa) {
    const SaConfig& c = sa->config();
    std::unique_lock lock(mu);
    Entry e{sa, next_seq};
    if (!by_spi.try_emplace(key_of(c), e).second) return false;
    by_pair.emplace(pair_of(c), e);
    ++next_seq;
    changed();
    return true;
  }
  // Removes from both indexes and marks dead; holders of a reference see it.
  void kill(std::unordered_map<SaKey, Entry, SaKeyHash>::iterator it) {
    SaRef sa = it->second.sa;
    unlink_pair(sa);
    by_spi.erase(it);
    sa->set_state(SaState::kDead);
    changed();
  }
};

Sad::Sad() : impl_(std::make_unique<Impl>()) {}
Sad::~Sad() = default;

SaRef Sad::add(SaConfig cfg) {
  check_addresses(cfg);
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
  auto sa = std::make_shared<Sa>(std::move(cfg));
  return impl_->insert(sa) ? sa : nullptr;
}

SaRef Sad::update(SaConfig cfg) {
  check_addresses(cfg);
  auto sa = std::make_shared<Sa>(std::move(cfg));
  const SaConfig& c = sa->config();
  std::unique_lock lock(impl_->mu);
  auto it = impl_->by_spi.find(key_of(c));
  if (it == impl_->by_spi.end())
    throw Error("no SA to update: dst " + c.dst.to_string() + " proto " +
                std::to_string(int(c.proto)) + " spi " + std::to_string(c.spi));
  SaRef old = it->second.sa;
  impl_->unlink_pair(old);
  // The SA keeps its place in the insertion order: it is the same SA, rekeyed.
  it->second.sa = sa;
  impl_->by_pair.emplace(pair_of(c), Entry{sa, it->second.seq});
  old->set_state(SaState::kDead);
  impl_->changed();
  return sa;
}

SaRef Sad::get(const SaKey& k) const {
  std::shared_lock lock(impl_->mu);
  auto it = impl_->by_spi.find(k);
  return it == impl_->by_spi.end() ? nullptr : it->second.sa;
}

bool Sad::remove(const SaKey& k) {
  std::unique_lock lock(impl_->mu);
  auto it = impl_->by_spi.find(k);
  if (it == impl_->by_spi.end()) return false;
  impl_->kill(it);
  return true;
}

std::size_t Sad::remove_all(const IpAddr& src, const IpAddr& dst, IpsecProto proto) {
  std::unique_lock lock(impl_->mu);
  std::vector<SaKey> keys;
  auto [it, end] = impl_->by_pair.equal_range(PairKey{src, dst, proto});
  for (; it != end; ++it) keys.push_back(key_of(it->second.sa->config()));
  for (const auto& k : keys) impl_->kill(impl_->by_spi.find(k));
  return keys.size();
}

std::size_t Sad::flush(std::optional<IpsecProto> proto) {
  std::unique_lock lock(impl_->mu);
  std::size_t n = 0;
  for (auto it = impl_->by_spi.begin(); it != impl_->by_spi.end();) {
    if (proto && it->first.proto != *proto) {
      ++it;
      continue;
    }
    it->second.sa->set_state(SaState::kDead);
    it = impl_->by_spi.erase(it);
    ++n;
  }
  if (!proto) {
    impl_->by_pair.clear();
  } else {
    for (auto it = impl_->by_pair.begin(); it != impl_->by_pair.end();)
      it = it->first.proto == *proto ? impl_->by_pair.erase(it) : std::next(it);
  }
  if (n != 0) impl_->changed();
  return n;
}

std::uint64_t Sad::generation() const { return impl_->generation.load(std::memory_order_acquire); }

std::size_t Sad::size() const {
  std::shared_lock lock(impl_->mu);
  return impl_->by_spi.size();
}

SaRef Sad::find_outbound(const IpAddr& src, const IpAddr& dst, IpsecProto proto, Mode mode,
                         std::uint32_t reqid) const {
  std::shared_lock lock(impl_->mu);
  const Entry* mature = nullptr;
  const Entry* dying = nullptr;
  auto [it, end] = impl_->by_pair.equal_range(PairKey{src, dst, proto});
  for (; it != end; ++it) {
    const Entry& e = it->second;
    const SaConfig& c = e.sa->config();
    if (!mode_compatible(c.mode, mode)) continue;
    if (reqid != 0 && c.reqid != reqid) continue;
    SaState st = e.sa->state();
    const Entry** slot = st == SaState::kMature ? &mature : st == SaState::kDying ? &dying : nullptr;
    if (!slot) continue;  // larval and dead SAs are never chosen
    if (!*slot || e.seq > (*slot)->seq) *slot = &e;
  }
  const Entry* best = mature ? mature : dying;
  return best ? best->sa : nullptr;
}

void Sad::for_each(const std::function<void(const SaRef&)>& fn,
                   std::optional<IpsecProto> proto) const {
  std::vector<Entry> all;
  {
    std::shared_lock lock(impl_->mu);
    all.reserve(impl_->by_spi.size());
    for (const auto& [k, e] : impl_->by_spi)
      if (!proto || k.proto == *proto) all.push_back(e);
  }
  // Visited without the lock held, so fn may call back into the SAD.
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
  for (const auto& e : all) fn(e.sa);
}

}  // namespace aipsec
