// An open-addressing hash table (linear probing, power-of-two size, backward
// shift deletion) from a 32-byte address pair to a pointer and a summary of
// what it points to. One SPD tuple table is one of these: a probe reads one
// slot, one cache line, with no division and usually no node to chase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "policy/addr_hash.hpp"

namespace aipsec::policy_detail {

struct PairWords {
  AddrWords src, dst;
  bool operator==(const PairWords&) const = default;
};

// Four independent multiplies (they run in parallel), then one finaliser.
inline std::uint64_t hash_pair(const PairWords& k) {
  std::uint64_t h = k.src.hi * 0x9e3779b97f4a7c15ULL ^ k.src.lo * 0xc2b2ae3d27d4eb4fULL ^
                    k.dst.hi * 0x165667b19e3779f9ULL ^ k.dst.lo * 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  h *= 0x9e3779b97f4a7c15ULL;
  return h ^ (h >> 29);
}

// T is the bucket head type: its member `key` is the PairWords it is stored
// under, and `sum` (of type T::Summary, trivially copyable) is what a lookup
// needs of it. A slot holds the key, the pointer and a copy of the summary in
// one 64-byte cache line: a probe reads that line only, and the head entry is
// dereferenced only when the summary cannot decide (a tie, or a bucket whose
// head does not match the packet). The copy is refreshed by set(), which the
// owner calls whenever a bucket's head changes; a summary never changes
// otherwise.
template <typename T>
class FlatPairTable {
 public:
  struct alignas(64) Slot {
    PairWords key{};
    T* value = nullptr;
    typename T::Summary sum{};
  };

  FlatPairTable() : slots_(kInitialSize) {}

  T* find(const PairWords& k) const {
    const Slot* s = find_slot(k, hash_pair(k));
    return s ? s->value : nullptr;
  }
  // The slot of k, with the hash already computed (by a caller that prefetched).
  const Slot* find_slot(const PairWords& k, std::uint64_t h) const {
    for (std::size_t i = h & mask(); slots_[i].value; i = (i + 1) & mask())
      if (slots_[i].key == k) return &slots_[i];
    return nullptr;
  }
  // Starts loading the slot where a key of hash h is looked for first.
  void prefetch(std::uint64_t h) const { __builtin_prefetch(&slots_[h & mask()]); }

  // Sets the value stored under value->key (inserting it); value must not be null.
  void set(T* value) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    place(value);
  }

  void erase(const PairWords& k) {
    std::size_t i = hash_pair(k) & mask();
    for (; slots_[i].value; i = (i + 1) & mask())
      if (slots_[i].key == k) break;
    if (!slots_[i].value) return;
    // Backward shift: move later entries of the cluster into the hole when
    // their home slot does not lie (cyclically) between the hole and them.
    for (std::size_t j = i;;) {
      slots_[i].value = nullptr;
      j = (j + 1) & mask();
      if (!slots_[j].value) break;
      std::size_t home = hash_pair(slots_[j].key) & mask();
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    --used_;
  }

  std::size_t size() const { return used_; }

 private:
  static constexpr std::size_t kInitialSize = 8;
  std::size_t mask() const { return slots_.size() - 1; }

  void place(T* value) {
    std::size_t i = hash_pair(value->key) & mask();
    for (; slots_[i].value && !(slots_[i].key == value->key); i = (i + 1) & mask()) {
    }
    if (!slots_[i].value) ++used_;
    slots_[i] = Slot{value->key, value, value->sum};
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    used_ = 0;
    for (const Slot& s : old)
      if (s.value) place(s.value);
  }

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

}  // namespace aipsec::policy_detail
