// Verilator test of hmac_sha_core against standard vectors and OpenSSL.
//   vectors              Wycheproof hmac_sha1 / hmac_sha256, RFC 2202, RFC 4231
//   random N SEED        N random messages (0..9000 bytes), keys, tag lengths,
//                        both contexts interleaved, random gaps and back-pressure
//   bench                cycles for one message alone and two interleaved
// Prints "N passed, M failed"; exits non-zero on any failure.
#include "hmac_driver.hpp"

#include MODEL_HEADER

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <list>

namespace {

using hmac_tb::Bytes;
using hmac_tb::Job;
using Drv = hmac_tb::Driver<MODEL_CLASS, DATA_BYTES, KEY_SLOT_W, CONTEXTS>;

Bytes unhex(const std::string& s) {
    Bytes b;
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
        b.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
    }
    return b;
}

nlohmann::json load(const std::string& rel) {
    std::ifstream f(std::string(AIPSEC_TEST_DATA) + "/vectors/" + rel);
    if (!f) {
        std::printf("cannot open %s\n", rel.c_str());
        std::exit(2);
    }
    return nlohmann::json::parse(f);
}

void wycheproof(std::list<Job>& jobs, const std::string& file, bool sha256) {
    auto doc = load("wycheproof/" + file);
    for (const auto& g : doc["testGroups"]) {
        unsigned tag_bytes = g["tagSize"].get<unsigned>() / 8;
        for (const auto& t : g["tests"]) {
            Job j;
            j.name = file + " tcId " + std::to_string(t["tcId"].get<int>());
            j.sha256 = sha256;
            j.tag_len = tag_bytes;
            j.key = unhex(t["key"]);
            j.msg = unhex(t["msg"]);
            j.given_tag = unhex(t["tag"]);
            j.given_valid = t["result"] == "valid";
            jobs.push_back(j);
        }
    }
}

void rfc(std::list<Job>& jobs) {
    auto doc = load("rfc/esp_vectors.json");
    for (const auto& t : doc["rfc2202_hmac_sha1"]) {
        Job j;
        j.name = t["id"];
        j.sha256 = false;
        j.key = unhex(t["key"]);
        j.msg = unhex(t["data"]);
        j.given_tag = unhex(t["hmac_sha1"]);
        jobs.push_back(j);
        if (t.contains("hmac_sha1_96")) {
            j.name += " (96-bit)";
            j.tag_len = 12;
            j.given_tag = unhex(t["hmac_sha1_96"]);
            jobs.push_back(j);
        }
    }
    for (const auto& t : doc["rfc4231_hmac_sha256"]) {
        Job j;
        j.name = t["id"];
        j.sha256 = true;
        j.key = unhex(t["key"]);
        j.msg = unhex(t["data"]);
        j.given_tag = unhex(t["hmac_sha256"]);
        j.tag_len = t["mac_len"].get<unsigned>();
        jobs.push_back(j);
    }
}

int finish(const hmac_tb::Stats& s) {
    std::printf("%u passed, %u failed\n", s.passed, s.failed);
    return s.failed == 0 && s.passed > 0 ? 0 : 1;
}

int run_vectors() {
    std::list<Job> jobs;
    wycheproof(jobs, "hmac_sha1_test.json", false);
    wycheproof(jobs, "hmac_sha256_test.json", true);
    rfc(jobs);
    Drv drv(1);
    drv.in_gap_pct = 10;
    drv.out_stall_pct = 20;
    int c = 0;
    for (auto& j : jobs) {
        drv.add(c, &j);
        c = (c + 1) % CONTEXTS;
    }
    hmac_tb::Stats s;
    drv.run(s);
    return finish(s);
}

int run_random(unsigned n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::list<Job> jobs;
    for (unsigned i = 0; i < n; ++i) {
        Job j;
        j.name = "random " + std::to_string(i);
        j.sha256 = rng() & 1;
        j.hmac = (rng() % 5) != 0;
        unsigned kind = rng() % 10;
        std::size_t len = kind < 5 ? rng() % 200 : kind < 8 ? rng() % 1600 : rng() % 9001;
        j.msg.resize(len);
        for (auto& b : j.msg) {
            b = static_cast<std::uint8_t>(rng());
        }
        j.key.resize(rng() % 100);
        for (auto& b : j.key) {
            b = static_cast<std::uint8_t>(rng());
        }
        static const unsigned tags[] = {0, 12, 16, 20, 32, 63};
        j.tag_len = (rng() % 4 == 0) ? 1 + rng() % 32 : tags[rng() % 6];
        jobs.push_back(j);
    }
    Drv drv(seed);
    drv.in_gap_pct = 15;
    drv.out_stall_pct = 30;
    for (auto& j : jobs) {
        drv.add(static_cast<int>(rng() % CONTEXTS), &j);
    }
    hmac_tb::Stats s;
    drv.run(s);
    std::printf("%llu cycles\n", static_cast<unsigned long long>(drv.cycles()));
    return finish(s);
}

// Cycles per message for one context alone and for all contexts busy.
int run_bench() {
    hmac_tb::Stats s;
    const double mhz = 322.0;
    std::printf("DATA_W=%u bits, %u contexts, clock %.0f MHz (projected)\n", DATA_BYTES * 8, CONTEXTS, mhz);
    std::printf("%-12s %6s %9s %11s %11s %12s\n", "alg", "bytes", "latency", "alone Gb/s",
                "all cyc/msg", "all Gb/s");
    for (bool sha256 : {false, true}) {
        for (std::size_t len : {64u, 576u, 1500u, 9000u}) {
            const unsigned msgs = 6;
            std::list<Job> alone, all;
            for (unsigned i = 0; i < msgs; ++i) {
                Job j;
                j.name = "bench";
                j.sha256 = sha256;
                j.key = Bytes(20, 0x0b);
                j.msg = Bytes(len, static_cast<std::uint8_t>(i));
                alone.push_back(j);
                for (unsigned c = 0; c < CONTEXTS; ++c) {
                    all.push_back(j);
                }
            }
            Drv one(1);
        one.hol_pct = 0;
            for (auto& j : alone) {
                one.add(0, &j);
            }
            std::uint64_t c0 = one.cycles();
            one.run(s);
            double alone_cyc = double(one.cycles() - c0) / msgs;
            double latency = double(alone.front().t_tag - alone.front().t_first);
            Drv many(1);
        many.hol_pct = 0;
            int c = 0;
            for (auto& j : all) {
                many.add(c, &j);
                c = (c + 1) % CONTEXTS;
            }
            c0 = many.cycles();
            many.run(s);
            double all_cyc = double(many.cycles() - c0) / (double(CONTEXTS) * msgs);
            std::printf("%-12s %6zu %9.0f %11.2f %11.1f %12.2f\n", sha256 ? "hmac-sha256" : "hmac-sha1",
                        len, latency, len * 8.0 * mhz / 1000.0 / alone_cyc, all_cyc,
                        len * 8.0 * mhz / 1000.0 / all_cyc);
        }
    }
    return finish(s);
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "vectors";
    if (mode == "vectors") {
        return run_vectors();
    }
    if (mode == "random") {
        unsigned n = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 200;
        std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
        return run_random(n, seed);
    }
    if (mode == "bench") {
        return run_bench();
    }
    std::printf("usage: %s vectors | random N SEED | bench\n", argv[0]);
    return 2;
}
