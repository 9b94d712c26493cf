// Cycle driver of hmac_sha_core: feeds messages of both contexts interleaved
// with random gaps and back-pressure, writes key slots, and checks every tag
// against the OpenSSL result.
#pragma once

#include "hmac_oracle.hpp"

#include <verilated.h>

#include <cstdio>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace hmac_tb {

struct Job {
    std::string name;
    bool sha256 = true;
    bool hmac = true;
    unsigned tag_len = 0;  // 0: whole digest
    Bytes key;
    Bytes msg;
    Bytes given_tag;       // vector tag (empty: none)
    bool given_valid = true;
    // Filled by the driver.
    Bytes expect;
    std::uint64_t t_first = 0, t_tag = 0;
};

struct Stats {
    unsigned passed = 0, failed = 0;
};

inline void put_bytes(std::uint64_t& port, const std::uint8_t* p, std::size_t n) {
    port = 0;
    for (std::size_t j = 0; j < n; ++j) {
        port |= std::uint64_t{p[j]} << (8 * j);
    }
}

template <std::size_t N>
void put_bytes(VlWide<N>& port, const std::uint8_t* p, std::size_t n) {
    for (std::size_t w = 0; w < N; ++w) {
        port[w] = 0;
    }
    for (std::size_t j = 0; j < n; ++j) {
        port[j / 4] |= std::uint32_t{p[j]} << (8 * (j % 4));
    }
}

template <class Model, unsigned DataBytes, unsigned KeySlotW, unsigned Contexts>
class Driver {
public:
    unsigned in_gap_pct = 0;     // chance of an idle input cycle
    unsigned out_stall_pct = 0;  // chance of m_axis_tready low
    unsigned hol_pct = 20;       // chance of offering a beat to a busy context
    bool verbose = false;

    explicit Driver(std::uint64_t seed) : rng_(seed), ctx_(Contexts) {
        vctx_ = std::make_unique<VerilatedContext>();
        top_ = std::make_unique<Model>(vctx_.get());
        top_->clk = 0;
        top_->rst = 1;
        for (int i = 0; i < 4; ++i) {
            tick();
        }
        top_->rst = 0;
    }

    void add(int ctx, Job* job) { ctx_[ctx].todo.push_back(job); }
    std::uint64_t cycles() const { return cycle_; }

    // Runs until every queued job has its tag; false on a stall.
    bool run(Stats& stats) {
        std::uint64_t idle = 0;
        while (pending()) {
            bool progress = step(stats);
            idle = progress ? 0 : idle + 1;
            if (idle > 200000) {
                std::printf("FAIL: no progress for %llu cycles at cycle %llu\n",
                            static_cast<unsigned long long>(idle),
                            static_cast<unsigned long long>(cycle_));
                ++stats.failed;
                return false;
            }
        }
        return true;
    }

private:
    struct Ctx {
        std::deque<Job*> todo;      // not started
        Job* feeding = nullptr;     // beats being offered
        std::size_t offset = 0;
        bool key_written = false;
        std::uint64_t key_cycle = 0;  // the slot write lands at the end of this cycle
        unsigned slot = 0;
        unsigned jobs = 0;
        std::deque<Job*> inflight;  // first beat taken, tag not yet seen
    };

    std::mt19937_64 rng_;
    std::unique_ptr<VerilatedContext> vctx_;
    std::unique_ptr<Model> top_;
    std::vector<Ctx> ctx_;
    int offered_ = -1;  // context whose beat is on s_axis (held until taken)
    std::uint64_t cycle_ = 0;

    bool chance(unsigned pct) { return (rng_() % 100) < pct; }

    bool pending() const {
        for (const auto& c : ctx_) {
            if (!c.todo.empty() || c.feeding || !c.inflight.empty()) {
                return true;
            }
        }
        return false;
    }

    void tick() {
        top_->clk = 1;
        top_->eval();
        top_->clk = 0;
        top_->eval();
        ++cycle_;
    }

    static unsigned beats_of(const Job& j) {
        return j.msg.empty() ? 1u : static_cast<unsigned>((j.msg.size() + DataBytes - 1) / DataBytes);
    }

    void expect_of(Job& j) {
        Bytes full = j.hmac ? hmac(j.sha256, j.key, j.msg) : digest(j.sha256, j.msg);
        unsigned len = (j.tag_len == 0 || j.tag_len > full.size()) ? full.size() : j.tag_len;
        j.expect.assign(full.begin(), full.begin() + len);
    }

