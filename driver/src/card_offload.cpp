#include "aipsec/card_offload.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "aipsec/card_hash.hpp"
#include "aipsec/card_reason.hpp"
#include "aipsec/card_tables.hpp"
#include "aipsec/sa_runtime.hpp"
#include "card_offload_internal.hpp"

namespace aipsec::card {

using namespace offload;

namespace {

struct Slot {
  SaRef sa;  // null: free
  bool inbound = false;
  bool card_disabled = false;  // inbound: the card reported the hard lifetime and disabled the entry
  Mode mode = Mode::kTransport;
  const Selector* sel = nullptr;
  std::uint16_t replay_base = 0;
  std::uint32_t replay_words = 0;
  std::uint64_t card_start = 0;  // inbound: the seq last written (inbound_start); the card's top is at least this
};

// A range of the card's replay memory an inbound entry had.
struct ReplayRange {
  std::uint16_t base = 0;
  std::uint32_t words = 0;
};

// Replay memory words an inbound SA uses: the card addresses them as a ring,
// the smallest power of two that holds ceil(window / 64) + 1 words
// (docs/hw/datapath.md, live state and replay memory).
std::uint32_t replay_ring_words(std::uint32_t window) {
  if (window == 0) return 0;
  const std::uint32_t need = (window + 63) / 64 + 1;
  std::uint32_t ring = 2;
  while (ring < need) ring <<= 1;
  return ring;
}

// The flow_window minor version from which flow entries carry the inbound bit;
// an older card has only the outbound table and would take inbound entries
// as outbound ones.
constexpr std::uint32_t kFlowWindowInbound = 0x00010001;
static_assert(flow_window::kVersion >= kFlowWindowInbound, "the spec's flow_window predates the inbound bit");

void check_flow_window(const CardInfo& info) {
  for (const DiscoveredBlock& b : info.blocks) {
    if (b.type != flow_window::kType || (b.version >> 16) != (kFlowWindowInbound >> 16)) continue;
    if (b.version < kFlowWindowInbound) {
      throw Error("card flow_window block version " + std::to_string(b.version >> 16) + "." +
                  std::to_string(b.version & 0xffffu) +
                  " predates the inbound bit of flow entries (1.1): it would put inbound flow entries "
                  "in its outbound table; this driver needs flow_window 1.1 or later");
    }
  }
}

bool has_ports(std::uint8_t proto) { return proto == 6 || proto == 17 || proto == 132; }

// Whether a policy tells packets of one address pair apart by ICMP type and
// code (the ports of the SPD's flow key), which the card's flow key does not hold.
bool icmp_selector(const Policy& p) {
  return p.sel.icmp_type || p.sel.icmp_code || (p.sel.ulproto == ipproto::kAny && (p.sel.sport || p.sel.dport));
}

// Inbound packets without ESP whose answer does not follow from the flow alone:
// IP-in-IP (an IPComp tunnel SA's uncompressed form) and UDP to the NAT-T port
// (the host looks into the payload).
bool inbound_content_decides(const IpInfo& ip) {
  return ip.ulproto == ipproto::kIpIp || ip.ulproto == ipproto::kIpv6 ||
         (ip.ulproto == ipproto::kUdp && ip.dport && *ip.dport == 4500);
}

std::uint64_t unix_now() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

// An ESP SA's outbound sequence number as the SAD holds it, per SA.
using SeqSnapshot = std::vector<std::pair<SaRef, std::uint64_t>>;

}  // namespace

struct CardOffload::Impl {
  RegisterTransport& bus;
  DataPlane& dp;
  CardInfo info;
  OffloadStats st;
  std::vector<Slot> slots;
  std::vector<bool> flow_used, in_flow_used;  // the outbound and the inbound flow table
  std::vector<std::int64_t> flow_sa;  // outbound flow entry -> the SA entry it protects with (-1: none)
  std::map<const Sa*, std::uint32_t> out_slot, in_slot;
  // SAs of the SAD the inbound table has taken into account (placed, or not
  // capable, or no room), as of sad_gen; weak, so a new SA at the address of
  // a freed one is not mistaken for it.
  std::map<const Sa*, std::weak_ptr<Sa>> seen;
  // Capable SAs that found their inbound bucket full (or no replay memory):
  // tried again by sync() after an entry of the card was cleared.
  std::map<const Sa*, std::weak_ptr<Sa>> waiting;
  // Outbound SAs that found no free entry: counted in sa_no_room once each,
  // however many flows try them; sa_placed_late when one gets an entry.
  std::map<const Sa*, std::weak_ptr<Sa>> out_waiting;
  bool freed = false;  // an SA entry was cleared since the last retry
  std::map<std::uint32_t, ReplayRange> replay_free;  // by SA entry: the range its last inbound SA had
  std::uint64_t sad_gen = 0, spd_gen = 0;  // generations sync() last followed
  bool states_changed = false;             // an SA of the card may have died since the last sync()
  std::uint64_t deaths_seen = 0;           // Sa::deaths() as of the last sync()
  std::vector<Policy> in_policies;  // copies: Slot::sel points into them
  // The ESP requests of the inbound ipsec policies, indexed once per SPD
  // generation so that placing an SA does not scan every inbound policy:
  // tunnel requests by their endpoints, transport requests together.
  struct RequestMatch {
    const Policy* first = nullptr;
    std::size_t count = 0;
    void add(const Policy* p) {
      if (count++ == 0) first = p;
    }
  };
  std::map<std::pair<IpAddr, IpAddr>, RequestMatch> in_tunnel;
  RequestMatch in_transport;
  bool icmp_selectors = false;      // outbound flows without ports cannot be cached (program())
  bool in_icmp_selectors = false;   // the same for inbound flows
  std::uint32_t replay_next = 0;
  // The sysctls the card's settings and cached answers follow: written by
  // program(), compared by every sync().
  Sysctl applied;

