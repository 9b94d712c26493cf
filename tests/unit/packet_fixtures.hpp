// Loading the Scapy-generated fixtures of tests/data/packets (see its README).
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "aipsec/common.hpp"

namespace aipsec::test {

inline std::string packet_data_path(const std::string& file) {
  return std::string(AIPSEC_TEST_DATA) + "/packets/" + file;
}

inline nlohmann::json load_packet_json(const std::string& file) {
  std::ifstream in(packet_data_path(file));
  if (!in) throw std::runtime_error("missing fixture " + packet_data_path(file));
  return nlohmann::json::parse(in);
}

inline Bytes hex_bytes(const nlohmann::json& j) { return from_hex(j.get<std::string>()); }

// The packet bytes of the case called name in a list fixture.
inline Bytes case_bytes(const std::string& file, const std::string& name) {
  for (const auto& c : load_packet_json(file))
    if (c["name"] == name) return hex_bytes(c["hex"]);
  throw std::runtime_error("no case " + name + " in " + file);
}

}  // namespace aipsec::test
