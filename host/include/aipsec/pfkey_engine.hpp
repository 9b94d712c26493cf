// The PF_KEY v2 engine: takes one message from a client and answers as RFC 2367
// section 3 says (to the sender, to every registered socket of a type, or to
// every socket), operating on the SAD and the SPD. Transport-free: the caller
// owns the sockets and hands the engine the bytes a client wrote; the engine
// calls Deliver for every message a client must receive.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "aipsec/dataplane.hpp"
#include "aipsec/pfkey.hpp"
#include "aipsec/sad.hpp"
#include "aipsec/spd.hpp"

namespace aipsec::pfkey {

using ClientId = std::uint32_t;

class Engine {
 public:
  // msg is valid only during the call (it is wiped afterwards: it may hold keys).
  // Deliver must not call back into the engine. The engine is not thread-safe:
  // one thread (the daemon's) calls it.
  using Deliver = std::function<void(ClientId to, ByteView msg)>;

  // Larval SAs (GETSPI without UPDATE yet) are capped: beyond this GETSPI
  // answers ENOBUFS.
  static constexpr std::size_t kMaxLarval = 65536;

  Engine(Sad& sad, Spd& spd, Deliver deliver);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void open(ClientId c);
  void close(ClientId c);  // forgets its registrations

  // One message a client wrote. Returns the errno of the answer (0 = success);
  // on failure the sender alone receives the header with sadb_msg_errno set, and
  // the databases are unchanged.
  int handle(ClientId from, ByteView msg);
  // Why the last handle() failed, for the daemon's log (empty after a success).
  const std::string& last_error() const;

  // The data plane needs an SA: SADB_ACQUIRE to the sockets registered for the
  // protocol. Returns how many sockets it reached (0: nobody to ask).
  std::size_t acquire(const AcquireRequest& req);
  // Soft or hard lifetime reached: SADB_EXPIRE to the registered sockets. A hard
  // expiry also removes the SA. Returns how many sockets it reached; 0 if the SA
  // does not exist (nothing is sent then).
  std::size_t expire(const SaKey& key, bool hard);

  // A packet matched an ipsec policy without requests: SADB_X_SPDACQUIRE to
  // the registered sockets with the policy's selector (src, dst) and X_POLICY
  // (its id and direction), so a key daemon completes it with X_SPDUPDATE
  // (KAME key_spdacquire). Returns how many sockets it reached; 0 if the policy
  // is gone or complete.
  std::size_t spd_acquire(std::uint32_t policy_id);

  // Policies whose lifetime has passed at unix time now (Spd::expired) are
  // removed, each announced with SADB_X_SPDEXPIRE to the registered sockets
  // (KAME's key_spdexpire: current lifetime = creation and last-use times, hard
  // lifetime = the policy's). Returns how many policies expired.
  std::size_t expire_policies(std::uint64_t now);

  // Larval SAs older than max_age (KAME's net.key.larval_lifetime, 30 s) are
  // dropped: a key daemon that never sends the UPDATE does not keep its SPIs.
  // The daemon calls this periodically. Returns how many were dropped.
  std::size_t expire_larval(std::chrono::steady_clock::time_point now,
                            std::chrono::seconds max_age = std::chrono::seconds(30));
  std::size_t larval_count() const;
  bool is_registered(ClientId c, std::uint8_t satype) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace aipsec::pfkey
