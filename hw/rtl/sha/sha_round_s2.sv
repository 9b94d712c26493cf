// Second half of one SHA-1 / SHA-256 compression step, purely combinational
// (see sha_round_s1 for the word layout). Every path ends in at most one
// carry-propagate adder followed by the pass select.
`default_nettype none

module sha_round_s2 (
    input  wire logic [1:0]   op,       // sha_ring OP_* code of this pass
    input  wire logic [1:0]   phase,    // sha_ring PH_* phase before the pass
    input  wire logic         sha256,   // 1: SHA-256, 0: SHA-1
    input  wire logic [6:0]   t,        // round index of this pass
    input  wire logic [1:0]   fsel,     // SHA-1 f of round t
    input  wire logic [255:0] x,
    input  wire logic [255:0] hh,
    input  wire logic [511:0] w,
    input  wire logic [31:0]  hkw,
    input  wire logic [31:0]  p,
    input  wire logic [31:0]  q,
    input  wire logic [31:0]  sx,
    input  wire logic [31:0]  sy,
    input  wire logic [31:0]  sw,
    input  wire logic [31:0]  hx,
    input  wire logic [31:0]  hk,
    input  wire logic [31:0]  hw,

    output logic [1:0]        phase_o,
    output logic [6:0]        t_o,
    output logic [1:0]        fsel_o,
    output logic [255:0]      x_o,
    output logic [255:0]      hh_o,
    output logic [511:0]      w_o,
    output logic [31:0]       hkw_o
);

localparam logic [1:0] OP_ROUND = 2'd1, OP_FOLD = 2'd2, OP_LOAD = 2'd3;  // NOP is 0
localparam logic [1:0] PH_RUN = 2'd1, PH_FOLD = 2'd2, PH_FOLDED = 2'd3;  // IDLE is 0

function automatic logic [31:0] rotr(input logic [31:0] v, input int n);
    rotr = (v >> n) | (v << (32 - n));
endfunction

logic [255:0] x_round, x_fold;
logic [31:0]  w_new, hkw_sum;
logic         last_round;

always_comb begin
    x_round[0 +: 32]   = p + q;
    x_round[32 +: 32]  = x[0 +: 32];
    x_round[64 +: 32]  = x[32 +: 32];
    x_round[96 +: 32]  = x[64 +: 32];
    x_round[128 +: 32] = sha256 ? x[96 +: 32] + p : x[0 +: 32];
    x_round[160 +: 32] = sha256 ? x[128 +: 32] : rotr(x[128 +: 32], 2);
    x_round[192 +: 32] = x[160 +: 32];
    x_round[224 +: 32] = x[192 +: 32];
    for (int i = 0; i < 8; i = i + 1) begin
        x_fold[32*i +: 32] = hh[32*i +: 32] + x[32*i +: 32];
    end
    w_new = sha256 ? sx + sy : sw;
    hkw_sum = hx + hk + hw;
    last_round = sha256 ? (t == 7'd63) : (t == 7'd79);

    phase_o = phase;
    t_o = t;
    fsel_o = fsel;
    x_o = x;
    hh_o = hh;
    w_o = w;
    hkw_o = hkw;
    unique case (op)
        OP_ROUND: begin
            phase_o = last_round ? PH_FOLD : PH_RUN;
            t_o = t + 7'd1;
            // SHA-1 f changes after rounds 19, 39 and 59; SHA-256 keeps Ch.
            if (sha256) begin
                fsel_o = 2'd0;
            end else if (t == 7'd19 || t == 7'd59) begin
                fsel_o = 2'd1;
            end else if (t == 7'd39) begin
                fsel_o = 2'd2;
            end
            x_o = x_round;
            w_o = {w_new, w[511:32]};
            hkw_o = hkw_sum;
        end
        OP_FOLD: begin
            phase_o = PH_FOLDED;
            x_o = x_fold;
            hh_o = x_fold;
        end
        OP_LOAD: begin
            phase_o = PH_RUN;
            t_o = 7'd0;
            fsel_o = 2'd0;
            hkw_o = hkw_sum;
        end
        default: begin
        end
    endcase
end

endmodule

`default_nettype wire
