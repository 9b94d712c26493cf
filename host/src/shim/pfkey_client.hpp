// A PF_KEY v2 client connection to ipsecd: a Unix SOCK_SEQPACKET socket that
// carries one PF_KEY message per datagram (the daemon's socket, or one end of
// a socketpair).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aipsec/pfkey.hpp"

namespace aipsec::setkeytool {

inline constexpr const char* kDefaultSocket = "/run/aipsec/pfkey.sock";

// --socket PATH wins, then $AIPSEC_PFKEY_SOCKET, then kDefaultSocket.
std::string socket_path(const std::string& from_option);

struct Received {
  pfkey::ParseResult parsed;
  std::size_t wire_len = 0;
};

class PfkeyClient {
 public:
  // Connects to the daemon's socket; throws Error naming the path and errno.
  explicit PfkeyClient(const std::string& path);
  // Takes ownership of a connected SOCK_SEQPACKET descriptor.
  explicit PfkeyClient(int fd);
  ~PfkeyClient();
  PfkeyClient(const PfkeyClient&) = delete;
  PfkeyClient& operator=(const PfkeyClient&) = delete;

  int fd() const { return fd_; }

  // Sends one message (serialized; the buffer is wiped after: it may hold
  // keys). Throws Error if the socket refuses it.
  void send(const pfkey::Message& m);
  // Sends bytes as they are (benchmarks, malformed-input tests).
  void send_bytes(ByteView wire);
  // The next message, waiting up to timeout_ms (-1: forever). nullopt on
  // timeout; throws Error when the daemon closed the connection.
  std::optional<Received> receive(int timeout_ms);
  // Raw variant: the datagram's length, 0 on timeout; the bytes stay in buffer().
  std::size_t receive_bytes(int timeout_ms);
  ByteView buffer(std::size_t n) const { return {rx_.data(), n}; }

 private:
  int fd_ = -1;
  std::vector<std::uint8_t> rx_;
};

}  // namespace aipsec::setkeytool
