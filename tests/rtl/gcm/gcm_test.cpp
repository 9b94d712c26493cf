// Test bench of gcm_core (DATA_W = GCM_DATA_W).
// Oracles: NIST CAVP GCM (all entries of the four files, decrypt FAIL cases
// included), Wycheproof aes_gcm / aes_gmac (96-bit IV, 128/256-bit keys) and
// OpenSSL EVP AES-GCM on random packets (keys, IVs, AAD 8/12/other, text
// 0..9000 bytes, tags 4..16, both directions, corrupted tags), fed back to
// back with random input gaps and output back-pressure; at full speed (input
// valid every clock, output always ready) no beat is refused and the output
// has no idle clock between its first and last beat.
// Usage: gcm_test cavp <dir> | wycheproof <dir> | random <count> <seed> | bench
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "Vgcm_core.h"
#include "rtl_bytes.hpp"

using rtl_test::Bytes;

namespace {

constexpr size_t kBeatBytes = GCM_DATA_W / 8;

struct Packet {
    std::string name;
    Bytes key, nonce, aad, text;   // text: plaintext (encrypt) or ciphertext (decrypt)
    Bytes rx_tag;                  // decrypt: received tag (tag_len bytes)
    unsigned tag_len = 16;
    bool decrypt = false;
    Bytes want_text;               // expected output text
    Bytes want_tag;                // expected computed tag (tag_len bytes)
    bool want_ok = false;          // decrypt: expected verdict
};

// OpenSSL AES-GCM: output text and the full 16-byte tag of (aad, ciphertext).
void openssl_gcm(const Packet& p, Bytes& out_text, Bytes& tag) {
    const EVP_CIPHER* cipher = p.key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_CipherInit_ex(ctx, cipher, nullptr, nullptr, nullptr, p.decrypt ? 0 : 1);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr);
    EVP_CipherInit_ex(ctx, nullptr, nullptr, p.key.data(), p.nonce.data(), -1);
    int len = 0;
    if (!p.aad.empty()) {
        EVP_CipherUpdate(ctx, nullptr, &len, p.aad.data(), static_cast<int>(p.aad.size()));
    }
    out_text.assign(p.text.size(), 0);
    if (!p.text.empty()) {
        EVP_CipherUpdate(ctx, out_text.data(), &len, p.text.data(), static_cast<int>(p.text.size()));
    }
    tag.assign(16, 0);
    if (p.decrypt) {
        // The tag of (aad, ciphertext) is the encryption tag of the plaintext.
        Packet enc = p;
        enc.decrypt = false;
        enc.text = out_text;
        Bytes ignored;
        openssl_gcm(enc, ignored, tag);
    } else {
        EVP_CipherFinal_ex(ctx, nullptr, &len);
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag.data());
    }
    EVP_CIPHER_CTX_free(ctx);
}

Bytes truncate(Bytes b, size_t n) {
    b.resize(n);
    return b;
}

// Fills want_* from OpenSSL; returns false when the vector disagrees with it.
bool fill_expected(Packet& p, const Bytes* vector_text, const Bytes* vector_tag) {
    Bytes text;
    Bytes tag;
    openssl_gcm(p, text, tag);
    p.want_text = text;
    p.want_tag = truncate(tag, p.tag_len);
    if (p.decrypt) p.want_ok = p.rx_tag == p.want_tag;
    bool agree = true;
    if (vector_text && *vector_text != text) agree = false;
    if (vector_tag && *vector_tag != p.want_tag) agree = false;
    return agree;
}

struct Result {
    Bytes stream;
    Bytes tag;
    bool ok = false;
};

class Bench {
public:
    explicit Bench(std::mt19937_64& rng) : rng_(rng), top_(std::make_unique<Vgcm_core>(&ctx_)) {
        top_->rst = 1;
        tick();
        tick();
        top_->rst = 0;
    }
    ~Bench() { top_->final(); }

