// ipsec-pcap: runs every packet of a capture through the data plane, outbound
// (protect) or inbound (open), configured by a setkey(8) file. See docs/ipsec-pcap.md.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "aipsec/dataplane.hpp"
#include "aipsec/packet.hpp"
#include "aipsec/pcap_io.hpp"
#include "aipsec/setkey.hpp"
#ifdef AIPSEC_HAVE_COSIM
#include "aipsec/cosim_datapath.hpp"
#endif

namespace {

using namespace aipsec;

constexpr int kExitOk = 0, kExitRuntime = 1, kExitUsage = 2;

constexpr const char* kHelp =
    "usage: ipsec-pcap --config FILE --dir out|in --in IN.pcap --out OUT.pcap\n"
    "                  [--backend software|cosim] [--stats FILE.json] [--sysctl name=value ...] [-v]\n"
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
    "  --backend NAME       data plane backend: software (default), or cosim: the card's\n"
    "                       RTL in co-simulation, programmed through its registers, with\n"
    "                       exceptions answered by the software data plane\n"
    "  --stats FILE         write counters as JSON\n"
    "  --sysctl NAME=VALUE  set an ipsec(4) variable, e.g. net.inet.ipsec.def_policy=0\n"
    "                       (repeatable)\n"
    "  -v, --verbose        with cosim: also the card's table use and cycle count\n"
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
  bool verbose = false;
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
    if (a == "-v" || a == "--verbose") o.verbose = true;
    else if (a == "--config") o.config = value();
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
  if (o.backend != "software" && o.backend != "cosim")
    throw UsageError("backend " + o.backend + " is not available in this build");
#ifndef AIPSEC_HAVE_COSIM
  if (o.backend == "cosim")
    throw UsageError("backend cosim is not available in this build (it needs -DAIPSEC_BUILD_RTL=ON)");
#endif
  return o;
}

struct Counts {
  std::uint64_t in = 0, out = 0, consumed = 0;
  ReasonCounters local_drops;  // frames refused before the data plane (not IP), and card drops
};

