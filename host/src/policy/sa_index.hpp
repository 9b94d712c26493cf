// An open-addressing index of SAs (linear probing, power-of-two size, at most
// half full, backward-shift deletion) under a 64-bit hash of a key that the
// SA's configuration gives. A slot holds one SA; the SAs that share its key
// (several SAs between one pair of hosts) go in the slot's `more` list, so
// that equal keys never form a probe cluster. A slot holds the
// hash, the SA and its insertion number, so a probe compares hashes inside
// the slot array and touches an SA only when the hashes are equal: an insert
// or a lookup reads about one cache line, where a node-based map chases a
// chain of nodes scattered over the heap (one miss each with a large SAD).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "aipsec/sa.hpp"

namespace aipsec::policy_detail {

class SaIndex {
 public:
  struct Entry {
    SaRef sa;
    std::uint64_t seq = 0;  // insertion order
  };
  struct Slot {
    std::uint64_t hash = 0;
    SaRef sa;                // null: the slot is free
    std::uint64_t seq = 0;   // insertion order
    std::unique_ptr<std::vector<Entry>> more;  // other SAs under the same key
  };

  SaIndex() : slots_(kInitialSize) {}

  // The first slot under hash h for which match(slot) is true, or nullptr.
  template <class Match>
  Slot* find(std::uint64_t h, Match&& match) {
    for (std::size_t i = h & mask(); slots_[i].sa; i = (i + 1) & mask())
      if (slots_[i].hash == h && match(static_cast<const Slot&>(slots_[i]))) return &slots_[i];
    return nullptr;
  }
  template <class Match>
  const Slot* find(std::uint64_t h, Match&& match) const {
    return const_cast<SaIndex*>(this)->find(h, std::forward<Match>(match));
  }
  // Starts loading the slot where an entry of hash h is looked for first.
  void prefetch(std::uint64_t h) const { __builtin_prefetch(&slots_[h & mask()], 1); }

  void insert(std::uint64_t h, SaRef sa, std::uint64_t seq) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    place(Slot{h, std::move(sa), seq, nullptr});
    ++used_;
  }

  // Adds sa under the key of `same` (a slot find() returned): to its list.
  static void add_to(Slot* same, SaRef sa, std::uint64_t seq) {
    if (!same->more) same->more = std::make_unique<std::vector<Entry>>();
    same->more->push_back({std::move(sa), seq});
  }

  // Removes sa from the slot s that holds it (as its SA or in its list).
  void remove_from(Slot* s, const SaRef& sa) {
    if (s->sa != sa) {
      if (!s->more) return;
      auto& v = *s->more;
      for (auto& e : v)
        if (e.sa == sa) {
          e = std::move(v.back());
          v.pop_back();
          return;
        }
      return;
    }
    if (s->more && !s->more->empty()) {
      s->sa = std::move(s->more->back().sa);
      s->seq = s->more->back().seq;
      s->more->pop_back();
      return;
    }
    erase(s);
  }

  // Calls fn(sa, seq) for the slot's SA and every SA in its list.
  template <class Fn>
  static void for_all(const Slot& s, Fn&& fn) {
    fn(s.sa, s.seq);
    if (s.more)
      for (const auto& e : *s.more) fn(e.sa, e.seq);
  }

  // Removes a slot that find() returned.
  void erase(Slot* s) {
    std::size_t i = std::size_t(s - slots_.data());
    slots_[i] = Slot{};
    // Backward shift: a later entry of the cluster moves into the hole unless
    // its home slot lies (cyclically) after the hole and up to where it is.
    for (std::size_t j = i;;) {
      j = (j + 1) & mask();
      if (!slots_[j].sa) break;
      const std::size_t home = slots_[j].hash & mask();
      const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = std::move(slots_[j]);
      slots_[j] = Slot{};
      i = j;
    }
    --used_;
  }

  // Removes every slot for which pred(slot) is true; returns how many.
  template <class Pred>
  std::size_t erase_if(Pred&& pred) {
    std::vector<Slot> old(slots_.size());
    old.swap(slots_);
    const std::size_t before = used_;
    used_ = 0;
    for (Slot& s : old)
      if (s.sa && !pred(static_cast<const Slot&>(s))) {
        place(std::move(s));
        ++used_;
      }
    return before - used_;
  }

  void clear() {
    std::vector<Slot>(kInitialSize).swap(slots_);
    used_ = 0;
  }

  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_)
      if (s.sa) fn(s);
  }

  std::size_t size() const { return used_; }

 private:
  static constexpr std::size_t kInitialSize = 16;
  std::size_t mask() const { return slots_.size() - 1; }

  void place(Slot&& s) {
    std::size_t i = s.hash & mask();
    while (slots_[i].sa) i = (i + 1) & mask();
    slots_[i] = std::move(s);
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (Slot& s : old)
      if (s.sa) place(std::move(s));
  }

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

}  // namespace aipsec::policy_detail
