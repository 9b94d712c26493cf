// TUN and raw/UDP sockets.
#include "daemon/packet_io.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace aipsec::daemon {
namespace {

constexpr std::size_t kMaxDatagram = 65535;
constexpr int kSocketBuffer = 4 << 20;

[[noreturn]] void fail(const std::string& what) { throw Error(what + ": " + std::strerror(errno)); }

struct SockAddrAny {
  sockaddr_storage ss{};
  socklen_t len = 0;
};

SockAddrAny to_sockaddr(const IpAddr& a, std::uint16_t port) {
  SockAddrAny s;
  if (a.family == 4) {
    auto* in = reinterpret_cast<sockaddr_in*>(&s.ss);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, a.b.data(), 4);
    s.len = sizeof *in;
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&s.ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, a.b.data(), 16);
    s.len = sizeof *in6;
  }
  return s;
}

IpAddr from_sockaddr(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET)
    return IpAddr::from_bytes(4, reinterpret_cast<const std::uint8_t*>(
                                     &reinterpret_cast<const sockaddr_in&>(ss).sin_addr));
  return IpAddr::from_bytes(6, reinterpret_cast<const std::uint8_t*>(
                                   &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr));
}

UniqueFd open_socket(int family, int type, int proto, const IpAddr* bind_to, std::uint16_t port) {
  UniqueFd fd(::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
  if (!fd) fail("socket(" + std::to_string(family) + ", " + std::to_string(proto) + ")");
  int size = kSocketBuffer;
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  if (bind_to) {
    SockAddrAny s = to_sockaddr(*bind_to, port);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&s.ss), s.len) != 0)
      fail("bind " + bind_to->to_string() + (port ? ":" + std::to_string(port) : ""));
  }
  return fd;
}

void enable(int fd, int level, int opt) {
  int one = 1;
  if (setsockopt(fd, level, opt, &one, sizeof one) != 0) fail("setsockopt");
}

}  // namespace

UniqueFd open_tun(const std::string& name) {
  if (name.size() >= IFNAMSIZ) throw Error("TUN name too long: " + name);
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) fail("open /dev/net/tun");
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  if (ioctl(fd.get(), TUNSETIFF, &ifr) != 0) fail("TUNSETIFF " + name);
  return fd;
}

bool read_into(int fd, Packet& p) {
  p.assign(ByteView{});
  std::uint8_t* d = p.push_back(kMaxDatagram);
  if (!d) return false;
  ssize_t n = ::read(fd, d, kMaxDatagram);
  if (n <= 0) {
    p.trim_back(kMaxDatagram);
    return false;
  }
  p.trim_back(kMaxDatagram - std::size_t(n));
  return true;
}

OuterSockets::OuterSockets(const IpAddr& local, std::uint16_t natt_port)
    : local_(local), natt_port_(natt_port) {
  const int fam = local.family == 4 ? AF_INET : AF_INET6;
  esp_ = open_socket(fam, SOCK_RAW, IPPROTO_ESP, &local, 0);
  ah_ = open_socket(fam, SOCK_RAW, IPPROTO_AH, &local, 0);
  udp_ = open_socket(fam, SOCK_DGRAM, IPPROTO_UDP, &local, natt_port);
  tx_ = open_socket(fam, SOCK_RAW, IPPROTO_RAW, nullptr, 0);
  if (fam == AF_INET) {
    enable(tx_.get(), IPPROTO_IP, IP_HDRINCL);
  } else {
    for (int fd : {esp_.get(), ah_.get(), udp_.get()}) {
      enable(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO);
      enable(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT);
      enable(fd, IPPROTO_IPV6, IPV6_RECVTCLASS);
    }
  }
  read_fds_ = {esp_.get(), ah_.get(), udp_.get()};
}

bool OuterSockets::receive(int fd, Packet& p) {
  if (fd == udp_.get()) return receive_udp(p);
  if (local_.family == 6)
    return receive_raw6(fd, fd == esp_.get() ? ipproto::kEsp : ipproto::kAh, p);
  return read_into(fd, p);  // IPv4 raw sockets deliver the IP header as received
}

