// The control socket: a Unix stream socket speaking one command per line; each
// reply is zero or more lines followed by "ok" or "error: WHY". Runs on the
// control thread; replies are written with a bounded blocking send.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <poll.h>

#include "aipsec/daemon.hpp"
#include "daemon/unix_socket.hpp"

namespace aipsec::daemon {

class ControlServer {
 public:
  static constexpr std::size_t kMaxClients = 32;
  static constexpr std::size_t kMaxLine = 4096;
  using Handler = std::function<std::string(std::string_view line)>;  // the reply, "ok"/"error" included

  ControlServer(UniqueFd listener, DaemonCounters& counters, Handler handler);

  void fill(std::vector<pollfd>& fds) const;
  void dispatch(const pollfd* fds, std::size_t n);

 private:
  struct Conn {
    UniqueFd fd;
    std::string in;
    bool dead = false;
  };
  void accept_all();
  void read_from(Conn& c);

  UniqueFd listener_;
  DaemonCounters& counters_;
  Handler handler_;
  std::map<unsigned, Conn> conns_;
  unsigned next_id_ = 1;
};

}  // namespace aipsec::daemon