    // Starts the next job of a context: its key state goes to a fresh slot.
    bool prepare_key(int c) {
        Ctx& x = ctx_[c];
        if (x.feeding || x.todo.empty()) {
            return false;
        }
        x.feeding = x.todo.front();
        x.todo.pop_front();
        x.offset = 0;
        x.key_written = false;
        // Slots per context alternate, so a slot is rewritten only long after its read.
        constexpr unsigned per_ctx = (1u << KeySlotW) / Contexts;
        static_assert(per_ctx >= 1, "at least one key slot per context");
        x.slot = c * per_ctx + (x.jobs++ % per_ctx);
        expect_of(*x.feeding);
        if (!x.feeding->hmac) {
            x.key_written = true;
            x.key_cycle = 0;
            return false;
        }
        auto ip = pad_state(x.feeding->sha256, x.feeding->key, 0x36);
        auto op = pad_state(x.feeding->sha256, x.feeding->key, 0x5c);
        for (int i = 0; i < 8; ++i) {
            top_->s_axis_key_tdata[i] = ip[i];
            top_->s_axis_key_tdata[8 + i] = op[i];
        }
        top_->s_axis_key_tdest = x.slot;
        top_->s_axis_key_tvalid = 1;
        x.key_written = true;
        x.key_cycle = cycle_;
        return true;
    }

    void offer(int c) {
        Ctx& x = ctx_[c];
        const Job& j = *x.feeding;
        std::size_t left = j.msg.size() - x.offset;
        bool last = left <= DataBytes;
        std::size_t n = last ? left : DataBytes;
        put_bytes(top_->s_axis_tdata, j.msg.data() + x.offset, n);
        std::uint64_t keep = n >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << n) - 1);
        top_->s_axis_tkeep = static_cast<std::remove_reference_t<decltype(top_->s_axis_tkeep)>>(keep);
        top_->s_axis_tlast = last;
        top_->s_axis_tid = c;
        unsigned user = (j.sha256 ? 1u : 0u) | (j.hmac ? 2u : 0u) | (x.slot << 2) |
                        ((j.tag_len & 63u) << (2 + KeySlotW));
        top_->s_axis_tuser = user;
        top_->s_axis_tvalid = 1;
        offered_ = c;
    }

    void choose_offer() {
        if (offered_ >= 0 || chance(in_gap_pct)) {
            return;
        }
        int pick[Contexts];
        int n = 0;
        bool any_hol = chance(hol_pct);
        for (int c = 0; c < static_cast<int>(Contexts); ++c) {
            if (ctx_[c].feeding && ctx_[c].key_written && cycle_ > ctx_[c].key_cycle &&
                (any_hol || ((top_->s_axis_ctx_ready >> c) & 1))) {
                pick[n++] = c;
            }
        }
        if (n > 0) {
            offer(pick[rng_() % n]);
        }
    }

    void check_tag(Stats& stats) {
        int c = top_->m_axis_tid;
        if (ctx_[c].inflight.empty()) {
            std::printf("FAIL: tag on context %d with no message in flight\n", c);
            ++stats.failed;
            return;
        }
        Job& j = *ctx_[c].inflight.front();
        ctx_[c].inflight.pop_front();
        j.t_tag = cycle_;
        Bytes got;
        for (unsigned b = 0; b < 32; ++b) {
            if ((top_->m_axis_tkeep >> b) & 1u) {
                got.push_back(static_cast<std::uint8_t>(top_->m_axis_tdata[b / 4] >> (8 * (b % 4))));
            }
        }
        bool ok = got == j.expect;
        if (!j.given_tag.empty()) {
            ok = ok && ((got == j.given_tag) == j.given_valid);
        }
        ok ? ++stats.passed : ++stats.failed;
        if (!ok || verbose) {
            std::printf("%s: %s (len %zu, %s%s)\n", ok ? "ok" : "FAIL", j.name.c_str(), j.msg.size(),
                        j.hmac ? "hmac-" : "", j.sha256 ? "sha256" : "sha1");
        }
    }

    bool step(Stats& stats) {
        bool progress = false;
        top_->s_axis_key_tvalid = 0;
        // One key slot write per clock, contexts taken from a random start.
        int first = static_cast<int>(rng_() % Contexts);
        for (unsigned k = 0; k < Contexts; ++k) {
            if (prepare_key(static_cast<int>((first + k) % Contexts))) {
                break;
            }
        }
        choose_offer();
        top_->m_axis_tready = !chance(out_stall_pct);
        top_->eval();
        if (offered_ >= 0 && top_->s_axis_tvalid && top_->s_axis_tready) {
            Ctx& x = ctx_[offered_];
            if (x.offset == 0) {
                x.feeding->t_first = cycle_;
                x.inflight.push_back(x.feeding);
            }
            x.offset += DataBytes;
            if (top_->s_axis_tlast) {
                x.feeding = nullptr;
            }
            offered_ = -1;
            progress = true;
        }
        if (top_->m_axis_tvalid && top_->m_axis_tready) {
            check_tag(stats);
            progress = true;
        }
        tick();
        if (offered_ < 0) {
            top_->s_axis_tvalid = 0;
        }
        return progress;
    }
};

}  // namespace hmac_tb