bool OuterSockets::receive_raw6(int fd, std::uint8_t proto, Packet& p) {
  p.assign(ByteView{});
  std::uint8_t* d = p.push_back(kMaxDatagram);
  if (!d) return false;
  sockaddr_storage from{};
  char ctrl[256];
  iovec iov{d + kIpv6HeaderLen, kMaxDatagram - kIpv6HeaderLen};
  msghdr mh{};
  mh.msg_name = &from;
  mh.msg_namelen = sizeof from;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = ctrl;
  mh.msg_controllen = sizeof ctrl;
  ssize_t n = ::recvmsg(fd, &mh, 0);
  if (n < 0) {
    p.trim_back(kMaxDatagram);
    return false;
  }
  Ipv6HeaderFields h;
  h.src = from_sockaddr(from);
  h.dst = local_;
  h.next_header = proto;
  h.payload_len = std::uint16_t(n);
  for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    int v = 0;
    if (c->cmsg_type == IPV6_PKTINFO) {
      h.dst = IpAddr::from_bytes(6, reinterpret_cast<const std::uint8_t*>(
                                        &reinterpret_cast<const in6_pktinfo*>(CMSG_DATA(c))->ipi6_addr));
    } else if (c->cmsg_type == IPV6_HOPLIMIT) {
      std::memcpy(&v, CMSG_DATA(c), sizeof v);
      h.hop_limit = std::uint8_t(v);
    } else if (c->cmsg_type == IPV6_TCLASS) {
      std::memcpy(&v, CMSG_DATA(c), sizeof v);
      h.traffic_class = std::uint8_t(v);
    }
  }
  build_ipv6_header(d, h);
  p.trim_back(kMaxDatagram - kIpv6HeaderLen - std::size_t(n));
  return true;
}

bool OuterSockets::receive_udp(Packet& p) {
  const std::size_t hdr = (local_.family == 4 ? kIpv4HeaderLen : kIpv6HeaderLen) + 8;
  p.assign(ByteView{});
  std::uint8_t* d = p.push_back(kMaxDatagram);
  if (!d) return false;
  sockaddr_storage from{};
  socklen_t flen = sizeof from;
  ssize_t n = ::recvfrom(udp_.get(), d + hdr, kMaxDatagram - hdr, 0,
                         reinterpret_cast<sockaddr*>(&from), &flen);
  if (n < 0) {
    p.trim_back(kMaxDatagram);
    return false;
  }
  const IpAddr src = from_sockaddr(from);
  const std::uint16_t sport = ntohs(reinterpret_cast<const sockaddr_in&>(from).sin_port);
  const std::size_t udp_len = 8 + std::size_t(n);
  std::uint8_t* udp = d + hdr - 8;
  store_be16(udp, sport);
  store_be16(udp + 2, natt_port_);
  store_be16(udp + 4, std::uint16_t(udp_len));
  store_be16(udp + 6, 0);  // the kernel verified the checksum
  if (local_.family == 4) {
    Ipv4HeaderFields h;
    h.src = src;
    h.dst = local_;
    h.proto = ipproto::kUdp;
    h.total_len = std::uint16_t(kIpv4HeaderLen + udp_len);
    build_ipv4_header(d, h);
  } else {
    Ipv6HeaderFields h;
    h.src = src;
    h.dst = local_;
    h.next_header = ipproto::kUdp;
    h.payload_len = std::uint16_t(udp_len);
    build_ipv6_header(d, h);
  }
  p.trim_back(kMaxDatagram - hdr - std::size_t(n));
  return true;
}

bool OuterSockets::send(const Packet& p) {
  ParseResult parsed = parse_ip(p.bytes(), false);
  if (!parsed.info) {
    errno = EINVAL;
    return false;
  }
  const IpInfo& info = *parsed.info;
  if (info.version != local_.family) {
    errno = EAFNOSUPPORT;
    return false;
  }
  if (info.ulproto == ipproto::kUdp && info.sport == natt_port_ && info.src == local_ &&
      info.dport && p.size() >= info.l4_off + 8) {
    SockAddrAny to = to_sockaddr(info.dst, *info.dport);
    const std::uint8_t* payload = p.data() + info.l4_off + 8;
    std::size_t len = p.size() - info.l4_off - 8;
    return ::sendto(udp_.get(), payload, len, 0, reinterpret_cast<sockaddr*>(&to.ss), to.len) >= 0;
  }
  SockAddrAny to = to_sockaddr(info.dst, 0);
  return ::sendto(tx_.get(), p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&to.ss), to.len) >= 0;
}

}  // namespace aipsec::daemon
