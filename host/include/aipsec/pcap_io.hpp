// Reading and writing capture files (libpcap), for tools and tests.
//
// Link types are given as libpcap DLT values; kRaw is written to files as
// LINKTYPE_RAW (101). On reading, files with link type 101, 12 or 14 (the
// historical raw-IP values) all come back as kRaw.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "aipsec/common.hpp"

namespace aipsec {

enum class LinkType : int {
  kNull = 0,        // BSD loopback: 4-byte host-order address family
  kEthernet = 1,    // DLT_EN10MB
  kRaw = 12,        // raw IPv4 or IPv6, version from the first nibble
  kLoop = 108,      // OpenBSD loopback: 4-byte network-order address family
  kLinuxSll = 113,  // Linux "cooked" capture (read only in practice)
  kIpv4 = 228,
  kIpv6 = 229,
};
std::string link_type_name(LinkType t);

struct PcapRecord {
  std::int64_t ts_sec = 0;
  std::uint32_t ts_usec = 0;
  std::uint32_t orig_len = 0;  // length on the wire (data may be shorter: snaplen)
  Bytes data;
};

// Where the IP header starts in a frame of the given link type; nullopt if the
// frame does not carry IPv4 or IPv6.
std::optional<std::size_t> ip_offset(LinkType t, ByteView frame);

class PcapReader {
 public:
  // Throws Error if the file cannot be opened or its link type is not one of LinkType.
  explicit PcapReader(const std::string& path);
  ~PcapReader();
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;

  LinkType link_type() const { return link_; }
  // The next record; false at the end of the file. Throws Error on a corrupt file.
  bool next(PcapRecord& rec);

 private:
  struct Handle;
  std::unique_ptr<Handle> h_;
  LinkType link_ = LinkType::kEthernet;
};

class PcapWriter {
 public:
  // Throws Error if the file cannot be created.
  PcapWriter(const std::string& path, LinkType link, std::uint32_t snaplen = 262144);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write(ByteView frame, std::int64_t ts_sec = 0, std::uint32_t ts_usec = 0);
  void flush();

 private:
  struct Handle;
  std::unique_ptr<Handle> h_;
};

}  // namespace aipsec
