// Applying setkey commands to a data plane's SAD and SPD.
#include "aipsec/dataplane.hpp"
#include "config/setkey_internal.hpp"

namespace aipsec::setkey {

namespace {
struct Applier {
  DataPlane& dp;

  std::string operator()(const SaAddCommand& c) {
    if (c.update) dp.sad().update(c.sa);
    else dp.sad().add(c.sa);
    return {};
  }
  std::string operator()(const SaGetCommand& c) {
    SaRef sa = dp.sad().get(SaKey{c.dst, c.proto, c.spi});
    if (!sa || sa->config().src != c.src) throw Error("no such SA");
    return format_sa(*sa);
  }
  std::string operator()(const SaDeleteCommand& c) {
    SaRef sa = dp.sad().get(SaKey{c.dst, c.proto, c.spi});
    if (!sa || sa->config().src != c.src) throw Error("no such SA");
    dp.sad().remove(SaKey{c.dst, c.proto, c.spi});
    return {};
  }
  std::string operator()(const SaDeleteAllCommand& c) {
    dp.sad().remove_all(c.src, c.dst, c.proto);
    return {};
  }
  std::string operator()(const SaFlushCommand& c) {
    dp.sad().flush(c.proto);
    return {};
  }
  std::string operator()(const SaDumpCommand& c) { return format_sad(dp.sad(), c.proto); }
  std::string operator()(const SpdAddCommand& c) {
    if (c.update) dp.spd().update(c.policy);
    else dp.spd().add(c.policy);
    return {};
  }
  std::string operator()(const SpdDeleteCommand& c) {
    if (!dp.spd().remove(c.sel, c.dir)) throw Error("no such policy");
    return {};
  }
  std::string operator()(const SpdFlushCommand&) {
    dp.spd().flush();
    return {};
  }
  std::string operator()(const SpdDumpCommand&) { return format_spd(dp.spd()); }
};
}  // namespace

std::string apply(DataPlane& dp, const Command& cmd, std::string_view file) {
  try {
    return std::visit(Applier{dp}, cmd);
  } catch (const Error& e) {
    throw Error(std::string(file) + ":" + std::to_string(command_line(cmd)) + ": " + e.what());
  }
}

std::string apply_all(DataPlane& dp, const std::vector<Command>& cmds, std::string_view file) {
  std::string out;
  for (const auto& c : cmds) out += apply(dp, c, file);
  return out;
}

}  // namespace aipsec::setkey