    // Runs the packets back to back; returns the output of each, in order.
    std::vector<Result> run(const std::vector<Packet>& pkts, int gap_pct, int stall_pct,
                            long* cycles = nullptr, std::vector<long>* first_in = nullptr,
                            std::vector<long>* last_out = nullptr) {
        std::vector<Result> results;
        Result cur;
        size_t pkt = 0;
        size_t beat = 0;
        long idle = 0;
        long cycle = 0;
        long out_gap = 0;   // clocks without an output beat since the previous one
        bool out_started = false;
        refused_ = 0;
        output_gaps_ = 0;
        while ((pkt < pkts.size() || results.size() < pkts.size()) && idle < 5000) {
            const bool offer = pkt < pkts.size() && static_cast<int>(rng_() % 100) >= gap_pct;
            bool last = false;
            top_->s_axis_tvalid = offer;
            if (offer) last = drive_beat(pkts[pkt], beat);
            top_->m_axis_tready = static_cast<int>(rng_() % 100) >= stall_pct;
            top_->eval();
            ++idle;
            if (top_->m_axis_tvalid && top_->m_axis_tready) {
                if (out_started) output_gaps_ += out_gap;
                out_started = true;
                out_gap = 0;
                idle = 0;
                collect(cur);
                if (top_->m_axis_tlast) {
                    cur.tag = rtl_test::get_bytes(top_->m_axis_tag, 0, 16);
                    cur.ok = top_->m_axis_tag_ok;
                    if (last_out) last_out->push_back(cycle);
                    results.push_back(cur);
                    cur = Result{};
                }
            } else if (out_started) {
                ++out_gap;
            }
            if (offer && !top_->s_axis_tready) ++refused_;
            if (offer && top_->s_axis_tready) {
                if (first_in && beat == 0) first_in->push_back(cycle);
                ++beat;
                if (last) {
                    ++pkt;
                    beat = 0;
                }
            }
            tick();
            ++cycle;
        }
        if (cycles) *cycles = cycle;
        return results;
    }

    // Of the last run: clocks on which a beat was offered and not taken, and
    // clocks between the first and the last output beat with no beat out.
    long refused() const { return refused_; }
    long output_gaps() const { return output_gaps_; }

private:
    static Bytes stream_of(const Packet& p) {
        Bytes s = p.aad;
        s.resize((p.aad.size() + 15) / 16 * 16, 0);
        s.insert(s.end(), p.text.begin(), p.text.end());
        return s;
    }

    // Sets the input ports for beat `beat` of p; returns true on its last beat.
    bool drive_beat(const Packet& p, size_t beat) {
        if (beat == 0) stream_ = stream_of(p);
        const size_t at = beat * kBeatBytes;
        const size_t n = stream_.size() > at ? std::min(kBeatBytes, stream_.size() - at) : 0;
        const bool last = at + kBeatBytes >= stream_.size();
        rtl_test::clear_port(top_->s_axis_tdata);
        if (n) rtl_test::put_bytes(top_->s_axis_tdata, 0, stream_.data() + at, n);
        set_keep(n);
        top_->s_axis_tlast = last;
        rtl_test::clear_port(top_->s_axis_key);
        rtl_test::put_bytes(top_->s_axis_key, 0, p.key.data(), p.key.size());
        top_->s_axis_key_256 = p.key.size() == 32;
        rtl_test::put_bytes(top_->s_axis_nonce, 0, p.nonce.data(), 12);
        top_->s_axis_aad_len = static_cast<uint16_t>(p.aad.size());
        top_->s_axis_tag_len = p.tag_len;
        top_->s_axis_decrypt = p.decrypt;
        rtl_test::clear_port(top_->s_axis_tag);
        if (!p.rx_tag.empty()) rtl_test::put_bytes(top_->s_axis_tag, 0, p.rx_tag.data(), p.rx_tag.size());
        return last;
    }

    void set_keep(size_t n) {
#if GCM_DATA_W == 512
        top_->s_axis_tkeep = n >= 64 ? ~uint64_t{0} : ((uint64_t{1} << n) - 1);
#else
        top_->s_axis_tkeep = static_cast<uint32_t>(n >= 32 ? 0xFFFFFFFFu : ((1u << n) - 1));
#endif
    }

