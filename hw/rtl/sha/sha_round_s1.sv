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
// op selects the pass: ROUND (one round), FOLD (H += x after the last
// round), LOAD (start a block: x = H = ld_x, w = ld_w), NOP.
`default_nettype none

module sha_round_s1 (
    input  wire logic [1:0]   op,       // sha_ring OP_* code of this pass
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

localparam logic [1:0] OP_LOAD = 2'd3;  // sha_ring op codes: NOP 0, ROUND 1, FOLD 2, LOAD 3
localparam logic [31:0] K0_SHA1 = 32'h5a827999, K0_SHA256 = 32'h428a2f98;

function automatic logic [31:0] rotr(input logic [31:0] v, input int n);
    rotr = (v >> n) | (v << (32 - n));
endfunction

function automatic logic [31:0] word(input logic [511:0] v, input int i);
    word = v[32*i +: 32];
endfunction

logic [31:0] a, b, c, e, f, g;
logic [31:0] big_sigma, fsel_val, k_next;

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

    if (op == OP_LOAD) begin
        x_o = ld_x;
        hh_o = ld_x;
        w_o = ld_w;
        sha256_o = ld_sha256;
        hx_o = ld_x[224 +: 32];
        hk_o = ld_sha256 ? K0_SHA256 : K0_SHA1;
        hw_o = ld_w[0 +: 32];
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
