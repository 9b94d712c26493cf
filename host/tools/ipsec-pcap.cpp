// ipsec-pcap: runs every packet of a capture through the data plane, outbound
// (protect) or inbound (open), configured by a setkey(8) file. See docs/ipsec-pcap.md.
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "aipsec/dataplane.hpp"
#include "aipsec/packet.hpp"
#include "aipsec/pcap_io.hpp"
#include "aipsec/setkey.hpp"

namespace {

using namespace aipsec;

constexpr int kExitOk = 0, kExitRuntime = 1, kExitUsage = 2;

constexpr const char* kHelp =
    "usage: ipsec-pcap --config FILE --dir out|in --in IN.pcap --out OUT.pcap\n"
    "                  [--backend software] [--stats FILE.json] [--sysctl name=value ...]\n"
    "\n"
    "Runs every packet of IN.pcap through the IPsec data plane configured by FILE\n"
    "(setkey(8) syntax, see docs/setkey.md): --dir out protects (SPD outbound, then\n"
    "ESP/AH/IPComp), --dir in opens and checks the inbound policy. Ethernet and raw-IP\n"
    "captures are accepted; OUT.pcap keeps the link type and the timestamps. Dropped\n"
    "packets are not written; counters by reason go to stderr and, with --stats, to a\n"
    "JSON file.\n"
    "\n"
    "  --config FILE        setkey configuration (add, spdadd, ...)\n"
    "  --dir out|in         direction of processing\n"
    "  --in FILE            input capture (pcap)\n"
    "  --out FILE           output capture (pcap)\n"
    "  --backend NAME       data plane backend (only 'software' in this build)\n"
    "  --stats FILE         write counters as JSON\n"
    "  --sysctl NAME=VALUE  set an ipsec(4) variable, e.g. net.inet.ipsec.def_policy=0\n"
    "                       (repeatable)\n"
    "  --help               this text\n"
    "\n"
    "exit status: 0 success, 1 runtime error, 2 usage error\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  std::string config, in, out, stats, backend = "software";
  Direction dir = Direction::kOut;
  bool have_dir = false;
  std::vector<std::pair<std::string, int>> sysctls;
};

std::pair<std::string, int> parse_sysctl_arg(const std::string& arg) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) throw UsageError("--sysctl takes name=value, got '" + arg + "'");
  std::string value = arg.substr(eq + 1);
  int v = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size())
    throw UsageError("--sysctl value must be an integer, got '" + value + "'");
  return {arg.substr(0, eq), v};
}

// Returns nullopt when --help was asked for.
std::optional<Options> parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") return std::nullopt;
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(a + " needs a value");
      return argv[++i];
    };
    if (a == "--config") o.config = value();
    else if (a == "--in") o.in = value();
    else if (a == "--out") o.out = value();
    else if (a == "--stats") o.stats = value();
    else if (a == "--backend") o.backend = value();
    else if (a == "--sysctl") o.sysctls.push_back(parse_sysctl_arg(value()));
    else if (a == "--dir") {
      std::string d = value();
      if (d != "out" && d != "in") throw UsageError("--dir takes out or in, got '" + d + "'");
      o.dir = d == "out" ? Direction::kOut : Direction::kIn;
      o.have_dir = true;
    } else {
      throw UsageError("unknown argument '" + a + "'");
    }
  }
  if (o.config.empty() || o.in.empty() || o.out.empty() || !o.have_dir)
    throw UsageError("--config, --dir, --in and --out are required");
  if (o.backend != "software") throw UsageError("backend " + o.backend + " is not available in this build");
  return o;
}

struct Counts {
  std::uint64_t in = 0, out = 0, consumed = 0;
  ReasonCounters local_drops;  // frames refused before the data plane (not IP)
};

// Ethernet frames may carry padding after the datagram: process the datagram only.
void trim_to_ip_length(Packet& p) {
  ParseResult r = parse_ip(p.bytes(), false);
  if (r.info && r.info->total_len < p.size()) p.trim_back(p.size() - r.info->total_len);
}