    void collect(Result& r) {
        const uint64_t keep = top_->m_axis_tkeep;
        for (size_t i = 0; i < kBeatBytes; ++i) {
            if ((keep >> i) & 1) {
                r.stream.push_back(rtl_test::get_bytes(top_->m_axis_tdata, i, 1)[0]);
            }
        }
    }

    void tick() {
        top_->clk = 1;
        top_->eval();
        top_->clk = 0;
        top_->eval();
    }

    std::mt19937_64& rng_;
    VerilatedContext ctx_;
    std::unique_ptr<Vgcm_core> top_;
    Bytes stream_;
    long refused_ = 0;
    long output_gaps_ = 0;
};

void check_results(const std::vector<Packet>& pkts, const std::vector<Result>& res, rtl_test::Tally& t) {
    if (res.size() != pkts.size()) {
        t.check(false, "got " + std::to_string(res.size()) + " packets back, sent " + std::to_string(pkts.size()));
    }
    for (size_t i = 0; i < std::min(res.size(), pkts.size()); ++i) {
        const Packet& p = pkts[i];
        const size_t aad_zone = (p.aad.size() + 15) / 16 * 16;
        Bytes want = p.aad;
        want.resize(aad_zone, 0);
        want.insert(want.end(), p.want_text.begin(), p.want_text.end());
        Bytes want_tag = p.want_tag;
        want_tag.resize(16, 0);
        bool ok = res[i].stream == want && res[i].tag == want_tag;
        if (p.decrypt) ok = ok && res[i].ok == p.want_ok;
        else ok = ok && !res[i].ok;
        t.check(ok, p.name + ": text " + (res[i].stream == want ? "ok" : "WRONG") + ", tag " +
                        rtl_test::to_hex(res[i].tag) + " want " + rtl_test::to_hex(want_tag) +
                        ", verdict " + std::to_string(res[i].ok));
    }
}

// ------------------------------------------------------------------ CAVP
std::vector<Packet> load_cavp(const std::string& path, bool decrypt, rtl_test::Tally& t) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot open " + path);
    std::vector<Packet> out;
    std::string line;
    Packet p;
    Bytes ct, tag, pt;
    bool fail = false;
    bool have = false;
    auto flush = [&]() {
        if (!have) return;
        p.decrypt = decrypt;
        p.tag_len = static_cast<unsigned>(tag.size());
        if (decrypt) {
            p.text = ct;
            p.rx_tag = tag;
            const bool agree = fill_expected(p, fail ? nullptr : &pt, nullptr);
            t.check(agree && p.want_ok == !fail, p.name + ": OpenSSL disagrees with the vector");
        } else {
            p.text = pt;
            t.check(fill_expected(p, &ct, &tag), p.name + ": OpenSSL disagrees with the vector");
        }
        out.push_back(p);
        have = false;
        fail = false;
    };
    const std::string base = std::filesystem::path(path).filename().string();
    std::string section;
    while (std::getline(file, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("[Keylen", 0) == 0) section = line;
        const auto eq = line.find(" = ");
        const std::string k = eq == std::string::npos ? line : line.substr(0, eq);
        const std::string v = eq == std::string::npos ? "" : line.substr(eq + 3);
        if (k == "Count") {
            flush();
            p = Packet{};
            p.name = base + " " + section + " Count " + v;
            have = true;
        } else if (k == "Key") p.key = rtl_test::from_hex(v);
        else if (k == "IV") p.nonce = rtl_test::from_hex(v);
        else if (k == "PT") pt = rtl_test::from_hex(v);
        else if (k == "AAD") p.aad = rtl_test::from_hex(v);
        else if (k == "CT") ct = rtl_test::from_hex(v);
        else if (k == "Tag") tag = rtl_test::from_hex(v);
        else if (k == "FAIL") fail = true;
    }
    flush();
    return out;
}

