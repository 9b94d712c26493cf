// Byte <-> Verilator port helpers for the crypto-core test benches.
// Ports carry bytes in AXI order: byte n of a field in bits [8n+7:8n].
#pragma once

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <verilated.h>

namespace rtl_test {

using Bytes = std::vector<uint8_t>;

inline Bytes from_hex(const std::string& hex) {
    Bytes out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

inline std::string to_hex(const Bytes& b) {
    std::string s;
    char buf[3];
    for (uint8_t v : b) {
        std::snprintf(buf, sizeof buf, "%02x", v);
        s += buf;
    }
    return s;
}

// Writes len bytes at byte offset `at` of a wide port (other bits untouched).
template <std::size_t N>
void put_bytes(VlWide<N>& port, std::size_t at, const uint8_t* src, std::size_t len) {
    for (std::size_t i = 0; i < len; ++i) {
        const std::size_t n = at + i;
        uint32_t& word = port[n / 4];
        const unsigned shift = 8 * (n % 4);
        word = (word & ~(0xFFu << shift)) | (uint32_t{src[i]} << shift);
    }
}

template <std::size_t N>
void clear_port(VlWide<N>& port) {
    for (std::size_t i = 0; i < N; ++i) port[i] = 0;
}

template <std::size_t N>
Bytes get_bytes(const VlWide<N>& port, std::size_t at, std::size_t len) {
    Bytes out(len);
    for (std::size_t i = 0; i < len; ++i) {
        const std::size_t n = at + i;
        out[i] = static_cast<uint8_t>(port[n / 4] >> (8 * (n % 4)));
    }
    return out;
}

inline Bytes random_bytes(std::mt19937_64& rng, std::size_t len) {
    Bytes out(len);
    for (auto& b : out) b = static_cast<uint8_t>(rng());
    return out;
}

// Counts results and prints the summary line every bench ends with.
struct Tally {
    long passed = 0;
    long failed = 0;
    void check(bool ok, const std::string& what) {
        if (ok) {
            ++passed;
        } else {
            ++failed;
            if (failed <= 20) std::printf("FAIL: %s\n", what.c_str());
        }
    }
    int finish() const {
        std::printf("%ld passed, %ld failed\n", passed, failed);
        return failed == 0 && passed > 0 ? 0 : 1;
    }
};

}  // namespace rtl_test
