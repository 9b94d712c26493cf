#include "aipsec/cosim_backend.hpp"

#include <cstring>

namespace aipsec::cosim {
namespace {
constexpr std::size_t kEthHeader = 14;
}  // namespace

CosimPacketPath::CosimPacketPath(DataPlane& dp) : dp_(dp), path_(dp) { path_.program(); }

Result CosimPacketPath::output(Packet& p) { return run(Direction::kOut, p); }
Result CosimPacketPath::input(Packet& p) { return run(Direction::kIn, p); }

Result CosimPacketPath::run(Direction dir, Packet& p) {
  // What cannot go into an IP frame is the software data plane's to refuse
  // (its drop, with its reason, counted where every other drop is).
  const int version = p.size() == 0 ? 0 : p.data()[0] >> 4;
  if (version != 4 && version != 6) return dir == Direction::kOut ? dp_.output(p) : dp_.input(p);
  frame_.assign(kEthHeader + p.size(), 0);
  frame_[12] = version == 4 ? 0x08 : 0x86;
  frame_[13] = version == 4 ? 0x00 : 0xdd;
  std::memcpy(frame_.data() + kEthHeader, p.data(), p.size());
  Outcome o = path_.process(dir, ByteView(frame_.data(), frame_.size()));
  const Result r{o.verdict, o.reason};
  if (o.verdict != Verdict::kForward) return r;  // p stays as it came (held packets need it)
  if (o.by_card) {
    std::size_t l3 = kEthHeader;
    if (auto eth = parse_ethernet(ByteView(o.frame.data(), o.frame.size()))) l3 = eth->l3_off;
    if (o.frame.size() <= l3) {
      ++bad_card_frames_;
      return Result{Verdict::kDrop, Reason::kTruncated};
    }
    if (!p.assign(ByteView(o.frame.data() + l3, o.frame.size() - l3))) {
      ++bad_card_frames_;
      return Result{Verdict::kDrop, Reason::kTooBig};
    }
  } else if (!p.assign(o.packet.bytes())) {
    return Result{Verdict::kDrop, Reason::kTooBig};
  }
  return r;
}

std::vector<std::pair<std::string, std::uint64_t>> CosimPacketPath::counters() const {
  const card::OffloadStats& st = path_.offload().stats();
  std::uint64_t dropped = 0;
  for (std::uint64_t v : path_.card_drops()) dropped += v;
  return {{"card_forwarded", st.card_forwarded}, {"card_dropped", dropped}, {"host_answered", st.host_answered},
          {"sa_inbound", st.sa_inbound}, {"sa_outbound", st.sa_outbound}, {"sa_not_capable", st.sa_not_capable},
          {"sa_no_room", st.sa_no_room}, {"flows_installed", st.flows_installed}, {"flows_flushed", st.flows_flushed},
          {"sysctl_changes", st.sysctl_changes}, {"bad_card_frames", bad_card_frames_},
          {"cycles", path_.card().cycles()}};
}

void register_daemon_backend() {
  daemon::register_backend("cosim", [](DataPlane& dp) { return std::make_unique<CosimPacketPath>(dp); });
}

}  // namespace aipsec::cosim