// ------------------------------------------------------------------ Wycheproof
std::vector<Packet> load_wycheproof(const std::string& path, bool gmac, rtl_test::Tally& t, long& skipped) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot open " + path);
    const auto doc = nlohmann::json::parse(file);
    std::vector<Packet> out;
    for (const auto& g : doc.at("testGroups")) {
        const int iv_bits = g.at("ivSize");
        const int key_bits = g.at("keySize");
        const unsigned tag_bytes = g.at("tagSize").get<unsigned>() / 8;
        for (const auto& tc : g.at("tests")) {
            if (iv_bits != 96 || (key_bits != 128 && key_bits != 256) || tag_bytes < 4) {
                ++skipped;   // 96-bit IVs only (RFC 4106/4543); no AES-192
                continue;
            }
            const std::string name = std::filesystem::path(path).filename().string() + " tcId " +
                                     std::to_string(tc.at("tcId").get<int>());
            const bool valid = tc.at("result") != "invalid";
            Packet p;
            p.key = rtl_test::from_hex(tc.at("key"));
            p.nonce = rtl_test::from_hex(tc.at("iv"));
            p.tag_len = tag_bytes;
            const Bytes tag = rtl_test::from_hex(tc.at("tag"));
            Bytes msg;
            Bytes ct;
            if (gmac) {
                p.aad = rtl_test::from_hex(tc.at("msg"));
            } else {
                p.aad = rtl_test::from_hex(tc.at("aad"));
                msg = rtl_test::from_hex(tc.at("msg"));
                ct = rtl_test::from_hex(tc.at("ct"));
            }
            // Verify: decrypt the ciphertext against the given tag.
            Packet dec = p;
            dec.name = name + " verify";
            dec.decrypt = true;
            dec.text = ct;
            dec.rx_tag = tag;
            const bool agree = fill_expected(dec, valid ? &msg : nullptr, nullptr);
            t.check(agree && dec.want_ok == valid, dec.name + ": OpenSSL disagrees with the vector");
            out.push_back(dec);
            if (valid) {
                Packet enc = p;
                enc.name = name + " generate";
                enc.text = msg;
                t.check(fill_expected(enc, &ct, &tag), enc.name + ": OpenSSL disagrees with the vector");
                out.push_back(enc);
            }
        }
    }
    return out;
}

// ------------------------------------------------------------------ random
size_t random_text_len(std::mt19937_64& rng) {
    const unsigned r = rng() % 100;
    if (r < 45) return rng() % 128;
    if (r < 90) return rng() % 1600;
    return rng() % 9001;
}

std::vector<Packet> make_random(std::mt19937_64& rng, size_t count) {
    std::vector<Packet> out;
    for (size_t i = 0; i < count; ++i) {
        Packet p;
        p.name = "random packet " + std::to_string(i);
        p.key = rtl_test::random_bytes(rng, (rng() & 1) ? 32 : 16);
        p.nonce = rtl_test::random_bytes(rng, 12);
        const unsigned a = rng() % 4;
        p.aad = rtl_test::random_bytes(rng, a == 0 ? 8 : a == 1 ? 12 : rng() % 80);
        p.text = rtl_test::random_bytes(rng, random_text_len(rng));
        const unsigned tl = rng() % 4;
        p.tag_len = tl == 0 ? 8 : tl == 1 ? 12 : tl == 2 ? 16 : 4 + rng() % 13;
        p.decrypt = rng() & 1;
        if (p.decrypt) {
            Packet enc = p;
            enc.decrypt = false;
            Bytes unused_text;
            Bytes tag;
            openssl_gcm(enc, unused_text, tag);
            p.rx_tag = truncate(tag, p.tag_len);
            if (rng() % 4 == 0) p.rx_tag[rng() % p.tag_len] ^= static_cast<uint8_t>(1u << (rng() % 8));
        }
        fill_expected(p, nullptr, nullptr);
        out.push_back(p);
    }
    return out;
}

