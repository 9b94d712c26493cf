// One backward step of the AES key expansion: from round keys {J-1, J} to
// {J-2, J-1}, for 128- and 256-bit keys chosen per block. The decryption
// pipeline first runs the schedule forward to its end, then walks it back
// one round key per stage (FIPS-197 5.2 solved for w[i-Nk]).
`default_nettype none

module aes_key_inv_step #(
    // Index J of the newest round key in the input window, 2..14.
    parameter int STEP = 2
) (
    input  wire logic [255:0] win_in,    // {round key J-1, round key J}
    input  wire logic         key_256,   // 1: 256-bit key, 0: 128-bit key
    output logic      [255:0] win_out    // {round key J-2, round key J-1}
);

initial begin
    if (STEP < 2 || STEP > 14) begin
        $error("aes_key_inv_step: STEP must be 2..14");
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

// Inverse of the forward XOR chain: given the newer key and the new temp word.
function automatic logic [127:0] unchain(input logic [127:0] newer, input logic [31:0] t);
    unchain = {newer[127:96] ^ t, newer[95:64] ^ newer[127:96],
               newer[63:32] ^ newer[95:64], newer[31:0] ^ newer[63:32]};
endfunction

localparam logic [7:0] RCON_128 = rcon(STEP - 1);
localparam logic [7:0] RCON_256 = rcon(STEP / 2);
localparam bit ROT_256 = (STEP % 2) == 0;

logic [127:0] a_key, b_key;
logic [31:0]  sbox_in, sub_word, t_128, t_256;

assign a_key = win_in[255:128];
assign b_key = win_in[127:0];
// 128-bit: word 3 of round key J-2 is a_key word 3 ^ word 2 (last word of the
// key before A); 256-bit: the last word before B is A's word 3.
assign sbox_in = key_256 ? a_key[31:0] : (a_key[31:0] ^ a_key[63:32]);

genvar i;
generate
    for (i = 0; i < 4; i = i + 1) begin : g_sbox
        aes_sbox sbox_inst (.in_byte(sbox_in[8*i +: 8]), .out_byte(sub_word[8*i +: 8]));
    end
endgenerate

assign t_128 = {sub_word[23:0], sub_word[31:24]} ^ {RCON_128, 24'h0};
assign t_256 = ROT_256 ? ({sub_word[23:0], sub_word[31:24]} ^ {RCON_256, 24'h0}) : sub_word;

always_comb begin
    if (key_256) begin
        win_out = {unchain(b_key, t_256), a_key};
    end else begin
        win_out = (STEP > 10) ? win_in : {unchain(a_key, t_128), a_key};
    end
end

endmodule

`default_nettype wire