// The L2 header of the input frame, with the EtherType following the outer family.
Bytes output_frame(LinkType link, ByteView in_frame, std::size_t l3_off, const Packet& p) {
  Bytes frame(in_frame.begin(), in_frame.begin() + std::ptrdiff_t(l3_off));
  if (link == LinkType::kEthernet && p.size() > 0) {
    auto eth = parse_ethernet(in_frame);
    std::uint16_t type = (p.data()[0] >> 4) == 6 ? 0x86dd : 0x0800;
    if (eth) store_be16(frame.data() + eth->ethertype_off, type);
  }
  frame.insert(frame.end(), p.data(), p.data() + p.size());
  return frame;
}

void process(DataPlane& dp, const Options& o, Counts& n) {
  PcapReader reader(o.in);
  LinkType link = reader.link_type();
  if (link != LinkType::kEthernet && link != LinkType::kRaw)
    throw Error("link type " + link_type_name(link) + " is not supported (Ethernet and raw IP are)");
  PcapWriter writer(o.out, link);
  PcapRecord rec;
  Packet p;
  while (reader.next(rec)) {
    ++n.in;
    auto off = ip_offset(link, rec.data);
    if (!off) {
      n.local_drops.add(Reason::kNotEthernetIp);
      continue;
    }
    if (!p.assign(ByteView(rec.data).subspan(*off))) {
      n.local_drops.add(Reason::kTooBig);
      continue;
    }
    trim_to_ip_length(p);
    Result r = o.dir == Direction::kOut ? dp.output(p) : dp.input(p);
    if (r.verdict == Verdict::kConsumed) ++n.consumed;
    if (r.verdict != Verdict::kForward) continue;
    writer.write(output_frame(link, rec.data, *off, p), rec.ts_sec, rec.ts_usec);
    ++n.out;
  }
  writer.flush();
}

std::vector<std::pair<std::string_view, std::uint64_t>> drop_counts(const DataPlane& dp, const Counts& n) {
  std::vector<std::pair<std::string_view, std::uint64_t>> out;
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    Reason r = static_cast<Reason>(i);
    std::uint64_t c = dp.drops().get(r) + n.local_drops.get(r);
    if (r != Reason::kNone && c) out.emplace_back(reason_name(r), c);
  }
  return out;
}

std::string stats_json(const DataPlane& dp, const Counts& n) {
  const DataPlaneStats& s = dp.stats();
  std::string j = "{\n  \"in\": " + std::to_string(n.in) + ",\n  \"out\": " + std::to_string(n.out) +
                  ",\n  \"consumed\": " + std::to_string(n.consumed) + ",\n  \"dropped\": {";
  bool first = true;
  for (const auto& [name, c] : drop_counts(dp, n)) {
    j += std::string(first ? "" : ",") + "\n    \"" + std::string(name) + "\": " + std::to_string(c);
    first = false;
  }
  j += first ? "},\n" : "\n  },\n";
  j += "  \"dataplane\": {\"out_packets\": " + std::to_string(s.out_packets) +
       ", \"out_protected\": " + std::to_string(s.out_protected) + ", \"out_bypass\": " +
       std::to_string(s.out_bypass) + ", \"in_packets\": " + std::to_string(s.in_packets) +
       ", \"in_opened\": " + std::to_string(s.in_opened) + ", \"in_bypass\": " + std::to_string(s.in_bypass) +
       "}\n}\n";
  return j;
}

void print_summary(const DataPlane& dp, const Counts& n) {
  std::cerr << "ipsec-pcap: " << n.in << " in, " << n.out << " out, " << n.consumed << " consumed\n";
  for (const auto& [name, c] : drop_counts(dp, n)) std::cerr << "  dropped " << name << ": " << c << "\n";
}

int run(const Options& o) {
  DataPlane dp;
  for (const auto& [name, value] : o.sysctls) {
    std::string why;
    if (!dp.sysctl().set(name, value, &why)) throw UsageError("--sysctl: " + why);
  }
  std::cout << setkey::apply_all(dp, setkey::parse_file(o.config), o.config);
  Counts n;
  process(dp, o, n);
  print_summary(dp, n);
  if (!o.stats.empty()) {
    std::ofstream f(o.stats);
    f << stats_json(dp, n);
    if (!f) throw Error("cannot write " + o.stats);
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    auto opts = parse_args(argc, argv);
    if (!opts) {
      std::cout << kHelp;
      return kExitOk;
    }
    return run(*opts);
  } catch (const UsageError& e) {
    std::cerr << "ipsec-pcap: " << e.what() << "\n(try --help)\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "ipsec-pcap: " << e.what() << "\n";
    return kExitRuntime;
  }
}