  Impl(RegisterTransport& b, DataPlane& d) : bus(b), dp(d) {}

  std::uint32_t ctrl_reg(std::uint32_t a) const {
    return info.require(ctrl::kType, ctrl::kVersion, "ctrl") + (a - ctrl::kBase);
  }
  // The card has one ECN setting for both families and no switch for ESP:
  // with the IPv4 and IPv6 ecn sysctls apart, or esp_enable 0, its data path
  // is off and every packet is the host's.
  bool card_can_follow() const {
    return applied.esp_enable != 0 && (applied.inet.ecn != 0) == (applied.inet6.ecn != 0);
  }
  void write_settings() {
    const std::uint32_t settings = ctrl::kSettingsDfbit.put(static_cast<std::uint32_t>(applied.dfbit)) |
                                   ctrl::kSettingsEcn.put(applied.inet.ecn != 0 ? 1u : 0u);
    bus.write32(ctrl_reg(ctrl::kSettings), settings);
  }
  void enable(bool on) { bus.write32(ctrl_reg(ctrl::kControl), ctrl::kControlEnable.put(on ? 1 : 0)); }
  void follow_sysctl();

  void write_slot(std::uint32_t index) {
    Slot& s = slots[index];
    SaContext e = sa_context(*s.sa, s.mode, s.inbound, s.sel, s.replay_base);
    if (s.inbound) s.card_start = e.seq;
    write_sa_context(bus, info, index, e);
    secure_wipe(&e, sizeof e);  // it holds the key
  }

  // The one inbound ipsec policy with a single ESP request this SA answers, if any.
  const Selector* inbound_selector(const SaConfig& c, Mode mode) const {
    const RequestMatch* m = nullptr;
    if (mode == Mode::kTunnel) {
      if (auto it = in_tunnel.find({c.src, c.dst}); it != in_tunnel.end()) m = &it->second;
    } else if (mode == Mode::kTransport) {
      m = &in_transport;
    }
    if (m == nullptr || m->count != 1) return nullptr;  // none, or more than one: no single selector to check
    const Policy* found = m->first;
    if (found->requests.size() != 1 || found->sel.icmp_type || found->sel.icmp_code) return nullptr;
    return &found->sel;
  }

  // Replay memory for an inbound SA at entry i: the range the entry's last
  // inbound SA had when it is large enough (the card's per-entry epoch, bumped
  // by the write, hides that SA's words), else fresh words.
  std::optional<ReplayRange> replay_range(std::uint32_t i, std::uint32_t words) {
    if (words == 0) return ReplayRange{};
    if (auto it = replay_free.find(i); it != replay_free.end() && it->second.words >= words) {
      const ReplayRange r = it->second;
      replay_free.erase(it);
      return r;
    }
    if (replay_next + words > 0xffffu) return std::nullopt;
    const ReplayRange r{static_cast<std::uint16_t>(replay_next), words};
    replay_next += words;
    return r;
  }

