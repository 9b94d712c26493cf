// The logic of one AES encryption round (FIPS-197 5.1) between two S-box
// lookups, combinational. The pipeline keeps SubBytes at the end of each
// stage, in block-RAM ROMs whose output register is the stage register
// (aes_enc_stage), so a round's input here has already been through the
// S-box, and its output goes either to the next lookup or straight to the
// stage register:
//   full round:  to_sbox = MixColumns(ShiftRows(state_in)) ^ round_key
//   final round: direct  = ShiftRows(state_in) ^ round_key
//   pass:        direct  = state_in   (rounds 11..14 of a 128-bit key)
// Whether round ROUND is full, final or a pass depends on the key size of
// the block (10 rounds for 128-bit keys, 14 for 256-bit keys); the stage
// chooses by the registered key size. Blocks are in FIPS-197 byte order
// (byte 0 in [127:120]).
`default_nettype none

module aes_enc_round #(
    // Round number, 1..14.
    parameter int ROUND = 1
) (
    input  wire logic [127:0] state_in,
    input  wire logic [127:0] round_key,
    input  wire logic         key_256,
    output logic      [127:0] to_sbox,    // rounds 1..13: input of the next SubBytes
    output logic      [127:0] direct      // rounds 10..14: final round or pass
);

initial begin
    if (ROUND < 1 || ROUND > 14) begin
        $error("aes_enc_round: ROUND must be 1..14");
        $finish;
    end
end

function automatic logic [7:0] xtime(input logic [7:0] b);
    xtime = {b[6:0], 1'b0} ^ (b[7] ? 8'h1b : 8'h00);
endfunction

function automatic logic [31:0] mix_column(input logic [31:0] c);
    logic [7:0] a0, a1, a2, a3;
    a0 = c[31:24];
    a1 = c[23:16];
    a2 = c[15:8];
    a3 = c[7:0];
    mix_column = {xtime(a0) ^ xtime(a1) ^ a1 ^ a2 ^ a3,
                  a0 ^ xtime(a1) ^ xtime(a2) ^ a2 ^ a3,
                  a0 ^ a1 ^ xtime(a2) ^ xtime(a3) ^ a3,
                  xtime(a0) ^ a0 ^ a1 ^ a2 ^ xtime(a3)};
endfunction

// Byte n of the state sits at [127-8n -: 8]; row r, column c is byte r+4c.
logic [127:0] shifted, mixed;

genvar r, c;
generate
    for (c = 0; c < 4; c = c + 1) begin : g_col
        for (r = 0; r < 4; r = r + 1) begin : g_row
            assign shifted[127-8*(r+4*c) -: 8] = state_in[127-8*(r+4*((c+r)%4)) -: 8];
        end
        assign mixed[127-32*c -: 32] = mix_column(shifted[127-32*c -: 32]);
    end
endgenerate

always_comb begin
    to_sbox = (ROUND < 14) ? mixed ^ round_key : '0;
    if (ROUND < 10) begin
        direct = '0;
    end else if (ROUND == 10) begin
        direct = shifted ^ round_key;
    end else if (ROUND < 14) begin
        direct = state_in;
    end else begin
        direct = key_256 ? (shifted ^ round_key) : state_in;
    end
end

endmodule

`default_nettype wire
