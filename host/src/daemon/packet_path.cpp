// The backends of the data-plane thread: the software data plane, and any a
// program registers (ipsecd: the card in co-simulation, where built).
#include <map>
#include <mutex>

#include "aipsec/daemon.hpp"

namespace aipsec::daemon {
namespace {

class SoftwarePath final : public PacketPath {
 public:
  explicit SoftwarePath(DataPlane& dp) : dp_(dp) {}
  Result output(Packet& p) override { return dp_.output(p); }
  Result input(Packet& p) override { return dp_.input(p); }

 private:
  DataPlane& dp_;
};

struct Registry {
  std::mutex mu;
  std::map<std::string, PacketPathFactory> makers;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_backend(const std::string& name, PacketPathFactory make) {
  if (name == "software") throw Error("the software backend is built in");
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.makers[name] = std::move(make);
}

std::vector<std::string> backends() {
  std::vector<std::string> names{"software"};
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  for (const auto& [name, make] : r.makers) names.push_back(name);
  return names;
}

std::unique_ptr<PacketPath> make_packet_path(const std::string& backend, DataPlane& dp) {
  if (backend == "software") return std::make_unique<SoftwarePath>(dp);
  PacketPathFactory make;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    auto it = r.makers.find(backend);
    if (it == r.makers.end()) throw Error("--backend " + backend + ": not available in this build");
    make = it->second;
  }
  return make(dp);
}

}  // namespace aipsec::daemon
