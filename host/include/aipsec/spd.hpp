// The security policy database. Lookups do not scan the policy list: they go
// through an index on the selectors, so their cost grows sublinearly with the
// number of policies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "aipsec/policy.hpp"

namespace aipsec {

// When a policy was added and last used, unix seconds (0: never used).
struct PolicyTimes {
  std::uint64_t created = 0;
  std::uint64_t last_used = 0;
};

class Spd {
 public:
  Spd();
  ~Spd();
  Spd(const Spd&) = delete;
  Spd& operator=(const Spd&) = delete;

  // spdadd: throws Error if a policy with the same selector and direction exists.
  std::uint32_t add(Policy p);
  // spdupdate: add or replace the policy with the same selector and direction.
  std::uint32_t update(Policy p);
  // spddelete by selector and direction / by id (SADB_X_SPDDELETE2).
  bool remove(const Selector& sel, Direction dir);
  bool remove(std::uint32_t id);
  std::size_t flush();
  std::size_t size() const;
  // Counts changes: every add, update, remove and flush that changed the SPD
  // adds one. A cache of the SPD's answers (the card's flow tables) compares
  // it with the value its entries were made under.
  std::uint64_t generation() const;
  std::optional<Policy> get(std::uint32_t id) const;
  std::optional<Policy> get(const Selector& sel, Direction dir) const;

  // The best policy for a flow in a direction: highest priority (lowest value),
  // then the most specific selector (longest prefixes, then ports, then protocol),
  // then the earliest added. nullptr if none matches.
  //
  // Tie-break in detail, each step only when the previous ones are equal:
  //  1. priority: the lower value wins;
  //  2. prefixes: the larger sum src prefix_len + dst prefix_len wins;
  //  3. ports: the selector giving more of sport, dport wins;
  //  4. protocol: the selector giving more of ulproto, icmp type, icmp code wins;
  //  5. the policy added first (spdupdate counts as a new addition) wins.
  // Ports match only sport/dport of the flow; ICMP type and code match only
  // icmp_type/icmp_code (a flow without them does not match a selector giving them).
  //
  // lookup() takes no lock: it must not run concurrently with a modification,
  // and the pointer stays valid until the SPD is next modified (single-threaded
  // use, or a reader that the control plane quiesces). A data plane that runs
  // while the control plane edits the SPD uses find(), which takes the SPD's
  // reader lock and returns shared ownership of the policy.
  const Policy* lookup(Direction dir, const FlowKey& k) const;
  std::shared_ptr<const Policy> find(Direction dir, const FlowKey& k) const;

  void for_each(const std::function<void(const Policy&)>& fn) const;

  // Policy lifetimes (KAME's SP lifetime and validtime, from the hard lifetime
  // of SADB_X_SPDADD: add_seconds and use_seconds). add() and update() stamp
  // the creation time from the system clock; lookup() and find() stamp the use
  // time of a policy that has a use lifetime with the SPD's clock, which
  // set_now() advances (the daemon's timer; add() also sets it).
  void set_now(std::uint64_t unix_seconds);
  std::optional<PolicyTimes> times(std::uint32_t id) const;
  // Policies whose lifetime has passed at now: more than add_seconds since
  // they were added, or more than use_seconds since they were last used (or
  // added, if never used). They stay in the SPD; the caller removes them.
  std::vector<Policy> expired(std::uint64_t now) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aipsec
