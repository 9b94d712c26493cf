#include "aipsec/cosim_datapath.hpp"

#include "aipsec/card_reason.hpp"

namespace aipsec::cosim {
namespace {

// A frame's whole trip through the card is a few hundred cycles; past this
// the card has lost it.
constexpr std::uint64_t kAnswerTimeout = 200000;
constexpr std::uint64_t kPollCycles = 8;
// After the answer, events the same packet raised (lifetimes) still arrive.
constexpr std::uint64_t kQuietCycles = 64;
// A counted reason with no frame after this long: the card dropped the frame.
constexpr std::uint64_t kCountedDropWait = 4000;

card::Disposition disposition(std::uint8_t code) {
  return code < card::kReasons.size() ? card::kReasons[code].disposition : card::Disposition::kDrop;
}
bool is_drop(std::uint8_t code) { return disposition(code) == card::Disposition::kDrop; }
bool is_to_host(std::uint8_t code) { return disposition(code) == card::Disposition::kHost; }

}  // namespace

CosimDataPath::CosimDataPath(DataPlane& dp, const CosimOptions& options)
    : card_(make_cosim_card(options)), offload_(std::make_unique<card::CardOffload>(*card_, dp)) {}

CosimDataPath::~CosimDataPath() = default;

void CosimDataPath::program() { offload_->program(); }

Outcome CosimDataPath::process(Direction dir, ByteView frame) {
  const bool out = dir == Direction::kOut;
  const Port in_port = out ? Port::kPlain : Port::kProtected;
  const Port result_port = out ? Port::kProtected : Port::kPlain;
  card::PacketMeta meta{};
  meta.direction = out ? card::PacketMeta::Direction::kOutbound : card::PacketMeta::Direction::kInbound;
  meta.port = out ? card::PacketMeta::Port::kPlain : card::PacketMeta::Port::kProtected;
  meta.pkt_len = static_cast<std::uint16_t>(frame.size());
  if (auto eth = parse_ethernet(frame)) meta.l3_offset = static_cast<std::uint8_t>(eth->l3_off);
  offload_->sync();  // SAs the host deleted since the last frame leave the card first
  card_->take_drop_events();
  card_->push(in_port, frame, meta);

  std::optional<Frame> result, exception;
  std::vector<Frame> events;
  std::optional<std::uint8_t> dropped;
  std::optional<std::pair<std::uint8_t, std::uint64_t>> counted;  // reason, when
  std::uint64_t waited = 0;
  auto collect = [&] {
    if (auto f = card_->pop(result_port)) result = std::move(f);
    while (auto f = card_->pop(Port::kHost)) {
      if (card::is_sa_event(f->meta)) events.push_back(std::move(*f));
      else exception = std::move(f);
    }
    for (std::uint8_t code : card_->take_drop_events()) {
      if (is_drop(code)) dropped = code;
      else if (is_to_host(code) && !counted) counted = std::make_pair(code, waited);
    }
  };
  while (!result && !exception && !dropped) {
    // A reason counted as "to the host" whose frame never comes: dropped after all.
    if (counted && waited - counted->second >= kCountedDropWait) dropped = counted->first;
    if (dropped) break;
    if (waited >= kAnswerTimeout) throw Error("cosim: the card did not answer a frame in " +
                                              std::to_string(kAnswerTimeout) + " cycles");
    card_->run(kPollCycles);
    waited += kPollCycles;
    collect();
  }
  card_->run(kQuietCycles);
  collect();

  Packet scratch;
  for (const Frame& e : events) offload_->answer(e.meta, e.data, scratch);
  Outcome o;
  if (result) {
    // Opened by an SA of the card, or passed by a flow entry (inbound: the
    // host's inbound policy, cached on the card, let the flow through).
    offload_->note_card_forward(dir, frame, result->data);
    o.by_card = true;
    o.frame = std::move(result->data);
  } else if (exception) {
    o.card_reason = exception->meta.reason;
    auto r = offload_->answer(exception->meta, exception->data, o.packet);
    if (r) {
      o.verdict = r->verdict;
      o.reason = r->reason;
    }
  } else {
    ++card_drops_[*dropped];
    o.by_card = true;
    o.card_reason = *dropped;
    o.verdict = Verdict::kDrop;
    auto r = card::host_reason(*dropped);
    o.reason = r ? *r : Reason::kNone;
  }
  return o;
}

}  // namespace aipsec::cosim
