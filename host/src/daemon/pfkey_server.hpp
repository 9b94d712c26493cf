// PF_KEY v2 over a Unix SOCK_SEQPACKET socket: one message per datagram, each
// connection one pfkey::Engine client. Runs on the control thread.
//
// Delivery: a message for the client whose request is being handled (replies,
// and every message of its DUMP / SPDDUMP) is sent with a blocking send, so a
// dump of any size streams at the reader's pace with nothing buffered in the
// daemon; a reader that reads nothing for kSendTimeoutMs is disconnected.
// Messages for other clients (broadcasts, ACQUIRE, EXPIRE) are sent without
// blocking and, when the socket is full, queued up to kQueueMessages /
// kQueueBytes per connection; beyond that they are dropped and counted, as a
// kernel PF_KEY socket drops with ENOBUFS.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <poll.h>

#include "aipsec/daemon.hpp"
#include "aipsec/pfkey_engine.hpp"
#include "daemon/unix_socket.hpp"

namespace aipsec::daemon {

class PfkeyServer {
 public:
  static constexpr std::size_t kMaxClients = PfkeyServerLimits::kMaxClients;
  static constexpr std::size_t kQueueMessages = PfkeyServerLimits::kQueueMessages;
  static constexpr std::size_t kQueueBytes = PfkeyServerLimits::kQueueBytes;
  static constexpr int kSendTimeoutMs = PfkeyServerLimits::kSendTimeoutMs;

  // on_sa_added runs after a successful ADD or UPDATE.
  PfkeyServer(UniqueFd listener, Sad& sad, Spd& spd, DaemonCounters& counters,
              std::function<void()> on_sa_added);
  ~PfkeyServer();

  pfkey::Engine& engine() { return engine_; }
  std::size_t clients() const { return conns_.size(); }

  // The descriptors to poll, and the handling of their events (same order).
  void fill(std::vector<pollfd>& fds) const;
  void dispatch(const pollfd* fds, std::size_t n);

 private:
  struct Conn {
    UniqueFd fd;
    std::deque<SecureBytes> out;  // replies may carry keys: wiped when released
    std::size_t out_bytes = 0;
    bool dead = false;
  };

  void accept_all();
  void read_from(pfkey::ClientId id, Conn& c);
  void flush_queue(Conn& c);
  void flush_replies(Conn& c);
  void deliver(pfkey::ClientId to, ByteView msg);
  void reap();

  UniqueFd listener_;
  DaemonCounters& counters_;
  std::function<void()> on_sa_added_;
  pfkey::Engine engine_;
  std::map<pfkey::ClientId, Conn> conns_;
  pfkey::ClientId next_id_ = 1;
  pfkey::ClientId requester_ = 0;  // whose message is being handled
  // kBatch receive slots, each as large as the largest PF_KEY message: left
  // uninitialised, so only the pages messages land in become resident.
  std::unique_ptr<std::uint8_t[]> rx_;
  std::vector<SecureBytes> replies_;    // to the requester, not sent yet (flush_replies)
};

}  // namespace aipsec::daemon
