// The SPD as a tuple space search (Srinivasan et al., SIGCOMM 1999): policies
// are grouped into tables by (direction, family, src prefix length, dst prefix
// length); inside a table a hash on the masked address pair gives a bucket,
// whose entries are kept in preference order and filtered on protocol, ports
// and ICMP type/code. A lookup probes one hash per table in use, visiting the
// tables in order of the best rank they can hold, and stops as soon as the best
// match found so far cannot be beaten by the tables left.
#include <algorithm>
#include <array>
#include <atomic>
#include <ctime>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "aipsec/spd.hpp"
#include "policy/addr_hash.hpp"
#include "policy/flat_table.hpp"
#include "policy/selector.hpp"

namespace aipsec {
namespace {

using policy_detail::AddrWords;
using policy_detail::FlatPairTable;
using policy_detail::mix64;
using policy_detail::PairWords;
using policy_detail::words_of;

// The preference order of spd.hpp but its last rule (order of addition: Entry::seq).
struct Rank {
  std::int32_t priority = 0;
  std::uint16_t plen = 0;
  std::uint8_t ports = 0, proto = 0;
};

struct TableKey {
  Direction dir{};
  std::uint8_t family = 0, splen = 0, dplen = 0;
  bool operator==(const TableKey&) const = default;
};

struct TableKeyHash {
  std::size_t operator()(const TableKey& k) const {
    return mix64(std::uint64_t(k.dir) << 24 | std::uint64_t(k.family) << 16 | k.splen << 8 | k.dplen);
  }
};

struct Table;

// What a lookup needs of an entry: its rank, the upper-layer filter and the
// policy. The bucket's slot keeps a copy of its head's (flat_table.hpp).
struct EntrySummary {
  const Policy* raw = nullptr;
  Rank rank;
  std::uint16_t sport = 0, dport = 0;
  std::uint8_t ulproto = 255;
  std::uint8_t icmp_type = 0, icmp_code = 0;
  std::uint8_t icmp_given = 0;  // kIcmpType | kIcmpCode
  bool track_use = false;       // the policy has a use lifetime (Spd::set_now)
};

// Laid out so that a lookup that walks a chain reads one cache line per entry
// (key, chain, summary); what ties and the control plane need comes after.
struct alignas(64) Entry {
  using Summary = EntrySummary;
  PairWords key;
  Entry* next = nullptr;  // the bucket's next entry, in preference order
  Summary sum;
  std::uint64_t seq = 0;  // order of addition: the last tie-break
  Table* table = nullptr;
  std::shared_ptr<const Policy> policy;
  std::uint64_t created = 0;                        // unix seconds
  mutable std::atomic<std::uint64_t> last_used{0};  // unix seconds, 0 = never
};

constexpr std::uint8_t kIcmpType = 1, kIcmpCode = 2;

std::uint64_t wall_seconds() { return std::uint64_t(std::time(nullptr)); }

// KAME's key_flush_spd: a limit is passed when strictly more time has elapsed.
bool lifetime_passed(const Entry& e, std::uint64_t now) {
  const Lifetime& l = e.policy->lifetime;
  if (l.add_seconds != 0 && now > e.created + l.add_seconds) return true;
  if (l.use_seconds == 0) return false;
  const std::uint64_t used = e.last_used.load(std::memory_order_relaxed);
  return now > (used != 0 ? used : e.created) + l.use_seconds;
}

// Negative if x is preferred to y, positive if y is, 0 if only the order of
// addition can tell (spd.hpp).
int compare(const Rank& x, const Rank& y) {
  if (x.priority != y.priority) return x.priority < y.priority ? -1 : 1;
  if (x.plen != y.plen) return x.plen > y.plen ? -1 : 1;
  if (x.ports != y.ports) return x.ports > y.ports ? -1 : 1;
  if (x.proto != y.proto) return x.proto > y.proto ? -1 : 1;
  return 0;
}

// a is preferred to b (spd.hpp).
bool better(const Entry& a, const Entry& b) {
  const int c = compare(a.sum.rank, b.sum.rank);
  return c != 0 ? c < 0 : a.seq < b.seq;
}

struct Table {
  TableKey tk;
  AddrWords smask, dmask;
  FlatPairTable<Entry> buckets;  // masked address pair -> best entry of the bucket
  std::map<std::int32_t, std::size_t> priorities;  // priority -> entries having it
  std::size_t count = 0;
  std::int32_t min_priority() const { return priorities.begin()->first; }
  std::uint16_t plen() const { return std::uint16_t(tk.splen + tk.dplen); }
};

AddrWords mask_words(int family, int plen) {
  IpAddr m;
  int bits = family == 0 ? 0 : plen;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8)
    m.b[std::size_t(i)] = bits >= 8 ? 0xff : std::uint8_t(0xff << (8 - bits));
  return words_of(m);
}

AddrWords apply(const AddrWords& a, const AddrWords& m) { return {a.hi & m.hi, a.lo & m.lo}; }

bool l4_matches(const EntrySummary& e, const FlowKey& k) {
  if (e.ulproto != 255 && e.ulproto != k.ulproto) return false;
  if (e.sport && e.sport != k.sport) return false;
  if (e.dport && e.dport != k.dport) return false;
  if ((e.icmp_given & kIcmpType) && (!k.icmp_type || *k.icmp_type != e.icmp_type)) return false;
  if ((e.icmp_given & kIcmpCode) && (!k.icmp_code || *k.icmp_code != e.icmp_code)) return false;
  return true;
}

Rank rank_of(const Policy& p) {
  const Selector& s = p.sel;
  Rank r;
  r.priority = p.priority;
  r.plen = std::uint16_t(s.src.prefix_len + s.dst.prefix_len);
  r.ports = std::uint8_t((s.sport != 0) + (s.dport != 0));
  r.proto = std::uint8_t((s.ulproto != 255) + s.icmp_type.has_value() + s.icmp_code.has_value());
  return r;
}

TableKey table_key_of(const Selector& s, Direction dir) {
  return TableKey{dir, selector_family(s), s.src.prefix_len, s.dst.prefix_len};
}

PairWords pair_key_of(const Selector& s) { return PairWords{words_of(s.src.addr), words_of(s.dst.addr)}; }

std::size_t dir_index(Direction d) { return std::size_t(d) - 1; }

}  // namespace