  void place_inbound(const SaRef& sa) {
    const SaConfig& c = sa->config();
    if (c.mode == Mode::kAny || not_capable(c, info.caps, c.mode) ||
        sa->state() == SaState::kDead || sa->state() == SaState::kLarval) {
      ++st.sa_not_capable;
      return;
    }
    if (!inbound_start(*sa)) {
      ++st.sa_seq_end;
      return;
    }
    const std::uint32_t b = sa_bucket(c.spi, ipproto::kEsp, c.dst.family == 6, address_words(c.dst),
                                      info.caps.sa_count);
    for (std::uint32_t w = 0; w < kWays; ++w) {
      const std::uint32_t i = b * kWays + w;
      if (slots[i].sa) continue;
      const auto replay = replay_range(i, replay_ring_words(c.replay_window));
      if (!replay) break;
      slots[i] = Slot{sa, true, false, c.mode, inbound_selector(c, c.mode), replay->base, replay->words};
      write_slot(i);
      in_slot[sa.get()] = i;
      ++st.sa_inbound;
      if (waiting.erase(sa.get()) != 0) ++st.sa_placed_late;
      return;
    }
    // Counted once per SA, however often it is tried again.
    if (first_wait(waiting, sa)) ++st.sa_no_room;
  }

  // Records sa among the SAs waiting for an entry; true the first time (an SA
  // at the address of one that went is a new one).
  static bool first_wait(std::map<const Sa*, std::weak_ptr<Sa>>& waiting_sas, const SaRef& sa) {
    auto [it, fresh] = waiting_sas.try_emplace(sa.get(), sa);
    if (!fresh && it->second.lock() != sa) {
      it->second = sa;
      fresh = true;
    }
    return fresh;
  }

  // Whether the SAD still holds this very SA under its key (not deleted, not replaced by an update).
  bool sad_holds(const Sa& sa) const {
    const SaConfig& c = sa.config();
    return dp.sad().get(SaKey{c.dst, c.proto, c.spi}).get() == &sa;
  }

  // After an entry was cleared: every waiting SA the SAD still holds, alive,
  // is tried again (its bucket may be the one that has room now).
  void retry_waiting() {
    freed = false;
    std::vector<SaRef> again;
    for (auto it = waiting.begin(); it != waiting.end();) {
      SaRef sa = it->second.lock();
      const bool keep = sa && sa->state() != SaState::kDead && sad_holds(*sa);
      if (keep) again.push_back(std::move(sa));
      it = keep ? std::next(it) : waiting.erase(it);
    }
    for (const SaRef& sa : again) {
      if (!in_slot.count(sa.get())) place_inbound(sa);
    }
  }

  // The SA's outbound entry, placed in any free entry the first time.
  std::optional<std::uint32_t> outbound_slot(const SaRef& sa, Mode mode) {
    if (auto it = out_slot.find(sa.get()); it != out_slot.end()) return it->second;
    for (std::uint32_t i = 0; i < slots.size(); ++i) {
      if (slots[i].sa) continue;
      slots[i] = Slot{sa, false, false, mode, nullptr, 0, 0};
      write_slot(i);
      out_slot[sa.get()] = i;
      ++st.sa_outbound;
      if (out_waiting.erase(sa.get()) != 0) ++st.sa_placed_late;
      return i;
    }
    // Counted once per SA, however many flows try it; SAs that went are
    // forgotten once the list grows.
    if (out_waiting.size() >= 4096) std::erase_if(out_waiting, [](const auto& e) { return e.second.expired(); });
    if (first_wait(out_waiting, sa)) ++st.sa_no_room;
    return std::nullopt;
  }

  SeqSnapshot outbound_seqs() const {
    SeqSnapshot s;
    dp.sad().for_each([&](const SaRef& sa) { s.emplace_back(sa, sa->runtime().seq_out.load()); },
                      IpsecProto::kEsp);
    return s;
  }

