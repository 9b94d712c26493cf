// One step of the AES key expansion (FIPS-197 5.2), four words at a time,
// for 128- and 256-bit keys chosen per block.
//
// The window holds the two most recent round keys {A, B} (A in [255:128]);
// B is round key STEP-1 on entry and round key STEP on exit. A 128-bit key
// needs only B; a 256-bit key derives its next round key from A and B.
// Steps past the last round key of the key size hold the window.
// With SUB_IN = 1 the step takes SubWord of B's last word (the four S-box
// results) from sub_in, looked up one clock earlier by the previous stage in
// block-RAM ROMs (aes_enc_stage, aes_dec_stage), instead of four S-boxes
// in LUTs.
`default_nettype none

module aes_key_fwd_step #(
    // Index of the round key this step produces, 1..14.
    parameter int STEP = 1,
    // 1: SubWord comes from sub_in; 0: from S-boxes here.
    parameter bit SUB_IN = 0
) (
    input  wire logic [255:0] win_in,
    input  wire logic [31:0]  sub_in,    // SUB_IN: S-box of win_in[31:0], byte by byte
    input  wire logic         key_256,   // 1: 256-bit key, 0: 128-bit key
    output logic      [255:0] win_out
);

initial begin
    if (STEP < 1 || STEP > 14) begin
        $error("aes_key_fwd_step: STEP must be 1..14");
        $finish;
    end
end

function automatic logic [7:0] rcon(input int i);
    case (i)
        1: rcon = 8'h01;
        2: rcon = 8'h02;
        3: rcon = 8'h04;
        4: rcon = 8'h08;
        5: rcon = 8'h10;
        6: rcon = 8'h20;
        7: rcon = 8'h40;
        8: rcon = 8'h80;
        9: rcon = 8'h1b;
        10: rcon = 8'h36;
        default: rcon = 8'h00;
    endcase
endfunction

// XOR chain of FIPS-197 w[i] = w[i-Nk] ^ temp for the four words of a round key.
function automatic logic [127:0] chain(input logic [127:0] old, input logic [31:0] t);
    logic [31:0] w0, w1, w2, w3;
    w0 = old[127:96] ^ t;
    w1 = old[95:64] ^ w0;
    w2 = old[63:32] ^ w1;
    w3 = old[31:0] ^ w2;
    chain = {w0, w1, w2, w3};
endfunction

localparam logic [7:0] RCON_128 = rcon(STEP);
localparam logic [7:0] RCON_256 = rcon(STEP / 2);
localparam bit ROT_256 = (STEP % 2) == 0;

logic [127:0] a_key, b_key;
logic [31:0]  sub_word;
logic [31:0]  t_128, t_256;

assign a_key = win_in[255:128];
assign b_key = win_in[127:0];

genvar i;
generate
    if (SUB_IN) begin : g_sub_in
        assign sub_word = sub_in;
    end else begin : g_sub_here
        for (i = 0; i < 4; i = i + 1) begin : g_sbox
            aes_sbox sbox_inst (.in_byte(b_key[8*i +: 8]), .out_byte(sub_word[8*i +: 8]));
        end
        logic unused_sub_in;
        assign unused_sub_in = ^sub_in;
    end
endgenerate

assign t_128 = {sub_word[23:0], sub_word[31:24]} ^ {RCON_128, 24'h0};
assign t_256 = ROT_256 ? ({sub_word[23:0], sub_word[31:24]} ^ {RCON_256, 24'h0}) : sub_word;

always_comb begin
    if (key_256) begin
        win_out = (STEP == 1) ? win_in : {b_key, chain(a_key, t_256)};
    end else begin
        win_out = (STEP > 10) ? win_in : {b_key, chain(b_key, t_128)};
    end
end

endmodule

`default_nettype wire
