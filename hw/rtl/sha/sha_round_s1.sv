// First half of one SHA-1 / SHA-256 compression step (FIPS 180-4), purely
// combinational; sha_ring registers its outputs. Together with sha_round_s2
// it forms the two-stage ring in which two messages are compressed at once.
//
// Working variables live in eight 32-bit words x0..x7 (x0 in [31:0]):
//   SHA-256: a b c d e f g h  ->  x0 x1 x2 x3 x4 x5 x6 x7
//   SHA-1:   a b c d e        ->  x0 x4 x5 x6 x7   (x1..x3 unused)
// This places SHA-1's b,c,d where SHA-256 keeps e,f,g and SHA-1's e where
// SHA-256 keeps h, so both share one three-operand adder for T1 and one for
// the look-ahead sum hkw = h + K[t] + W[t] (SHA-1: e + K[t] + W[t]).
// The message window w holds W[t..t+15], W[t] in [31:0].
//
// The pass follows from the slot's phase (RUN: one round, FOLD: H += x
// after the last round, IDLE or FOLDED: nothing) unless load is set: LOAD
// starts a block, x = H = ld_x (ld_chain: the slot's own H, i.e. the next
// block of the same message) and w = ld_w (ld_outer: the HMAC outer block
// built from the slot's own digest, RFC 2104: digest, 0x80, zeros, bit
// length of 64 + digest bytes). Every input comes from a register of
// sha_ring, so the pass decode and the load selects are this stage's logic.
`default_nettype none

module sha_round_s1 (
    input  wire logic         load,     // start a block (overrides the phase)
    input  wire logic [1:0]   phase,    // sha_ring PH_* phase of the slot
    input  wire logic         sha256,   // 1: SHA-256, 0: SHA-1 (ignored on LOAD)
    input  wire logic [1:0]   fsel,     // SHA-1 f of this round: 0 Ch, 1 Parity, 2 Maj
    input  wire logic [6:0]   t,        // round index
    input  wire logic [255:0] x,        // working variables
    input  wire logic [255:0] hh,       // chaining value H of the block
    input  wire logic [511:0] w,        // message window
    input  wire logic [31:0]  hkw,      // h + K[t] + W[t] (SHA-1: e + K[t] + W[t])
    input  wire logic         ld_sha256,
    input  wire logic [255:0] ld_x,     // state the block starts from
    input  wire logic [511:0] ld_w,     // block words W[0..15]
    input  wire logic         ld_chain, // start from hh instead of ld_x
    input  wire logic         ld_outer, // HMAC outer block from hh instead of ld_w

    output logic [1:0]        op_o,     // sha_ring OP_* code of this pass, for sha_round_s2
    output logic [255:0]      x_o,
    output logic [255:0]      hh_o,
    output logic [511:0]      w_o,
    output logic              sha256_o,
    output logic [31:0]       p_o,      // T1 (SHA-1: rotl5(a) + f + e + K + W)
    output logic [31:0]       q_o,      // T2 (SHA-1: 0)
    output logic [31:0]       sx_o,     // sigma1(W[t+14]) + W[t+9]
    output logic [31:0]       sy_o,     // sigma0(W[t+1]) + W[t]
    output logic [31:0]       sw_o,     // SHA-1 W[t+16]
    output logic [31:0]       hx_o,     // three operands of the next hkw
    output logic [31:0]       hk_o,
    output logic [31:0]       hw_o
);

// sha_ring op and phase codes.
localparam logic [1:0] OP_NOP = 2'd0, OP_ROUND = 2'd1, OP_FOLD = 2'd2, OP_LOAD = 2'd3;
localparam logic [1:0] PH_RUN = 2'd1, PH_FOLD = 2'd2;
localparam logic [31:0] K0_SHA1 = 32'h5a827999, K0_SHA256 = 32'h428a2f98;

function automatic logic [31:0] rotr(input logic [31:0] v, input int n);
    rotr = (v >> n) | (v << (32 - n));
endfunction

function automatic logic [31:0] word(input logic [511:0] v, input int i);
    word = v[32*i +: 32];
endfunction

logic [31:0] a, b, c, e, f, g;
logic [31:0] big_sigma, fsel_val, k_next;
logic [255:0] lx;
logic [511:0] lw, outer_w;

// The outer block: H[0..7] (SHA-1: H[0..4] = x0 x4 x5 x6 x7), 0x80, zeros,
// bit length of 64 + 32 (SHA-1: 64 + 20) bytes.
always_comb begin
    outer_w = '0;
    if (ld_sha256) begin
        outer_w[255:0] = hh;
        outer_w[8*32 +: 32] = 32'h80000000;
        outer_w[15*32 +: 32] = 32'd768;
    end else begin
        outer_w[159:0] = {hh[224 +: 32], hh[192 +: 32], hh[160 +: 32], hh[128 +: 32], hh[0 +: 32]};
        outer_w[5*32 +: 32] = 32'h80000000;
        outer_w[15*32 +: 32] = 32'd672;
    end
end

assign lx = ld_chain ? hh : ld_x;
assign lw = ld_outer ? outer_w : ld_w;

always_comb begin
    if (load) begin
        op_o = OP_LOAD;
    end else if (phase == PH_RUN) begin
        op_o = OP_ROUND;
    end else if (phase == PH_FOLD) begin
        op_o = OP_FOLD;
    end else begin
        op_o = OP_NOP;
    end
end

assign a = x[0 +: 32];
assign b = x[32 +: 32];
assign c = x[64 +: 32];
assign e = x[128 +: 32];
assign f = x[160 +: 32];
assign g = x[192 +: 32];

sha_k_rom k_rom (.sha256(sha256), .t(t), .k_next(k_next));

always_comb begin
    // SHA-1 keeps fsel = Ch for SHA-256 too: Ch(e,f,g) is then SHA-256's Ch.
    unique case (fsel)
        2'd0:    fsel_val = (e & f) | (~e & g);
        2'd2:    fsel_val = (e & f) | (e & g) | (f & g);
        default: fsel_val = e ^ f ^ g;
    endcase
    big_sigma = sha256 ? (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) : rotr(a, 27);
    p_o = hkw + big_sigma + fsel_val;
    q_o = sha256 ? (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))
                 : 32'h0;
    sx_o = (rotr(word(w, 14), 17) ^ rotr(word(w, 14), 19) ^ (word(w, 14) >> 10)) + word(w, 9);
    sy_o = (rotr(word(w, 1), 7) ^ rotr(word(w, 1), 18) ^ (word(w, 1) >> 3)) + word(w, 0);
    sw_o = rotr(word(w, 13) ^ word(w, 8) ^ word(w, 2) ^ word(w, 0), 31);

    if (load) begin
        x_o = lx;
        hh_o = lx;
        w_o = lw;
        sha256_o = ld_sha256;
        hx_o = lx[224 +: 32];
        hk_o = ld_sha256 ? K0_SHA256 : K0_SHA1;
        hw_o = lw[0 +: 32];
    end else begin
        x_o = x;
        hh_o = hh;
        w_o = w;
        sha256_o = sha256;
        hx_o = x[192 +: 32];
        hk_o = k_next;
        hw_o = word(w, 1);
    end
end

endmodule

`default_nettype wire
