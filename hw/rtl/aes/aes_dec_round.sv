// The logic of one AES inverse-cipher round (FIPS-197 5.3) between two
// inverse S-box lookups, combinational. The pipeline keeps InvShiftRows and
// InvSubBytes at the end of each stage, the lookups in block-RAM ROMs whose
// output register is the stage register (aes_dec_stage), so a round's input
// here has already been through them:
//   round 14..2: to_sbox = InvShiftRows(InvMixColumns(state_in ^ round_key))
//   round 1:     direct  = state_in ^ round_key   (the plaintext)
//   pass:        direct  = state_in   (rounds 14..11 of a 128-bit key)
// round_key is round key ROUND-1. FIPS-197 byte order (byte 0 in [127:120]).
`default_nettype none

module aes_dec_round #(
    // Round number, 14..1 in the order the inverse cipher runs them.
    parameter int ROUND = 1
) (
    input  wire logic [127:0] state_in,
    input  wire logic [127:0] round_key,   // round key ROUND-1
    output logic      [127:0] to_sbox,    // rounds 14..2: input of the next lookup
    output logic      [127:0] direct      // round 1 and rounds 14..11: result or pass
);

initial begin
    if (ROUND < 1 || ROUND > 14) begin
        $error("aes_dec_round: ROUND must be 1..14");
        $finish;
    end
end

function automatic logic [7:0] xtime(input logic [7:0] b);
    xtime = {b[6:0], 1'b0} ^ (b[7] ? 8'h1b : 8'h00);
endfunction

function automatic logic [31:0] inv_mix_column(input logic [31:0] c);
    logic [7:0] a [0:3];
    logic [7:0] m9 [0:3];
    logic [7:0] m11 [0:3];
    logic [7:0] m13 [0:3];
    logic [7:0] m14 [0:3];
    logic [7:0] x2, x4, x8;
    for (int i = 0; i < 4; i = i + 1) begin
        a[i] = c[31-8*i -: 8];
        x2 = xtime(a[i]);
        x4 = xtime(x2);
        x8 = xtime(x4);
        m9[i] = x8 ^ a[i];
        m11[i] = x8 ^ x2 ^ a[i];
        m13[i] = x8 ^ x4 ^ a[i];
        m14[i] = x8 ^ x4 ^ x2;
    end
    inv_mix_column = {m14[0] ^ m11[1] ^ m13[2] ^ m9[3],
                      m9[0] ^ m14[1] ^ m11[2] ^ m13[3],
                      m13[0] ^ m9[1] ^ m14[2] ^ m11[3],
                      m11[0] ^ m13[1] ^ m9[2] ^ m14[3]};
endfunction

logic [127:0] keyed, mixed, shifted;

genvar r, c;
generate
    for (c = 0; c < 4; c = c + 1) begin : g_col
        assign mixed[127-32*c -: 32] = inv_mix_column(keyed[127-32*c -: 32]);
        for (r = 0; r < 4; r = r + 1) begin : g_row
            assign shifted[127-8*(r+4*c) -: 8] = mixed[127-8*(r+4*((c+4-r)%4)) -: 8];
        end
    end
endgenerate

assign keyed = state_in ^ round_key;

always_comb begin
    to_sbox = (ROUND >= 2) ? shifted : '0;
    if (ROUND == 1) begin
        direct = keyed;
    end else if (ROUND <= 10) begin
        direct = '0;
    end else begin
        direct = state_in;
    end
end

endmodule

`default_nettype wire