// ------------------------------------------------------------------ bench
void bench(std::mt19937_64& rng) {
    for (size_t len : {64u, 576u, 1500u, 9000u}) {
        Packet p;
        p.key = rtl_test::random_bytes(rng, 32);
        p.nonce = rtl_test::random_bytes(rng, 12);
        p.aad = rtl_test::random_bytes(rng, 8);
        p.text = rtl_test::random_bytes(rng, len);
        fill_expected(p, nullptr, nullptr);
        Bench alone(rng);
        std::vector<long> in;
        std::vector<long> out;
        alone.run({p}, 0, 0, nullptr, &in, &out);
        const long latency = out.at(0) - in.at(0);
        // Many packets, every one a new key, back to back.
        std::vector<Packet> many;
        for (int i = 0; i < 200; ++i) {
            Packet q = p;
            q.key = rtl_test::random_bytes(rng, (i & 1) ? 32 : 16);
            many.push_back(q);
        }
        Bench stream(rng);
        std::vector<long> in2;
        std::vector<long> out2;
        stream.run(many, 0, 0, nullptr, &in2, &out2);
        const double cycles = static_cast<double>(out2.back() - out2.front());
        const double blocks = 199.0 * static_cast<double>((p.aad.size() + 15) / 16 + (len + 15) / 16);
        const double bytes = 199.0 * static_cast<double>(len);
        const double lanes = GCM_DATA_W / 128;
        const double beats = 199.0 * std::ceil(blocks / 199.0 / lanes);
        std::printf("DATA_W=%d text=%zu B: latency %ld cycles (first beat in to last beat out); "
                    "interleaved keys: %.3f beats/clock, %.3f blocks/clock, %.1f Gbit/s payload at 322 MHz\n",
                    GCM_DATA_W, len, latency, beats / cycles, blocks / cycles, bytes * 8 * 322e6 / cycles / 1e9);
    }
}

int usage(const char* argv0) {
    std::fprintf(stderr, "usage: %s cavp <dir> | wycheproof <dir> | random <count> <seed> | bench\n", argv0);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage(argv[0]);
    const std::string mode = argv[1];
    std::mt19937_64 rng(argc > 3 ? std::stoull(argv[3]) : 1);
    rtl_test::Tally tally;
    std::vector<Packet> pkts;
    if (mode == "cavp" && argc > 2) {
        const std::string d = argv[2];
        for (const char* f : {"gcmEncryptExtIV128_IV96_subset.rsp", "gcmEncryptExtIV256_IV96_subset.rsp"}) {
            auto v = load_cavp(d + "/" + f, false, tally);
            pkts.insert(pkts.end(), v.begin(), v.end());
        }
        for (const char* f : {"gcmDecrypt128_IV96_subset.rsp", "gcmDecrypt256_IV96_subset.rsp"}) {
            auto v = load_cavp(d + "/" + f, true, tally);
            pkts.insert(pkts.end(), v.begin(), v.end());
        }
    } else if (mode == "wycheproof" && argc > 2) {
        const std::string d = argv[2];
        long skipped = 0;
        auto g = load_wycheproof(d + "/aes_gcm_test.json", false, tally, skipped);
        auto m = load_wycheproof(d + "/aes_gmac_test.json", true, tally, skipped);
        pkts.insert(pkts.end(), g.begin(), g.end());
        pkts.insert(pkts.end(), m.begin(), m.end());
        std::printf("note: %ld Wycheproof tests skipped (IV not 96 bits or AES-192: unsupported)\n", skipped);
    } else if (mode == "random" && argc > 3) {
        pkts = make_random(rng, std::stoul(argv[2]));
    } else if (mode == "bench") {
        bench(rng);
        return 0;
    } else {
        return usage(argv[0]);
    }
    std::printf("%zu packets\n", pkts.size());
    {
        Bench b(rng);
        check_results(pkts, b.run(pkts, 0, 0), tally);        // back to back, full speed
        // Input valid every clock and output always ready: one beat in and
        // one beat out per clock, across packet (and key) boundaries.
        tally.check(b.refused() == 0 && b.output_gaps() == 0,
                    "full speed: " + std::to_string(b.refused()) + " beats refused, " +
                        std::to_string(b.output_gaps()) + " idle output clocks");
        std::printf("full speed: %ld beats refused, %ld idle output clocks\n", b.refused(), b.output_gaps());
    }
    if (mode == "random") {
        Bench b(rng);
        check_results(pkts, b.run(pkts, 25, 35), tally);      // random gaps and back-pressure
    }
    return tally.finish();
}
