// The daemon's packet endpoints: the TUN interface of the protected side and
// the sockets of the unprotected side (raw ESP/AH, UDP for NAT-T).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aipsec/packet.hpp"
#include "daemon/unix_socket.hpp"

namespace aipsec::daemon {

// Creates (or attaches to) TUN interface name with IFF_TUN | IFF_NO_PI,
// non-blocking. The interface is left down: its addresses and routes are the
// operator's. Throws Error.
UniqueFd open_tun(const std::string& name);

// Reads one datagram from a non-blocking fd into p (emptied first); false when
// there is nothing to read or on error.
bool read_into(int fd, Packet& p);

// The unprotected side, bound to the local tunnel address:
//  - raw IPPROTO_ESP and IPPROTO_AH sockets receive IPsec packets (IPv4 raw
//    sockets give the IP header; for IPv6 the header is rebuilt from the
//    addresses, hop limit and traffic class the kernel reports);
//  - a UDP socket on port natt_port receives NAT-T packets, rebuilt as IP/UDP
//    datagrams for the data plane;
//  - an IPPROTO_RAW socket (header included) sends every outgoing datagram,
//    protected or bypassed, except UDP-encapsulated ESP from natt_port, which
//    leaves through the UDP socket so that the kernel owns the port.
class OuterSockets {
 public:
  OuterSockets(const IpAddr& local, std::uint16_t natt_port);
  const std::vector<int>& read_fds() const { return read_fds_; }
  bool receive(int fd, Packet& p);
  // Sends one IP datagram; false (errno set) when the kernel refused it.
  bool send(const Packet& p);

 private:
  bool receive_raw6(int fd, std::uint8_t proto, Packet& p);
  bool receive_udp(Packet& p);
  IpAddr local_;
  std::uint16_t natt_port_;
  UniqueFd esp_, ah_, udp_, tx_;
  std::vector<int> read_fds_;
};

}  // namespace aipsec::daemon
