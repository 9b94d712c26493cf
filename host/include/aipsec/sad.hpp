// The security association database. Lookups by (destination, protocol, SPI)
// are hash lookups: their cost does not grow with the number of SAs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>
#include <shared_mutex>

#include "aipsec/sa.hpp"

namespace aipsec {

struct SaKey {
  IpAddr dst;
  IpsecProto proto = IpsecProto::kEsp;
  std::uint32_t spi = 0;
  bool operator==(const SaKey&) const = default;
};

class Sad {
 public:
  Sad();
  ~Sad();
  Sad(const Sad&) = delete;
  Sad& operator=(const Sad&) = delete;

  // Installs a new SA (state mature). Throws Error if (dst, proto, spi) exists or
  // the configuration is invalid (key sizes, algorithm/protocol mismatch).
  SaRef add(SaConfig cfg);
  // Installs an SA the caller has built (keying can then happen on another
  // thread, outside any SAD lock). The same checks; its state is left as it is.
  SaRef add(SaRef sa);
  // As add(cfg), but an existing (dst, proto, spi) is not an error: nullptr is
  // returned and the SAD is unchanged (one index probe instead of two).
  SaRef try_add(SaConfig cfg);
  // Replaces an existing SA's configuration (PF_KEY UPDATE); throws Error if absent.
  SaRef update(SaConfig cfg);
  SaRef get(const SaKey& k) const;  // nullptr if absent
  // Removes one SA (its state becomes dead; keys are wiped once the last reference goes).
  bool remove(const SaKey& k);
  // deleteall: every SA between src and dst of a protocol. Returns how many.
  std::size_t remove_all(const IpAddr& src, const IpAddr& dst, IpsecProto proto);
  // flush: all SAs, or those of one protocol.
  std::size_t flush(std::optional<IpsecProto> proto = std::nullopt);
  std::size_t size() const;
  // Counts changes of membership: every add, update, remove and flush that
  // changed the SAD adds one. A mirror of the SAD (the card's SA table)
  // compares it with the value it last followed to skip a walk when nothing
  // changed. SA state changes (dying, dead) are not membership changes.
  std::uint64_t generation() const;

  // The SAs a mirror has to look at again: the keys that membership changes
  // after generation `since` touched (added, updated or removed; a flush
  // counts once and touches every SA it removed), oldest first, with the
  // generation they bring the mirror to. The SAD remembers the last
  // kChangeLog keys: nullopt when `since` is older than that (walk the SAD).
  struct Changes {
    std::uint64_t generation = 0;
    std::vector<SaKey> keys;
  };
  static constexpr std::size_t kChangeLog = 4096;
  std::optional<Changes> changed_since(std::uint64_t since) const;

  // Outbound selection for one request of a policy: a mature (else dying) SA from
  // src to dst with the protocol, a compatible mode (equal, or kAny) and, when
  // reqid != 0, that reqid. Prefers the newest SA (KAME's default).
  SaRef find_outbound(const IpAddr& src, const IpAddr& dst, IpsecProto proto, Mode mode,
                      std::uint32_t reqid) const;

  // Visits every SA (optionally of one protocol), in a stable order (insertion).
  void for_each(const std::function<void(const SaRef&)>& fn,
                std::optional<IpsecProto> proto = std::nullopt) const;

  // Visits every SA in no particular order with the SAD read-locked: no copy
  // and no sort, for periodic walks of a large SAD (lifetimes). fn must not
  // call back into this SAD.
  void visit_locked(const std::function<void(const SaRef&)>& fn) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aipsec
