// The enc(4) point: capture to LINKTYPE_RAW and a libpcap filter on a dead handle.
#include "aipsec/daemon_enc.hpp"

#include <pcap/pcap.h>
#include <sys/time.h>

#include <optional>

#include "aipsec/pcap_io.hpp"

namespace aipsec::daemon {

struct EncPoint::Impl {
  std::optional<PcapWriter> writer;
  pcap_t* dead = nullptr;
  bpf_program prog{};
  bool have_prog = false;
  ~Impl() {
    if (have_prog) pcap_freecode(&prog);
    if (dead) pcap_close(dead);
  }
};

EncPoint::EncPoint(const std::string& pcap_path, const std::string& filter)
    : impl_(std::make_unique<Impl>()) {
  if (!pcap_path.empty()) {
    impl_->writer.emplace(pcap_path, LinkType::kRaw);
    capturing_ = true;
  }
  if (!filter.empty()) {
    impl_->dead = pcap_open_dead(DLT_RAW, 65535);
    if (!impl_->dead) throw Error("enc filter: pcap_open_dead failed");
    if (pcap_compile(impl_->dead, &impl_->prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
      throw Error("enc filter '" + filter + "': " + pcap_geterr(impl_->dead));
    impl_->have_prog = true;
    filtering_ = true;
  }
}

EncPoint::~EncPoint() = default;

bool EncPoint::pass(ByteView ip_packet) {
  timeval now{};
  gettimeofday(&now, nullptr);
  if (capturing_) {
    impl_->writer->write(ip_packet, now.tv_sec, std::uint32_t(now.tv_usec));
    ++captured_;
  }
  if (!filtering_) return true;
  pcap_pkthdr h{};
  h.ts = now;
  h.caplen = h.len = std::uint32_t(ip_packet.size());
  if (pcap_offline_filter(&impl_->prog, &h, ip_packet.data()) == 0) return true;
  ++matched_;
  return false;
}

void EncPoint::flush() {
  if (capturing_) impl_->writer->flush();
}

}  // namespace aipsec::daemon
