// Cycle driver of cbc_enc / cbc_dec: feeds packets of many contexts
// interleaved with random gaps and back-pressure and checks every output
// block against the expected stream of its context.
#pragma once

#include <verilated.h>

#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace cbc_tb {

using Bytes = std::vector<std::uint8_t>;

struct Packet {
    std::string name;
    Bytes key;     // 16 or 32 bytes
    Bytes iv;      // 16 bytes
    Bytes input;   // a multiple of 16 bytes, at least 16
    Bytes expect;  // same length
    // Filled by the driver.
    Bytes output;
    std::uint64_t t_first = 0, t_last = 0;
};

struct Stats {
    unsigned passed = 0, failed = 0;
};

template <std::size_t N>
void put_bytes(VlWide<N>& port, const std::uint8_t* p, std::size_t n) {
    for (std::size_t w = 0; w < N; ++w) {
        port[w] = 0;
    }
    for (std::size_t j = 0; j < n; ++j) {
        port[j / 4] |= std::uint32_t{p[j]} << (8 * (j % 4));
    }
}

template <class Model, unsigned Contexts, bool HasCtxReady>
class Driver {
public:
    unsigned in_gap_pct = 0;
    unsigned out_stall_pct = 0;
    unsigned hol_pct = 20;

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

    void add(unsigned ctx, Packet* p) { ctx_[ctx].todo.push_back(p); }
    std::uint64_t cycles() const { return cycle_; }

    bool run(Stats& stats) {
        std::uint64_t idle = 0;
        while (pending()) {
            idle = step(stats) ? 0 : idle + 1;
            if (idle > 100000) {
                std::printf("FAIL: no progress for %llu cycles\n", static_cast<unsigned long long>(idle));
                ++stats.failed;
                return false;
            }
        }
        return true;
    }

private:
    struct Ctx {
        std::deque<Packet*> todo;
        std::size_t offset = 0;        // next input byte of todo.front()
        std::deque<Packet*> inflight;  // first block sent, output not complete
    };

    std::mt19937_64 rng_;
    std::unique_ptr<VerilatedContext> vctx_;
    std::unique_ptr<Model> top_;
    std::vector<Ctx> ctx_;
    int offered_ = -1;
    std::uint64_t cycle_ = 0;

    bool chance(unsigned pct) { return (rng_() % 100) < pct; }

    bool pending() const {
        for (const auto& c : ctx_) {
            if (!c.todo.empty() || !c.inflight.empty()) {
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

    bool ctx_ready(unsigned c) {
        if constexpr (HasCtxReady) {
            return (top_->s_axis_ctx_ready >> c) & 1u;
        } else {
            (void)c;
            return true;
        }
    }

    void offer(unsigned c) {
        Ctx& x = ctx_[c];
        const Packet& p = *x.todo.front();
        put_bytes(top_->s_axis_tdata, p.input.data() + x.offset, 16);
        Bytes key = p.key;
        key.resize(32, 0);
        put_bytes(top_->s_axis_key, key.data(), 32);
        put_bytes(top_->s_axis_iv, p.iv.data(), 16);
        top_->s_axis_key_256 = p.key.size() == 32;
        top_->s_axis_tlast = x.offset + 16 >= p.input.size();
        top_->s_axis_tid = c;
        top_->s_axis_tvalid = 1;
        offered_ = static_cast<int>(c);
    }

    void choose_offer() {
        if (offered_ >= 0 || chance(in_gap_pct)) {
            return;
        }
        std::vector<unsigned> pick;
        bool any = chance(hol_pct);
        for (unsigned c = 0; c < Contexts; ++c) {
            if (!ctx_[c].todo.empty() && (any || ctx_ready(c))) {
                pick.push_back(c);
            }
        }
        if (!pick.empty()) {
            offer(pick[rng_() % pick.size()]);
        }
    }

    void take_output(Stats& stats) {
        unsigned c = top_->m_axis_tid;
        if (ctx_[c].inflight.empty()) {
            std::printf("FAIL: block on context %u with no packet in flight\n", c);
            ++stats.failed;
            return;
        }
        Packet& p = *ctx_[c].inflight.front();
        for (unsigned b = 0; b < 16; ++b) {
            p.output.push_back(static_cast<std::uint8_t>(top_->m_axis_tdata[b / 4] >> (8 * (b % 4))));
        }
        bool end = p.output.size() >= p.input.size();
        if (end != static_cast<bool>(top_->m_axis_tlast)) {
            std::printf("FAIL: %s: tlast %d after %zu of %zu bytes\n", p.name.c_str(), top_->m_axis_tlast,
                        p.output.size(), p.input.size());
            ++stats.failed;
        }
        if (end) {
            p.t_last = cycle_;
            ctx_[c].inflight.pop_front();
            bool ok = p.output == p.expect;
            ok ? ++stats.passed : ++stats.failed;
            if (!ok) {
                std::printf("FAIL: %s (%zu bytes)\n", p.name.c_str(), p.input.size());
            }
        }
    }

    bool step(Stats& stats) {
        bool progress = false;
        choose_offer();
        top_->m_axis_tready = !chance(out_stall_pct);
        top_->eval();
        if (offered_ >= 0 && top_->s_axis_tvalid && top_->s_axis_tready) {
            Ctx& x = ctx_[offered_];
            Packet* p = x.todo.front();
            if (x.offset == 0) {
                p->t_first = cycle_;
                x.inflight.push_back(p);
            }
            x.offset += 16;
            if (x.offset >= p->input.size()) {
                x.todo.pop_front();
                x.offset = 0;
            }
            offered_ = -1;
            progress = true;
        }
        if (top_->m_axis_tvalid && top_->m_axis_tready) {
            take_output(stats);
            progress = true;
        }
        tick();
        if (offered_ < 0) {
            top_->s_axis_tvalid = 0;
        }
        return progress;
    }
};

}  // namespace cbc_tb
