// The ipsecd command line.
#include <algorithm>
#include <charconv>
#include <string_view>

#include "aipsec/daemon.hpp"

namespace aipsec::daemon {
namespace {

template <typename T>
T number(std::string_view opt, std::string_view v, T lo, T hi) {
  T x{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc{} || p != v.data() + v.size() || x < lo || x > hi)
    throw Error(std::string(opt) + ": '" + std::string(v) + "' is not a number in [" +
                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

}  // namespace

std::string usage() {
  return "usage: ipsecd --pfkey-socket PATH [options]\n"
         "  --pfkey-socket PATH     PF_KEY v2 on a Unix SOCK_SEQPACKET socket (mode 0600)\n"
         "  --control-socket PATH   control line protocol on a Unix stream socket (mode 0600)\n"
         "  --tun NAME              create TUN interface NAME for the protected side\n"
         "  --outer-address ADDR    local tunnel address: raw ESP/AH and UDP NAT-T sockets\n"
         "  --backend NAME          packet backend: software (default), or cosim where built\n"
         "  --config FILE           setkey(8) file applied at start\n"
         "  --enc-pcap FILE         capture at the enc point (LINKTYPE_RAW)\n"
         "  --enc-filter EXPR       drop packets matching a pcap-filter expression there\n"
         "  --enc-tunnel            outer packets pass the enc point too\n"
         "  --natt-port N           UDP port of NAT-T (default 4500)\n"
         "  --held-max N            packets held while waiting for an SA (default 64)\n"
         "  --held-timeout-ms N     how long they wait (default 3000)\n"
         "  --lifetime-tick-ms N    period of the lifetime check (default 200)\n";
}

Options parse_options(int argc, const char* const* argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") throw UsageRequested{};
    if (a == "--enc-tunnel") {
      o.enc_tunnel = true;
      continue;
    }
    if (i + 1 >= argc) throw Error(std::string(a) + " needs a value (or is unknown)\n" + usage());
    std::string_view v = argv[++i];
    if (a == "--pfkey-socket") o.pfkey_socket = v;
    else if (a == "--control-socket") o.control_socket = v;
    else if (a == "--tun") o.tun = v;
    else if (a == "--outer-address") o.outer_address = v;
    else if (a == "--backend") o.backend = v;
    else if (a == "--config") o.config = v;
    else if (a == "--enc-pcap") o.enc_pcap = v;
    else if (a == "--enc-filter") o.enc_filter = v;
    else if (a == "--natt-port") o.natt_port = number<std::uint16_t>(a, v, 1, 65535);
    else if (a == "--held-max") o.held_max_packets = number<std::size_t>(a, v, 0, 1 << 20);
    else if (a == "--held-timeout-ms") o.held_timeout_ms = number<std::uint32_t>(a, v, 1, 3600000);
    else if (a == "--lifetime-tick-ms") o.lifetime_tick_ms = number<std::uint32_t>(a, v, 10, 60000);
    else throw Error("unknown option " + std::string(a) + "\n" + usage());
  }
  if (o.pfkey_socket.empty()) throw Error("--pfkey-socket is required\n" + usage());
  if (const auto names = backends(); std::find(names.begin(), names.end(), o.backend) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw Error("--backend " + o.backend + ": not available in this build (available: " + list + ")");
  }
  if (!o.tun.empty() && o.outer_address.empty())
    throw Error("--tun needs --outer-address (where protected packets leave)");
  if (!o.outer_address.empty() && !IpAddr::parse(o.outer_address))
    throw Error("--outer-address " + o.outer_address + " is not an IPv4 or IPv6 address");
  if (o.enc_tunnel && o.enc_pcap.empty() && o.enc_filter.empty())
    throw Error("--enc-tunnel needs --enc-pcap or --enc-filter");
  return o;
}

}  // namespace aipsec::daemon
