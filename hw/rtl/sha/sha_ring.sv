// SHA-1 / SHA-256 compression engine with 2*PAIRS messages in flight.
//
// One compression step is cut into two register stages (sha_round_s1,
// sha_round_s2) so that no stage holds more than one carry-propagate adder.
// PAIRS such stage pairs form a ring of CONTEXTS = 2*PAIRS slots; each slot
// belongs to one context for good (the context number travels with it) and
// every pair it passes runs one round of its message. With all contexts
// busy the engine completes PAIRS rounds per clock; one message alone
// completes PAIRS rounds per lap of CONTEXTS clocks, i.e. one round every
// two clocks whatever PAIRS is.
//
// The owner drives the ring at position 0 (the slot about to enter stage 1)
// one clock ahead: nx_* shows the slot that reaches position 0 at the next
// clock (it is leaving the last pair's stage 2 now), and the decision given
// for it on ld_* / retire is registered here and applied when it gets there.
// A slot that will be PH_IDLE or PH_FOLDED there may LOAD a block or RETIRE
// to PH_IDLE. The ring itself runs the rounds (PH_RUN) and the fold H += x
// (PH_FOLD) in whichever pair the slot is; a folded slot waits for
// position 0. A block costs one load, 64 (SHA-1: 80) rounds and one fold,
// i.e. about (NR + 2) / PAIRS laps. Registering the decision puts every
// input of sha_round_s1 and sha_round_s2 on a flip-flop, so each round half
// is the whole of its clock.
`default_nettype none

module sha_ring #(
    // Stage pairs in the ring (rounds per clock with all contexts busy).
    parameter int PAIRS = 1,
    // Contexts (ring slots).
    parameter int CONTEXTS = 2 * PAIRS,
    // Width of a context number.
    parameter int CTX_W = $clog2(CONTEXTS)
) (
    input  wire logic             clk,
    input  wire logic             rst,        // synchronous, active high

    output logic [CTX_W-1:0]      nx_ctx,     // context of the slot reaching position 0 next
    output logic                  nx_idle,    // it will be PH_IDLE there
    output logic                  nx_folded,  // it will be PH_FOLDED there
    output logic                  nx_last,    // its last loaded block was the message's last
    output logic                  nx_outer,   // its last loaded block was an HMAC outer block

    input  wire logic             ld_valid,   // load a block into the nx slot at position 0
    input  wire logic             ld_sha256,
    input  wire logic [255:0]     ld_x,       // state to start from (sha_round_s1 layout)
    input  wire logic [511:0]     ld_w,       // W[0..15], W[0] in [31:0]
    input  wire logic             ld_chain,   // start from the slot's own chaining value, not ld_x
    input  wire logic             ld_outer,   // HMAC outer block of the slot's digest, not ld_w
    input  wire logic             ld_last,
    input  wire logic             retire,     // return the nx slot at position 0 to PH_IDLE

    output logic [CTX_W-1:0]      p0_ctx,     // context of the slot at position 0
    output logic                  p0_sha256,
    output logic [255:0]          p0_hh,      // chaining value (the digest once PH_FOLDED)
    output logic                  p0_retire   // that slot retires now (retire of the last clock)
);

localparam logic [1:0] OP_NOP = 2'd0, OP_FOLD = 2'd2;  // sha_round_s1 op codes (ROUND 1, LOAD 3)
localparam logic [1:0] PH_IDLE = 2'd0, PH_FOLDED = 2'd3;  // RUN 1 and FOLD 2 are decoded in sha_round_s1

initial begin
    if (PAIRS < 1 || CONTEXTS != 2 * PAIRS || CTX_W != $clog2(CONTEXTS) || CTX_W < 1) begin
        $error("sha_ring: PAIRS >= 1; CONTEXTS and CTX_W are derived");
        $finish;
    end
end

// r0[p]: input of stage 1 of pair p (r0[0] is position 0); r1[p]: input of
// stage 2 of pair p. Stage 2 of pair p feeds r0[p+1], the last pair r0[0].
logic [CTX_W-1:0] r0_ctx [0:PAIRS-1];
logic             r0_sha256 [0:PAIRS-1];
logic             r0_last [0:PAIRS-1];
logic             r0_outer [0:PAIRS-1];
logic [1:0]       r0_phase [0:PAIRS-1];
logic [1:0]       r0_fsel [0:PAIRS-1];
logic [6:0]       r0_t [0:PAIRS-1];
logic [255:0]     r0_x [0:PAIRS-1];
logic [255:0]     r0_hh [0:PAIRS-1];
logic [511:0]     r0_w [0:PAIRS-1];
logic [31:0]      r0_hkw [0:PAIRS-1];

logic [CTX_W-1:0] r1_ctx [0:PAIRS-1];
logic             r1_sha256 [0:PAIRS-1];
logic             r1_last [0:PAIRS-1];
logic             r1_outer [0:PAIRS-1];
logic [1:0]       r1_op [0:PAIRS-1];
logic [1:0]       r1_phase [0:PAIRS-1];
logic [1:0]       r1_fsel [0:PAIRS-1];
logic [6:0]       r1_t [0:PAIRS-1];
logic [255:0]     r1_x [0:PAIRS-1];
logic [255:0]     r1_hh [0:PAIRS-1];
logic [511:0]     r1_w [0:PAIRS-1];
logic [31:0]      r1_hkw [0:PAIRS-1];
logic [31:0]      r1_p [0:PAIRS-1];
logic [31:0]      r1_q [0:PAIRS-1];
logic [31:0]      r1_sx [0:PAIRS-1];
logic [31:0]      r1_sy [0:PAIRS-1];
logic [31:0]      r1_sw [0:PAIRS-1];
logic [31:0]      r1_hx [0:PAIRS-1];
logic [31:0]      r1_hk [0:PAIRS-1];
logic [31:0]      r1_hw [0:PAIRS-1];

// The decision for the slot reaching position 0, registered.
logic             ld_valid_q, ld_sha256_q, ld_chain_q, ld_outer_q, ld_last_q, retire_q;
logic [255:0]     ld_x_q;
logic [511:0]     ld_w_q;

always_ff @(posedge clk) begin
    ld_valid_q <= ld_valid;
    ld_sha256_q <= ld_sha256;
    ld_x_q <= ld_x;
    ld_w_q <= ld_w;
    ld_chain_q <= ld_chain;
    ld_outer_q <= ld_outer;
    ld_last_q <= ld_last;
    retire_q <= retire;
    if (rst) begin
        ld_valid_q <= 1'b0;
        retire_q <= 1'b0;
    end
end

// The phase sha_round_s2 gives the slot: a round leaves it PH_RUN or PH_FOLD,
// a load PH_RUN, a fold PH_FOLDED, no pass its phase.
assign nx_ctx = r1_ctx[PAIRS-1];
assign nx_idle = r1_op[PAIRS-1] == OP_NOP && r1_phase[PAIRS-1] == PH_IDLE;
assign nx_folded = r1_op[PAIRS-1] == OP_FOLD
                   || (r1_op[PAIRS-1] == OP_NOP && r1_phase[PAIRS-1] == PH_FOLDED);
assign nx_last = r1_last[PAIRS-1];
assign nx_outer = r1_outer[PAIRS-1];

assign p0_ctx = r0_ctx[0];
assign p0_sha256 = r0_sha256[0];
assign p0_hh = r0_hh[0];
assign p0_retire = retire_q;

genvar gp;
generate
    for (gp = 0; gp < PAIRS; gp = gp + 1) begin : g_pair
        localparam int NEXT = (gp + 1) % PAIRS;
        logic         load, drop;
        logic [1:0]   s1_op;
        logic [255:0] s1_x, s1_hh;
        logic [511:0] s1_w;
        logic         s1_sha256;
        logic [31:0]  s1_p, s1_q, s1_sx, s1_sy, s1_sw, s1_hx, s1_hk, s1_hw;
        logic [1:0]   s2_phase, s2_fsel;
        logic [6:0]   s2_t;
        logic [255:0] s2_x, s2_hh;
        logic [511:0] s2_w;
        logic [31:0]  s2_hkw;

        // Only position 0 loads and retires.
        assign load = (gp == 0) && ld_valid_q;
        assign drop = (gp == 0) && retire_q;

        sha_round_s1 stage1 (
            .load(load), .phase(r0_phase[gp]), .sha256(r0_sha256[gp]), .fsel(r0_fsel[gp]),
            .t(r0_t[gp]), .x(r0_x[gp]), .hh(r0_hh[gp]), .w(r0_w[gp]), .hkw(r0_hkw[gp]),
            .ld_sha256(ld_sha256_q), .ld_x(ld_x_q), .ld_w(ld_w_q),
            .ld_chain(ld_chain_q), .ld_outer(ld_outer_q),
            .op_o(s1_op), .x_o(s1_x), .hh_o(s1_hh), .w_o(s1_w), .sha256_o(s1_sha256),
            .p_o(s1_p), .q_o(s1_q), .sx_o(s1_sx), .sy_o(s1_sy), .sw_o(s1_sw),
            .hx_o(s1_hx), .hk_o(s1_hk), .hw_o(s1_hw)
        );

        always_ff @(posedge clk) begin
            r1_ctx[gp] <= r0_ctx[gp];
            r1_op[gp] <= s1_op;
            r1_phase[gp] <= drop ? PH_IDLE : r0_phase[gp];
            r1_sha256[gp] <= s1_sha256;
            r1_last[gp] <= load ? ld_last_q : r0_last[gp];
            r1_outer[gp] <= load ? ld_outer_q : r0_outer[gp];
            r1_fsel[gp] <= r0_fsel[gp];
            r1_t[gp] <= r0_t[gp];
            r1_x[gp] <= s1_x;
            r1_hh[gp] <= s1_hh;
            r1_w[gp] <= s1_w;
            r1_hkw[gp] <= r0_hkw[gp];
            r1_p[gp] <= s1_p;
            r1_q[gp] <= s1_q;
            r1_sx[gp] <= s1_sx;
            r1_sy[gp] <= s1_sy;
            r1_sw[gp] <= s1_sw;
            r1_hx[gp] <= s1_hx;
            r1_hk[gp] <= s1_hk;
            r1_hw[gp] <= s1_hw;
            if (rst) begin
                r1_ctx[gp] <= CTX_W'(2 * gp + 1);
                r1_op[gp] <= OP_NOP;
                r1_phase[gp] <= PH_IDLE;
            end
        end

        sha_round_s2 stage2 (
            .op(r1_op[gp]), .phase(r1_phase[gp]), .sha256(r1_sha256[gp]), .t(r1_t[gp]),
            .fsel(r1_fsel[gp]), .x(r1_x[gp]), .hh(r1_hh[gp]), .w(r1_w[gp]), .hkw(r1_hkw[gp]),
            .p(r1_p[gp]), .q(r1_q[gp]), .sx(r1_sx[gp]), .sy(r1_sy[gp]), .sw(r1_sw[gp]),
            .hx(r1_hx[gp]), .hk(r1_hk[gp]), .hw(r1_hw[gp]),
            .phase_o(s2_phase), .t_o(s2_t), .fsel_o(s2_fsel),
            .x_o(s2_x), .hh_o(s2_hh), .w_o(s2_w), .hkw_o(s2_hkw)
        );

        always_ff @(posedge clk) begin
            r0_ctx[NEXT] <= r1_ctx[gp];
            r0_phase[NEXT] <= s2_phase;
            r0_sha256[NEXT] <= r1_sha256[gp];
            r0_last[NEXT] <= r1_last[gp];
            r0_outer[NEXT] <= r1_outer[gp];
            r0_fsel[NEXT] <= s2_fsel;
            r0_t[NEXT] <= s2_t;
            r0_x[NEXT] <= s2_x;
            r0_hh[NEXT] <= s2_hh;
            r0_w[NEXT] <= s2_w;
            r0_hkw[NEXT] <= s2_hkw;
            if (rst) begin
                r0_ctx[NEXT] <= CTX_W'(2 * NEXT);
                r0_phase[NEXT] <= PH_IDLE;
            end
        end
    end
endgenerate

endmodule

`default_nettype wire