  std::optional<FlowEntry> flow_key(const IpInfo& ip, bool icmp_sel);
  std::optional<std::uint32_t> place_flow(const FlowEntry& f, std::vector<bool>& used);
  void load_policies();
  void clear_slot(std::uint32_t index);
  void clear_stale_slots(bool sad_changed);
  void follow_spd();
  void flush_flows();
  void consider(const SaRef& sa, std::map<const Sa*, std::weak_ptr<Sa>>& into);
  void place_new_sas();
  void place_changed_sas(std::uint64_t since);
  void install_flow(const IpInfo& ip, const Result& r, const std::vector<SaRef>& used);
  void install_inbound_flow(const IpInfo& ip, const Result& r);
  Result answer_outbound(const PacketMeta& meta, Packet& p);
  Result answer_inbound(const PacketMeta& meta, Packet& p);
  void apply_event(const PacketMeta& meta);
  bool note_forward(Direction dir, ByteView in_frame, ByteView out_frame);
};

// The key of a packet's flow entry, or nullopt (counted) when the card's key
// cannot tell the flow apart.
std::optional<FlowEntry> CardOffload::Impl::flow_key(const IpInfo& ip, bool icmp_sel) {
  if (ip.is_fragment || (!has_ports(ip.ulproto) && icmp_sel)) {
    ++st.flows_not_cacheable;
    return std::nullopt;
  }
  FlowEntry f{};
  f.valid = 1;
  f.ipv6 = ip.version == 6;
  f.protocol = ip.ulproto;
  if (has_ports(ip.ulproto)) {
    if (!ip.sport || !ip.dport) {
      ++st.flows_not_cacheable;
      return std::nullopt;
    }
    f.src_port = *ip.sport;
    f.dst_port = *ip.dport;
  }
  f.src_addr = address_words(ip.src);
  f.dst_addr = address_words(ip.dst);
  return f;
}

// Writes f into a free way of its bucket in the table whose entries used
// marks; the index, or nullopt (counted) when the bucket is full.
std::optional<std::uint32_t> CardOffload::Impl::place_flow(const FlowEntry& f, std::vector<bool>& used) {
  const std::uint32_t b = flow_bucket(f, info.caps.flow_count);
  for (std::uint32_t w = 0; w < kWays; ++w) {
    const std::uint32_t i = b * kWays + w;
    if (used[i]) continue;
    write_flow_entry(bus, info, i, f);
    used[i] = true;
    ++st.flows_installed;
    if (f.inbound) ++st.flows_inbound;
    return i;
  }
  ++st.flows_no_room;
  return std::nullopt;
}

// The SA entry goes: written invalid with every key word zero (an all-zero
// context), and the outbound flow entries that protect with it are removed,
// so their packets reach the host again (flow_miss).
void CardOffload::Impl::clear_slot(std::uint32_t index) {
  write_sa_context(bus, info, index, SaContext{});
  for (std::uint32_t f = 0; f < flow_sa.size(); ++f) {
    if (flow_sa[f] != static_cast<std::int64_t>(index)) continue;
    write_flow_entry(bus, info, f, FlowEntry{});
    flow_used[f] = false;
    flow_sa[f] = -1;
    ++st.flows_removed;
  }
  Slot& s = slots[index];
  (s.inbound ? in_slot : out_slot).erase(s.sa.get());
  if (s.inbound && s.replay_words != 0) replay_free[index] = ReplayRange{s.replay_base, s.replay_words};
  s = Slot{};
  ++st.sa_cleared;
  freed = true;
}

// SAs the SAD no longer holds (deleted, flushed, replaced by an update) or
// that are dead leave the card; an inbound entry the card disabled itself
// stays until the SAD drops its SA (the card drops its packets as
// lifetime_expired meanwhile). Without a SAD change every SA of the card is
// still held: only states are looked at.
void CardOffload::Impl::clear_stale_slots(bool sad_changed) {
  std::vector<std::uint32_t> stale;
  for (const auto* table : {&in_slot, &out_slot}) {
    for (const auto& [sa, i] : *table) {
      const Slot& s = slots[i];
      const bool held = !sad_changed || sad_holds(*s.sa);
      const bool dead = s.sa->state() == SaState::kDead && !s.card_disabled;
      if (!held || dead) stale.push_back(i);
    }
  }
  for (std::uint32_t i : stale) clear_slot(i);
}

// The inbound policies the card's entries check, and whether flows without
// ports can be cached, from the SPD as it is now.
void CardOffload::Impl::load_policies() {
  in_policies.clear();
  icmp_selectors = in_icmp_selectors = false;
  dp.spd().for_each([&](const Policy& p) {
    if (p.dir == Direction::kIn) in_policies.push_back(p);
    if (icmp_selector(p)) (p.dir == Direction::kOut ? icmp_selectors : in_icmp_selectors) = true;
  });
  in_tunnel.clear();
  in_transport = RequestMatch{};
  for (const Policy& p : in_policies) {
    if (p.action != PolicyAction::kIpsec) continue;
    for (const IpsecRequest& r : p.requests) {
      if (r.proto != IpsecProto::kEsp) continue;
      if (r.mode == Mode::kTransport) in_transport.add(&p);
      else if (r.mode == Mode::kTunnel && r.src && r.dst) in_tunnel[{*r.src, *r.dst}].add(&p);
    }
  }
}

// The SPD changed: every cached answer may be stale, and so may the selector
// an inbound entry checks.
void CardOffload::Impl::follow_spd() {
  flush_flows();
  const std::vector<Policy> old = std::move(in_policies);  // the old selectors point into it
  load_policies();
  std::vector<std::uint32_t> to_host;
  for (const auto& [sa, i] : in_slot) {
    Slot& s = slots[i];
    const Selector* sel = inbound_selector(s.sa->config(), s.mode);
    const bool same = sel && s.sel ? *sel == *s.sel : sel == s.sel;
    s.sel = sel;
    if (same || s.card_disabled) continue;  // a disabled entry stays disabled
    // The rewrite restarts the card's window: past the end of the sequence
    // space it could not hide what was accepted, so the SA goes to the host.
    if (inbound_start(*s.sa)) write_slot(i);
    else to_host.push_back(i);
  }
  for (std::uint32_t i : to_host) {
    clear_slot(i);
    ++st.sa_seq_end;
  }
}

// Removes every entry of both flow tables (counted): the next packet of each
// flow is a flow_miss the SPD answers afresh.
void CardOffload::Impl::flush_flows() {
  for (std::uint32_t f = 0; f < flow_used.size(); ++f) {
    if (!flow_used[f]) continue;
    write_flow_entry(bus, info, f, FlowEntry{});
    flow_used[f] = false;
    flow_sa[f] = -1;
    ++st.flows_flushed;
  }
  FlowEntry gone{};
  gone.inbound = 1;  // the bit chooses the table: an invalid entry of the inbound table
  for (std::uint32_t f = 0; f < in_flow_used.size(); ++f) {
    if (!in_flow_used[f]) continue;
    write_flow_entry(bus, info, f, gone);
    in_flow_used[f] = false;
    ++st.flows_flushed;
  }
}

// One SA the SAD holds: placed in the inbound table unless it is larval or
// dead, already considered (seen) or already on the card.
void CardOffload::Impl::consider(const SaRef& sa, std::map<const Sa*, std::weak_ptr<Sa>>& into) {
  const SaState state = sa->state();
  if (state == SaState::kLarval || state == SaState::kDead) return;
  into[sa.get()] = sa;
  auto it = seen.find(sa.get());
  if (it != seen.end() && it->second.lock() == sa) return;
  if (!in_slot.count(sa.get())) place_inbound(sa);
}

// SAs the SAD holds that the card has not considered yet go into the inbound
// table (outbound entries follow flows). Larval and dead SAs are left for a
// later walk.
void CardOffload::Impl::place_new_sas() {
  std::vector<SaRef> now;
  dp.sad().for_each([&](const SaRef& sa) { now.push_back(sa); });
  std::map<const Sa*, std::weak_ptr<Sa>> next;
  for (const SaRef& sa : now) consider(sa, next);
  seen = std::move(next);
}

// The SAs whose keys changed since generation `since`, from the SAD's change
// log: the work follows the changes, not the size of the SAD. A walk of the
// whole SAD when the log no longer reaches back that far.
void CardOffload::Impl::place_changed_sas(std::uint64_t since) {
  const auto changes = dp.sad().changed_since(since);
  if (!changes) return place_new_sas();
  std::map<const Sa*, std::weak_ptr<Sa>> considered;
  for (const SaKey& k : changes->keys)
    if (const SaRef sa = dp.sad().get(k)) consider(sa, considered);
  for (auto& [sa, ref] : considered) seen[sa] = ref;
  // Entries of SAs that are gone: dropped once they outnumber the live ones.
  if (seen.size() > 2 * dp.sad().size() + 64) std::erase_if(seen, [](const auto& e) { return e.second.expired(); });
}

void CardOffload::Impl::install_flow(const IpInfo& ip, const Result& r, const std::vector<SaRef>& used) {
  auto key = flow_key(ip, icmp_selectors);
  if (!key) return;
  FlowEntry& f = *key;

  const auto pol = dp.spd().find(Direction::kOut, flow_key_of(ip));
  const bool plain_forward = r.verdict == Verdict::kForward && used.empty();
  const PolicyAction act = pol ? pol->action : PolicyAction::kNone;
  if ((act == PolicyAction::kNone || act == PolicyAction::kBypass) && plain_forward) {
    f.action = FlowEntry::Action::kBypass;
  } else if (pol && act == PolicyAction::kDiscard && r.verdict == Verdict::kDrop &&
             r.reason == Reason::kPolicyDiscard) {
    f.action = FlowEntry::Action::kDiscard;
  } else if (pol && act == PolicyAction::kIpsec && r.verdict == Verdict::kForward && used.size() == 1 &&
             pol->requests.size() == 1 && pol->requests[0].proto == IpsecProto::kEsp) {
    const Mode m = pol->requests[0].mode == Mode::kTunnel || used[0]->config().mode == Mode::kTunnel
                       ? Mode::kTunnel : Mode::kTransport;
    if (not_capable(used[0]->config(), info.caps, m)) {
      ++st.flows_not_cacheable;
      return;
    }
    auto slot = outbound_slot(used[0], m);
    if (!slot) return;
    f.action = FlowEntry::Action::kProtect;
    f.bundle_len = 1;
    f.sa_index0 = static_cast<std::uint16_t>(*slot);
  } else {
    ++st.flows_not_cacheable;
    return;
  }
  if (auto i = place_flow(f, flow_used); i && f.action == FlowEntry::Action::kProtect) flow_sa[*i] = f.sa_index0;
}

// An inbound packet without ESP the host answered: the card keeps the flow
// when the inbound SPD's answer needs no IPsec (bypass, no policy with
// def_policy accepting it, or a policy of `use` requests only) or is a
// discard policy. A flow whose policy requires IPsec stays with the host,
// which drops its clear packets (inbound_policy).
void CardOffload::Impl::install_inbound_flow(const IpInfo& ip, const Result& r) {
  if (inbound_content_decides(ip)) {
    ++st.flows_not_cacheable;
    return;
  }
  auto key = flow_key(ip, in_icmp_selectors);
  if (!key) return;
  FlowEntry& f = *key;
  f.inbound = 1;
  const auto pol = dp.spd().find(Direction::kIn, flow_key_of(ip));
  const PolicyAction act = pol ? pol->action : PolicyAction::kNone;
  // A policy whose every request is `use` accepts clear packets (ipsec(4)):
  // with no `default` level among them, the answer depends on no sysctl but
  // def_policy, which sync() follows.
  const bool all_use = pol && act == PolicyAction::kIpsec && !pol->requests.empty() &&
                       std::all_of(pol->requests.begin(), pol->requests.end(),
                                   [](const IpsecRequest& q) { return q.level == Level::kUse; });
  if ((act == PolicyAction::kNone || act == PolicyAction::kBypass || all_use) && r.verdict == Verdict::kForward &&
      r.reason == Reason::kNone) {
    f.action = FlowEntry::Action::kBypass;
  } else if (pol && act == PolicyAction::kDiscard && r.verdict == Verdict::kDrop &&
             r.reason == Reason::kPolicyDiscard) {
    f.action = FlowEntry::Action::kDiscard;
  } else {
    ++st.flows_not_cacheable;
    return;
  }
  place_flow(f, in_flow_used);
}

// An inbound exception: the software data plane answers it. A packet without
// ESP the card had no flow entry for may leave one behind.
Result CardOffload::Impl::answer_inbound(const PacketMeta& meta, Packet& p) {
  const auto reason = static_cast<CardReason>(meta.reason);
  const bool cleartext = reason == CardReason::kFlowMiss || reason == CardReason::kFlowToHost ||
                         reason == CardReason::kInboundClear;
  if (cleartext) ++st.cleartext_checked;
  const ParseResult pr = parse_ip(p.bytes(), false);
  const Result r = dp.input(p);
  if (reason == CardReason::kFlowMiss && pr.info && dp.last_history().empty()) install_inbound_flow(*pr.info, r);
  return r;
}

Result CardOffload::Impl::answer_outbound(const PacketMeta& meta, Packet& p) {
  const ParseResult pr = parse_ip(p.bytes(), false);
  const SeqSnapshot before = outbound_seqs();
  const Result r = dp.output(p);
  std::vector<SaRef> used;
  for (const auto& [sa, seq] : before) {
    if (sa->runtime().seq_out.load() == seq) continue;
    used.push_back(sa);
    // The card's copy continues from the number the host used last.
    if (auto it = out_slot.find(sa.get()); it != out_slot.end()) write_slot(it->second);
  }
  if (meta.reason == static_cast<std::uint8_t>(CardReason::kFlowMiss) && pr.info) install_flow(*pr.info, r, used);
  return r;
}

void CardOffload::Impl::apply_event(const PacketMeta& meta) {
  ++st.events;
  if (meta.index >= slots.size() || !slots[meta.index].sa) return;
  Sa& sa = *slots[meta.index].sa;
  switch (static_cast<CardReason>(meta.reason)) {
    case CardReason::kLifetimeSoft:
      if (sa.state() == SaState::kMature) sa.set_state(SaState::kDying);
      break;
    case CardReason::kLifetimeExpired:
      // The card disabled this entry: an inbound one stays (clear_stale_slots).
      slots[meta.index].card_disabled = slots[meta.index].inbound;
      sa.set_state(SaState::kDead);
      states_changed = true;
      break;
    case CardReason::kSeqOverflow:
      sa.set_state(SaState::kDead);
      states_changed = true;
      break;
    default: break;
  }
}

CardOffload::CardOffload(RegisterTransport& bus, DataPlane& dp) : impl_(std::make_unique<Impl>(bus, dp)) {}
CardOffload::~CardOffload() = default;

const CardInfo& CardOffload::card() const { return impl_->info; }
const OffloadStats& CardOffload::stats() const { return impl_->st; }

void CardOffload::program() {
  Impl& m = *impl_;
  m.info = discover(m.bus);
  check_flow_window(m.info);
  const Capabilities& caps = m.info.caps;
  if (caps.sa_count < kWays || caps.flow_count < kWays) throw Error("card tables smaller than one bucket");
  m.slots.assign(caps.sa_count, Slot{});
  m.flow_used.assign(caps.flow_count, false);
  m.in_flow_used.assign(caps.flow_count, false);
  m.flow_sa.assign(caps.flow_count, -1);
  m.out_slot.clear();
  m.in_slot.clear();
  m.seen.clear();
  m.waiting.clear();
  m.out_waiting.clear();
  m.freed = false;
  m.replay_free.clear();
  m.replay_next = 0;
  m.states_changed = false;
  m.deaths_seen = Sa::deaths();
  // Read before the walks: a change made while they run is followed by the next sync().
  m.sad_gen = m.dp.sad().generation();
  m.spd_gen = m.dp.spd().generation();
  m.load_policies();

  m.applied = m.dp.sysctl();
  m.write_settings();
  m.enable(false);
  m.place_new_sas();
  m.enable(m.card_can_follow());
}

// A sysctl changed: the settings are written again, and every cached answer
// goes (def_policy and the default levels decide them). The data path is on
// only while the card can do what the sysctls say.
void CardOffload::Impl::follow_sysctl() {
  applied = dp.sysctl();
  ++st.sysctl_changes;
  write_settings();
  flush_flows();
  enable(card_can_follow());
}

void CardOffload::sync() {
  Impl& m = *impl_;
  if (m.slots.empty()) return;
  const std::uint64_t sad_gen = m.dp.sad().generation(), spd_gen = m.dp.spd().generation();
  const bool sad_changed = sad_gen != m.sad_gen, spd_changed = spd_gen != m.spd_gen;
  const std::uint64_t deaths = Sa::deaths();
  if (deaths != m.deaths_seen) m.states_changed = true;
  if (!(m.dp.sysctl() == m.applied)) m.follow_sysctl();
  if (!sad_changed && !spd_changed && !m.states_changed) return;
  m.deaths_seen = deaths;
  const std::uint64_t followed = m.sad_gen;
  m.sad_gen = sad_gen;
  m.spd_gen = spd_gen;
  m.states_changed = false;
  m.clear_stale_slots(sad_changed);
  if (spd_changed) m.follow_spd();
  if (sad_changed) m.place_changed_sas(followed);
  if (m.freed && !m.waiting.empty()) m.retry_waiting();
}

void CardOffload::sa_states_changed() { impl_->states_changed = true; }

std::optional<Result> CardOffload::answer(const PacketMeta& meta, ByteView frame, Packet& out) {
  Impl& m = *impl_;
  sync();
  if (is_sa_event(meta)) {
    m.apply_event(meta);
    return std::nullopt;
  }
  if (meta.reason < m.st.exceptions.size()) ++m.st.exceptions[meta.reason];
  if (meta.mirrored) {
    // A copy of a frame the card dropped and counted: nothing to answer.
    auto r = host_reason(meta.reason);
    return Result{Verdict::kDrop, r ? *r : Reason::kNone};
  }
  std::size_t l3 = meta.l3_offset;
  if (l3 == 0 || l3 >= frame.size()) {
    auto eth = parse_ethernet(frame);
    if (!eth) return Result{Verdict::kDrop, Reason::kNotEthernetIp};
    l3 = eth->l3_off;
  }
  if (!out.assign(frame.subspan(l3))) return Result{Verdict::kDrop, Reason::kTooBig};
  if (ParseResult pr = parse_ip(out.bytes(), false); pr.info && pr.info->total_len < out.size())
    out.trim_back(out.size() - pr.info->total_len);
  ++m.st.host_answered;
  // The software data plane may kill an SA (hard lifetime, sequence overflow):
  // Sa::deaths() tells the next sync(), which then looks at the card's SAs.
  if (meta.direction == PacketMeta::Direction::kOutbound) return m.answer_outbound(meta, out);
  return m.answer_inbound(meta, out);
}

bool CardOffload::note_card_forward(Direction dir, ByteView in_frame, ByteView out_frame) {
  Impl& m = *impl_;
  // The card handled the frame with the entries it had: they are followed
  // first, then whatever changed since.
  const bool noted = m.note_forward(dir, in_frame, out_frame);
  sync();
  return noted;
}

bool CardOffload::Impl::note_forward(Direction dir, ByteView in_frame, ByteView out_frame) {
  Impl& m = *this;
  ++m.st.card_forwarded;
  const bool outbound = dir == Direction::kOut;
  const auto esp = find_esp(outbound ? out_frame : in_frame);
  if (!esp) return false;  // bypassed by a flow entry, or not ESP
  SaRef sa;
  std::uint64_t card_start = 0;
  if (outbound) {
    for (const auto& [p, i] : m.out_slot) {
      const SaConfig& c = m.slots[i].sa->config();
      if (c.spi == esp->spi && c.dst == esp->dst) sa = m.slots[i].sa;
    }
  } else {
    sa = m.dp.sad().get(SaKey{esp->dst, IpsecProto::kEsp, esp->spi});
    const auto it = sa ? m.in_slot.find(sa.get()) : m.in_slot.end();
    if (it == m.in_slot.end()) return false;
    card_start = m.slots[it->second].card_start;
  }
  if (!sa) return false;
  SaRuntime& rt = sa->runtime();
  const auto plain = outbound ? in_frame : out_frame;
  std::uint64_t bytes = 0;
  if (auto eth = parse_ethernet(plain)) {
    if (ParseResult pr = parse_ip(plain.subspan(eth->l3_off), false); pr.info) bytes = pr.info->total_len;
  }
  if (outbound) {
    // The 64-bit number whose low half the card sent: the first above the host's.
    const std::uint64_t host = rt.seq_out.load();
    std::uint64_t seq = (host & ~std::uint64_t{0xffffffffu}) | esp->seq;
    if (sa->config().esn && seq <= host) seq += std::uint64_t{1} << 32;
    rt.seq_out.store(seq);
    if (m.slots[m.out_slot[sa.get()]].mode == Mode::kTunnel && esp->dst.family == 4)
      rt.ip_id.store(static_cast<std::uint16_t>(esp->ipv4_id + 1));
  } else {
    // The number the card inferred, from its window: at the entry's start
    // until the host's top passes it (inbound_start).
    const SaConfig& c = sa->config();
    const std::uint64_t top = rt.replay.top();
    const std::uint64_t seq = card_start > top ? infer_seq(c.esn, c.replay_window, card_start, esp->seq)
                                               : rt.replay.infer(esp->seq);
    if (seq != 0) rt.replay.update(seq);
  }
  SaCurrent& cur = sa->current();
  cur.packets.fetch_add(1);
  cur.bytes.fetch_add(bytes);
  if (cur.first_use_time.load() == 0) cur.first_use_time.store(unix_now());
  return true;
}

std::vector<std::uint64_t> CardOffload::read_drop_counters() {
  Impl& m = *impl_;
  std::vector<std::uint64_t> c(m.info.caps.reason_count);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = read_drop_counter(m.bus, m.info, static_cast<std::uint8_t>(i));
  return c;
}

std::vector<CardSaCounters> CardOffload::read_sa_counters() {
  Impl& m = *impl_;
  std::vector<CardSaCounters> out;
  for (std::uint32_t i = 0; i < m.slots.size(); ++i) {
    if (!m.slots[i].sa) continue;
    const SaCounters c = card::read_sa_counters(m.bus, m.info, i);
    out.push_back({i, m.slots[i].sa->config().spi, m.slots[i].inbound, c.packets, c.bytes});
  }
  return out;
}

}  // namespace aipsec::card