struct Spd::Impl {
  mutable std::shared_mutex mu;
  std::atomic<std::uint64_t> generation{0};
  void changed() { generation.fetch_add(1, std::memory_order_release); }
  std::unordered_map<std::uint32_t, std::unique_ptr<Entry>> by_id;
  std::unordered_map<TableKey, std::unique_ptr<Table>, TableKeyHash> tables;
  // Per direction and family (IPv4, IPv6), the tables a lookup probes, best
  // bound first; a table of family-less selectors is in both families' lists.
  std::array<std::array<std::vector<Table*>, 2>, 3> order;
  std::uint32_t next_id = 1;
  std::uint64_t next_seq = 1;
  std::atomic<std::uint64_t> now{0};  // the clock of use stamps (set_now)

  // Stamps the use time only when it changes: a lookup does not dirty the
  // entry's cache line more than once per clock tick.
  void mark_used(const Entry* e) const {
    if (!e) return;
    const std::uint64_t t = now.load(std::memory_order_relaxed);
    if (e->last_used.load(std::memory_order_relaxed) != t) e->last_used.store(t, std::memory_order_relaxed);
  }

  void sort_tables(Direction d) {
    for (auto& v : order[dir_index(d)])
      std::sort(v.begin(), v.end(), [](const Table* a, const Table* b) {
        if (a->min_priority() != b->min_priority()) return a->min_priority() < b->min_priority();
        return a->plen() > b->plen();
      });
  }

