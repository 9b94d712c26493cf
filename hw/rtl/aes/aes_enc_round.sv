// One AES encryption round on one block (FIPS-197 5.1), combinational:
// SubBytes, ShiftRows, MixColumns (skipped in the final round), AddRoundKey.
// The round number is fixed; whether it is a full round, the final round or
// a pass-through depends on the key size of the block (10 rounds for 128-bit
// keys, 14 for 256-bit keys). Blocks are in FIPS-197 byte order (byte 0 in
// [127:120]).
`default_nettype none

module aes_enc_round #(
    // Round number, 1..14.
    parameter int ROUND = 1
) (
    input  wire logic [127:0] state_in,
    input  wire logic [127:0] round_key,
    input  wire logic         key_256,
    output logic      [127:0] state_out
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
logic [127:0] shifted, substituted, mixed;

genvar r, c;
generate
    for (c = 0; c < 4; c = c + 1) begin : g_col
        for (r = 0; r < 4; r = r + 1) begin : g_row
            assign shifted[127-8*(r+4*c) -: 8] = state_in[127-8*(r+4*((c+r)%4)) -: 8];
            aes_sbox sbox_inst (.in_byte(shifted[127-8*(r+4*c) -: 8]),
                                .out_byte(substituted[127-8*(r+4*c) -: 8]));
        end
        assign mixed[127-32*c -: 32] = mix_column(substituted[127-32*c -: 32]);
    end
endgenerate

always_comb begin
    if (ROUND < 10) begin
        state_out = mixed ^ round_key;
    end else if (ROUND == 10) begin
        state_out = (key_256 ? mixed : substituted) ^ round_key;
    end else if (ROUND < 14) begin
        state_out = key_256 ? (mixed ^ round_key) : state_in;
    end else begin
        state_out = key_256 ? (substituted ^ round_key) : state_in;
    end
end

endmodule

`default_nettype wire
