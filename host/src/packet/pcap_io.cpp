// PcapReader / PcapWriter over libpcap.
#include "aipsec/pcap_io.hpp"

#include <pcap/pcap.h>

#include "aipsec/packet.hpp"

namespace aipsec {
namespace {

// Raw IP has had three link-type values over time: LINKTYPE_RAW (101, which
// libpcap maps to DLT_RAW) and the DLT values 12 and 14 written by old systems.
std::optional<LinkType> link_type_of_dlt(int dlt) {
  switch (dlt) {
    case 12:
    case 14:
    case 101:
      return LinkType::kRaw;
    case DLT_NULL:
      return LinkType::kNull;
    case DLT_EN10MB:
      return LinkType::kEthernet;
    case 108:
      return LinkType::kLoop;
    case 113:
      return LinkType::kLinuxSll;
    case 228:
      return LinkType::kIpv4;
    case 229:
      return LinkType::kIpv6;
    default:
      return std::nullopt;
  }
}

// BSD address families for IPv6 differ between systems (24, 28, 30).
bool is_loopback_family(std::uint32_t af) { return af == 2 || af == 24 || af == 28 || af == 30; }

std::optional<std::size_t> ip_version_at(ByteView frame, std::size_t off, int want) {
  if (frame.size() <= off) return std::nullopt;
  const int v = frame[off] >> 4;
  if (v != 4 && v != 6) return std::nullopt;
  if (want != 0 && v != want) return std::nullopt;
  return off;
}

}  // namespace

std::string link_type_name(LinkType t) {
  const char* n = pcap_datalink_val_to_name(static_cast<int>(t));
  return n ? n : "DLT " + std::to_string(static_cast<int>(t));
}

std::optional<std::size_t> ip_offset(LinkType t, ByteView frame) {
  switch (t) {
    case LinkType::kEthernet: {
      const auto eth = parse_ethernet(frame);
      return eth ? std::optional<std::size_t>(eth->l3_off) : std::nullopt;
    }
    case LinkType::kRaw:
      return ip_version_at(frame, 0, 0);
    case LinkType::kIpv4:
      return ip_version_at(frame, 0, 4);
    case LinkType::kIpv6:
      return ip_version_at(frame, 0, 6);
    case LinkType::kNull:
    case LinkType::kLoop: {
      if (frame.size() < 4) return std::nullopt;
      // DLT_NULL stores the family in the capturing host's byte order: accept both.
      const std::uint32_t be = load_be32(frame.data());
      const std::uint32_t le = std::uint32_t(frame[0]) | std::uint32_t(frame[1]) << 8 |
                               std::uint32_t(frame[2]) << 16 | std::uint32_t(frame[3]) << 24;
      if (!is_loopback_family(be) && !(t == LinkType::kNull && is_loopback_family(le))) return std::nullopt;
      return ip_version_at(frame, 4, 0);
    }
    case LinkType::kLinuxSll: {
      if (frame.size() < 16) return std::nullopt;
      const std::uint16_t proto = load_be16(frame.data() + 14);
      if (proto != 0x0800 && proto != 0x86dd) return std::nullopt;
      return ip_version_at(frame, 16, proto == 0x0800 ? 4 : 6);
    }
  }
  return std::nullopt;
}

struct PcapReader::Handle {
  pcap_t* p = nullptr;
  ~Handle() {
    if (p) pcap_close(p);
  }
};

PcapReader::PcapReader(const std::string& path) : h_(std::make_unique<Handle>()) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  h_->p = pcap_open_offline(path.c_str(), errbuf);
  if (!h_->p) throw Error("cannot open capture '" + path + "': " + errbuf);
  const int dlt = pcap_datalink(h_->p);
  const auto lt = link_type_of_dlt(dlt);
  if (!lt) {
    const char* name = pcap_datalink_val_to_name(dlt);
    throw Error("capture '" + path + "' has unsupported link type " + std::to_string(dlt) +
                (name ? std::string(" (") + name + ")" : std::string()) +
                "; supported: EN10MB, RAW, IPV4, IPV6, NULL, LOOP, LINUX_SLL");
  }
  link_ = *lt;
}

PcapReader::~PcapReader() = default;

bool PcapReader::next(PcapRecord& rec) {
  pcap_pkthdr* hdr = nullptr;
  const u_char* bytes = nullptr;
  const int rc = pcap_next_ex(h_->p, &hdr, &bytes);
  if (rc == PCAP_ERROR_BREAK) return false;
  if (rc != 1) throw Error(std::string("corrupt capture: ") + pcap_geterr(h_->p));
  rec.ts_sec = hdr->ts.tv_sec;
  rec.ts_usec = std::uint32_t(hdr->ts.tv_usec);
  rec.orig_len = hdr->len;
  rec.data.assign(bytes, bytes + hdr->caplen);
  return true;
}

struct PcapWriter::Handle {
  pcap_t* p = nullptr;
  pcap_dumper_t* d = nullptr;
  ~Handle() {
    if (d) pcap_dump_close(d);
    if (p) pcap_close(p);
  }
};

PcapWriter::PcapWriter(const std::string& path, LinkType link, std::uint32_t snaplen)
    : h_(std::make_unique<Handle>()) {
  h_->p = pcap_open_dead(static_cast<int>(link), int(snaplen));
  if (!h_->p) throw Error("cannot create a pcap handle for link type " + link_type_name(link));
  h_->d = pcap_dump_open(h_->p, path.c_str());
  if (!h_->d) throw Error("cannot create capture '" + path + "': " + pcap_geterr(h_->p));
}

PcapWriter::~PcapWriter() = default;

void PcapWriter::write(ByteView frame, std::int64_t ts_sec, std::uint32_t ts_usec) {
  pcap_pkthdr hdr{};
  hdr.ts.tv_sec = static_cast<time_t>(ts_sec);
  hdr.ts.tv_usec = static_cast<suseconds_t>(ts_usec);
  hdr.caplen = std::uint32_t(frame.size());
  hdr.len = std::uint32_t(frame.size());
  pcap_dump(reinterpret_cast<u_char*>(h_->d), &hdr, frame.data());
}

void PcapWriter::flush() {
  if (pcap_dump_flush(h_->d) != 0) throw Error("cannot flush capture file");
}

}  // namespace aipsec