  void list_table(Table* t) {
    auto& lists = order[dir_index(t->tk.dir)];
    if (t->tk.family != 6) lists[0].push_back(t);
    if (t->tk.family != 4) lists[1].push_back(t);
  }

  Table* table(const TableKey& tk, bool create) {
    auto it = tables.find(tk);
    if (it != tables.end()) return it->second.get();
    if (!create) return nullptr;
    auto t = std::make_unique<Table>();
    t->tk = tk;
    t->smask = mask_words(tk.family, tk.splen);
    t->dmask = mask_words(tk.family, tk.dplen);
    Table* raw = t.get();
    tables.emplace(tk, std::move(t));
    return raw;
  }

  Entry* find_same(const Selector& sel, Direction dir) {
    Table* t = table(table_key_of(sel, dir), false);
    if (!t) return nullptr;
    for (Entry* e = t->buckets.find(pair_key_of(sel)); e; e = e->next)
      if (e->policy->sel == sel) return e;
    return nullptr;
  }

  static void link(Table* t, Entry* e) {
    Entry* head = t->buckets.find(e->key);
    if (!head || better(*e, *head)) {
      e->next = head;
      t->buckets.set(e);
      return;
    }
    Entry* at = head;
    while (at->next && !better(*e, *at->next)) at = at->next;
    e->next = at->next;
    at->next = e;
  }

  static void unlink_from_bucket(Table* t, Entry* e) {
    Entry* head = t->buckets.find(e->key);
    if (head == e) {
      if (e->next)
        t->buckets.set(e->next);
      else
        t->buckets.erase(e->key);
      return;
    }
    for (Entry* at = head; at; at = at->next)
      if (at->next == e) {
        at->next = e->next;
        return;
      }
  }

  std::uint32_t insert(Policy p) {
    // Ids are 32 bits (PF_KEY's sadb_x_policy_id): after a wrap, skip those in use.
    while (next_id == 0 || by_id.count(next_id)) ++next_id;
    p.id = next_id++;
    auto e = std::make_unique<Entry>();
    e->sum.rank = rank_of(p);
    e->seq = next_seq++;
    e->sum.sport = p.sel.sport;
    e->sum.dport = p.sel.dport;
    e->sum.ulproto = p.sel.ulproto;
    if (p.sel.icmp_type) {
      e->sum.icmp_type = *p.sel.icmp_type;
      e->sum.icmp_given |= kIcmpType;
    }
    if (p.sel.icmp_code) {
      e->sum.icmp_code = *p.sel.icmp_code;
      e->sum.icmp_given |= kIcmpCode;
    }
    e->key = pair_key_of(p.sel);
    bool new_table = !table(table_key_of(p.sel, p.dir), false);
    Table* t = table(table_key_of(p.sel, p.dir), true);
    e->table = t;
    const std::int32_t priority = p.priority;
    const Direction dir = p.dir;
    const std::uint32_t id = p.id;
    // Complete before link(): the bucket's slot copies the summary.
    e->created = wall_seconds();
    now.store(e->created, std::memory_order_relaxed);
    e->sum.track_use = p.lifetime.use_seconds != 0;
    e->policy = std::make_shared<const Policy>(std::move(p));
    e->sum.raw = e->policy.get();
    std::int32_t old_min = t->count ? t->min_priority() : 0;
    link(t, e.get());
    ++t->priorities[priority];
    ++t->count;
    if (new_table) list_table(t);
    if (new_table || t->min_priority() != old_min) sort_tables(dir);
    by_id.emplace(id, std::move(e));
    return id;
  }

