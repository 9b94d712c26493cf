// The security policy database. Lookups do not scan the policy list: they go
// through an index on the selectors, so their cost grows sublinearly with the
// number of policies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "aipsec/policy.hpp"

namespace aipsec {

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
  std::optional<Policy> get(std::uint32_t id) const;
  std::optional<Policy> get(const Selector& sel, Direction dir) const;

  // The best policy for a flow in a direction: highest priority (lowest value),
  // then the most specific selector (longest prefixes, then ports, then protocol),
  // then the earliest added. nullptr if none matches.
  const Policy* lookup(Direction dir, const FlowKey& k) const;

  void for_each(const std::function<void(const Policy&)>& fn) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aipsec