// What a backend did with one packet: the verdict and, when forwarded, the frame to write.
struct Processed {
  Result result;
  Bytes frame;
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

// one_packet(link, frame, l3 offset, p holding the datagram) runs one packet through a backend.
template <typename OnePacket>
void process(const Options& o, Counts& n, OnePacket one_packet) {
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
    const Processed r = one_packet(link, rec.data, *off, p);
    if (r.result.verdict == Verdict::kConsumed) ++n.consumed;
    if (r.result.verdict != Verdict::kForward) continue;
    writer.write(r.frame, rec.ts_sec, rec.ts_usec);
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

// extra: more members of the top-level object (",\n  \"name\": ..."), or empty.
std::string stats_json(const DataPlane& dp, const Counts& n, const std::string& extra) {
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
       "}" + extra + "\n}\n";
  return j;
}

void print_summary(const DataPlane& dp, const Counts& n) {
  std::cerr << "ipsec-pcap: " << n.in << " in, " << n.out << " out, " << n.consumed << " consumed\n";
  for (const auto& [name, c] : drop_counts(dp, n)) std::cerr << "  dropped " << name << ": " << c << "\n";
}

void write_stats(const Options& o, const DataPlane& dp, const Counts& n, const std::string& extra) {
  if (o.stats.empty()) return;
  std::ofstream f(o.stats);
  f << stats_json(dp, n, extra);
  if (!f) throw Error("cannot write " + o.stats);
}

void run_software(DataPlane& dp, const Options& o, Counts& n) {
  process(o, n, [&](LinkType link, ByteView frame, std::size_t off, Packet& p) {
    trim_to_ip_length(p);
    Processed r{o.dir == Direction::kOut ? dp.output(p) : dp.input(p), {}};
    if (r.result.verdict == Verdict::kForward) r.frame = output_frame(link, frame, off, p);
    return r;
  });
  print_summary(dp, n);
  write_stats(o, dp, n, "");
}

#ifdef AIPSEC_HAVE_COSIM
// The card takes Ethernet frames: a raw-IP datagram travels with a bare header.
constexpr std::size_t kEthernetLen = 14;

Bytes card_frame(LinkType link, ByteView frame, const Packet& p) {
  if (link == LinkType::kEthernet) return Bytes(frame.begin(), frame.end());
  Bytes f(kEthernetLen, 0);
  store_be16(f.data() + 12, p.size() > 0 && (p.data()[0] >> 4) == 6 ? 0x86dd : 0x0800);
  f.insert(f.end(), p.data(), p.data() + p.size());
  return f;
}

using NamedCounts = std::vector<std::pair<std::string_view, std::uint64_t>>;

std::string json_object(const NamedCounts& c) {
  std::string j = "{";
  for (std::size_t i = 0; i < c.size(); ++i)
    j += std::string(i ? ", " : "") + "\"" + std::string(c[i].first) + "\": " + std::to_string(c[i].second);
  return j + "}";
}

// What the card did, and its drop counters read through the registers.
struct CardReport {
  NamedCounts to_host, counters;
};

CardReport card_report(cosim::CosimDataPath& c) {
  CardReport r;
  const auto& st = c.offload().stats();
  for (std::size_t i = 0; i < st.exceptions.size(); ++i)
    if (st.exceptions[i]) r.to_host.emplace_back(card::kReasons[i].name, st.exceptions[i]);
  const auto counters = c.offload().read_drop_counters();
  for (std::size_t i = 0; i < counters.size() && i < card::kReasons.size(); ++i)
    if (counters[i]) r.counters.emplace_back(card::kReasons[i].name, counters[i]);
  return r;
}

void print_card_summary(cosim::CosimDataPath& c, const CardReport& r, bool verbose, double seconds) {
  const auto& st = c.offload().stats();
  std::uint64_t dropped = 0;
  for (std::uint64_t v : c.card_drops()) dropped += v;
  std::cerr << "card (cosim, " << c.card().data_width() << "-bit): " << st.card_forwarded
            << " forwarded by the card, " << dropped << " dropped by the card, " << st.host_answered
            << " answered by the host\n";
  if (st.cleartext_checked)
    std::cerr << "  inbound without IPsec, checked against the inbound policy by the host: "
              << st.cleartext_checked << "\n";
  for (const auto& [name, v] : r.to_host) std::cerr << "  to host " << name << ": " << v << "\n";
  for (const auto& [name, v] : r.counters) std::cerr << "  card counter " << name << ": " << v << "\n";
  if (!verbose) return;
  std::cerr << "  SAs on the card: " << st.sa_inbound << " inbound, " << st.sa_outbound << " outbound; "
            << st.sa_not_capable << " not card-capable, " << st.sa_no_room << " without a free entry (" << st.sa_placed_late << " placed later), "
            << st.sa_seq_end << " left to the host near the end of their sequence space; " << st.sa_cleared
            << " cleared\n"
            << "  flow entries: " << st.flows_installed << " installed (" << st.flows_inbound << " inbound), "
            << st.flows_no_room << " bucket full, " << st.flows_not_cacheable << " not cacheable, "
            << st.flows_removed << " removed with their SA, " << st.flows_flushed << " flushed by SPD or sysctl changes\n"
            << "  " << st.events << " SA events; " << c.card().cycles() << " clock cycles in " << seconds
            << " s (" << static_cast<std::uint64_t>(seconds > 0 ? double(c.card().cycles()) / seconds : 0.0)
            << " cycles/s, host included)\n";
}

std::string sa_counters_json(cosim::CosimDataPath& c) {
  std::string j;
  for (const card::CardSaCounters& s : c.offload().read_sa_counters()) {
    char spi[16];
    std::snprintf(spi, sizeof spi, "0x%08x", s.spi);
    j += std::string(j.empty() ? "" : ", ") + "{\"index\": " + std::to_string(s.index) + ", \"spi\": \"" + spi +
         "\", \"dir\": \"" + (s.inbound ? "in" : "out") + "\", \"packets\": " + std::to_string(s.packets) +
         ", \"bytes\": " + std::to_string(s.bytes) + "}";
  }
  return j;
}

std::string card_json(cosim::CosimDataPath& c, const CardReport& r) {
  const auto& st = c.offload().stats();
  return ",\n  \"card\": {\"data_width\": " + std::to_string(c.card().data_width()) +
         ", \"cycles\": " + std::to_string(c.card().cycles()) +
         ", \"forwarded\": " + std::to_string(st.card_forwarded) +
         ", \"host_answered\": " + std::to_string(st.host_answered) +
         ", \"sa_inbound\": " + std::to_string(st.sa_inbound) +
         ", \"sa_outbound\": " + std::to_string(st.sa_outbound) +
         ", \"flows_installed\": " + std::to_string(st.flows_installed) +
         ",\n    \"to_host\": " + json_object(r.to_host) + ",\n    \"counters\": " + json_object(r.counters) +
         ",\n    \"sa_counters\": [" + sa_counters_json(c) + "]}";
}

void run_cosim(DataPlane& dp, const Options& o, Counts& n) {
  const auto start = std::chrono::steady_clock::now();
  cosim::CosimDataPath card(dp);
  card.program();
  process(o, n, [&](LinkType link, ByteView frame, std::size_t off, Packet& p) {
    const Bytes in = card_frame(link, frame, p);
    cosim::Outcome c = card.process(o.dir, in);
    Processed r{{c.verdict, c.reason}, {}};
    if (c.by_card && c.verdict == Verdict::kDrop) n.local_drops.add(c.reason);
    if (c.verdict != Verdict::kForward) return r;
    if (!c.by_card) {
      r.frame = output_frame(link, frame, off, c.packet);
    } else if (link == LinkType::kEthernet) {
      r.frame = std::move(c.frame);
    } else {
      auto eth = parse_ethernet(c.frame);
      const std::size_t l3 = eth ? eth->l3_off : kEthernetLen;
      r.frame.assign(c.frame.begin() + std::ptrdiff_t(std::min(l3, c.frame.size())), c.frame.end());
    }
    return r;
  });
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  print_summary(dp, n);
  const CardReport report = card_report(card);
  print_card_summary(card, report, o.verbose, took.count());
  write_stats(o, dp, n, card_json(card, report));
}
#endif

int run(const Options& o) {
  DataPlane dp;
  for (const auto& [name, value] : o.sysctls) {
    std::string why;
    if (!dp.sysctl().set(name, value, &why)) throw UsageError("--sysctl: " + why);
  }
  std::cout << setkey::apply_all(dp, setkey::parse_file(o.config), o.config);
  Counts n;
#ifdef AIPSEC_HAVE_COSIM
  if (o.backend == "cosim") {
    run_cosim(dp, o, n);
    return kExitOk;
  }
#endif
  run_software(dp, o, n);
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