  void unlink(Entry* e) {
    Table* t = e->table;
    Direction dir = e->policy->dir;
    unlink_from_bucket(t, e);
    std::int32_t old_min = t->min_priority();
    auto pr = t->priorities.find(e->policy->priority);
    if (--pr->second == 0) t->priorities.erase(pr);
    if (--t->count == 0) {
      for (auto& v : order[dir_index(dir)]) std::erase(v, t);
      TableKey tk = t->tk;
      tables.erase(tk);
    } else if (t->min_priority() != old_min) {
      sort_tables(dir);
    }
    by_id.erase(e->policy->id);
  }

  // The best entry of a bucket for k that is preferred to best (or any if best
  // is null), walking the chain from e; null if there is none.
  static const Entry* walk(const Entry* e, const Entry* best, const FlowKey& k) {
    for (; e; e = e->next) {
      if (best && !better(*e, *best)) return nullptr;
      if (l4_matches(e->sum, k)) return e;
    }
    return nullptr;
  }

  struct Match {
    const Entry* entry = nullptr;
    const Policy* policy = nullptr;
    bool track_use = false;
  };

  Match best_match(Direction dir, const FlowKey& k) const {
    if (dir_index(dir) >= order.size()) return {};
    const AddrWords s = words_of(k.src), d = words_of(k.dst);
    if (k.src.family != 4 && k.src.family != 6) return {};
    const auto& probe = order[dir_index(dir)][k.src.family == 6 ? 1 : 0];
    // The probes of different tables are independent: the first few are
    // prefetched together so that their cache misses overlap.
    constexpr std::size_t kAhead = 8;
    std::array<PairWords, kAhead> keys;
    std::array<std::uint64_t, kAhead> hashes;
    const std::size_t ahead = std::min(probe.size(), kAhead);
    for (std::size_t i = 0; i < ahead; ++i) {
      keys[i] = PairWords{apply(s, probe[i]->smask), apply(d, probe[i]->dmask)};
      hashes[i] = policy_detail::hash_pair(keys[i]);
      probe[i]->buckets.prefetch(hashes[i]);
    }
    const Entry* best = nullptr;
    Rank best_rank;
    const Policy* best_policy = nullptr;
    bool best_track = false;
    for (std::size_t i = 0; i < probe.size(); ++i) {
      const Table* t = probe[i];
      if (best && (best_rank.priority < t->min_priority() ||
                   (best_rank.priority == t->min_priority() && best_rank.plen > t->plen())))
        break;  // no table from here on can hold a better policy
      PairWords key;
      std::uint64_t h;
      if (i < ahead) {
        key = keys[i];
        h = hashes[i];
      } else {
        key = PairWords{apply(s, t->smask), apply(d, t->dmask)};
        h = policy_detail::hash_pair(key);
      }
      const auto* slot = t->buckets.find_slot(key, h);
      if (!slot) continue;
      // The head's summary decides without reading the entry, unless only the
      // order of addition can tell or the head's filter does not match.
      const int c = best ? compare(slot->sum.rank, best_rank) : -1;
      if (c > 0) continue;  // the head, hence the whole bucket, is worse
      const Entry* found = c < 0 && l4_matches(slot->sum, k) ? slot->value : walk(slot->value, best, k);
      if (found) {
        best = found;
        best_rank = found == slot->value ? slot->sum.rank : found->sum.rank;
        best_policy = found == slot->value ? slot->sum.raw : found->sum.raw;
        best_track = found == slot->value ? slot->sum.track_use : found->sum.track_use;
      }
    }
    return {best, best_policy, best_track};
  }
};

Spd::Spd() : impl_(std::make_unique<Impl>()) {}
Spd::~Spd() = default;

std::uint32_t Spd::add(Policy p) {
  validate_policy(p);
  std::unique_lock lock(impl_->mu);
  if (impl_->find_same(p.sel, p.dir))
    throw Error("a policy with this selector and direction already exists");
  const std::uint32_t id = impl_->insert(std::move(p));
  impl_->changed();
  return id;
}

std::uint32_t Spd::update(Policy p) {
  validate_policy(p);
  std::unique_lock lock(impl_->mu);
  if (Entry* old = impl_->find_same(p.sel, p.dir)) impl_->unlink(old);
  const std::uint32_t id = impl_->insert(std::move(p));
  impl_->changed();
  return id;
}

bool Spd::remove(const Selector& sel, Direction dir) {
  Selector s = sel;
  if (!normalize_selector(s, nullptr)) return false;
  std::unique_lock lock(impl_->mu);
  Entry* e = impl_->find_same(s, dir);
  if (!e) return false;
  impl_->unlink(e);
  impl_->changed();
  return true;
}

bool Spd::remove(std::uint32_t id) {
  std::unique_lock lock(impl_->mu);
  auto it = impl_->by_id.find(id);
  if (it == impl_->by_id.end()) return false;
  impl_->unlink(it->second.get());
  impl_->changed();
  return true;
}

std::size_t Spd::flush() {
  std::unique_lock lock(impl_->mu);
  std::size_t n = impl_->by_id.size();
  impl_->by_id.clear();
  impl_->tables.clear();
  for (auto& per_dir : impl_->order)
    for (auto& v : per_dir) v.clear();
  if (n != 0) impl_->changed();
  return n;
}

std::uint64_t Spd::generation() const { return impl_->generation.load(std::memory_order_acquire); }

std::size_t Spd::size() const {
  std::shared_lock lock(impl_->mu);
  return impl_->by_id.size();
}

std::optional<Policy> Spd::get(std::uint32_t id) const {
  std::shared_lock lock(impl_->mu);
  auto it = impl_->by_id.find(id);
  if (it == impl_->by_id.end()) return std::nullopt;
  return *it->second->policy;
}

std::optional<Policy> Spd::get(const Selector& sel, Direction dir) const {
  Selector s = sel;
  if (!normalize_selector(s, nullptr)) return std::nullopt;
  std::shared_lock lock(impl_->mu);
  const Entry* e = impl_->find_same(s, dir);
  if (!e) return std::nullopt;
  return *e->policy;
}

const Policy* Spd::lookup(Direction dir, const FlowKey& k) const {
  // No lock: the caller guarantees that the SPD is not modified while it uses
  // the result (spd.hpp), which also covers the lookup itself.
  const Impl::Match m = impl_->best_match(dir, k);
  if (m.track_use) impl_->mark_used(m.entry);
  return m.policy;
}

std::shared_ptr<const Policy> Spd::find(Direction dir, const FlowKey& k) const {
  std::shared_lock lock(impl_->mu);
  const Impl::Match m = impl_->best_match(dir, k);
  if (m.track_use) impl_->mark_used(m.entry);
  return m.entry ? m.entry->policy : nullptr;
}

void Spd::set_now(std::uint64_t unix_seconds) { impl_->now.store(unix_seconds, std::memory_order_relaxed); }

std::optional<PolicyTimes> Spd::times(std::uint32_t id) const {
  std::shared_lock lock(impl_->mu);
  auto it = impl_->by_id.find(id);
  if (it == impl_->by_id.end()) return std::nullopt;
  return PolicyTimes{it->second->created, it->second->last_used.load(std::memory_order_relaxed)};
}

std::vector<Policy> Spd::expired(std::uint64_t now) const {
  std::vector<Policy> out;
  std::shared_lock lock(impl_->mu);
  for (const auto& [id, e] : impl_->by_id)
    if (e->policy->lifetime != Lifetime{} && lifetime_passed(*e, now)) out.push_back(*e->policy);
  return out;
}

void Spd::for_each(const std::function<void(const Policy&)>& fn) const {
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const Policy>>> all;
  {
    std::shared_lock lock(impl_->mu);
    all.reserve(impl_->by_id.size());
    for (const auto& [id, e] : impl_->by_id) all.emplace_back(e->seq, e->policy);
  }
  // In the order added; visited without the lock, so fn may edit the SPD.
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [seq, p] : all) fn(*p);
}

}  // namespace aipsec
