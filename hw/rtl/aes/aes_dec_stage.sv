// One register stage of the AES decryption pipeline (LANES blocks sharing a
// key, key-schedule window beside them). Stages 0..13 run the key schedule
// forward to its last round key while the blocks wait; stage 14 adds the last
// round key; stages 15..28 run inverse rounds 14..1 while walking the key
// schedule back (aes_key_inv_step).
// InvShiftRows and InvSubBytes end each of stages 14..27: the lookups are
// block-RAM ROMs (aes_inv_sbox_rom2, two per RAMB18E2) whose output register
// is the stage register, and the rest of a round (aes_dec_round) runs at the
// start of the next stage. Stages 15..18 (rounds 14..11) also register the
// unchanged block, passed for 128-bit keys, and pick by the registered key
// size.
// Stage 0 takes the raw key window and forms the 128-bit key's window
// itself, so that nothing but wiring sits between the pipeline's inputs
// and this stage (its own depth check then covers the whole path).
`default_nettype none

module aes_dec_stage #(
    // Pipeline stage, 0..28.
    parameter int STAGE = 0,
    // Blocks per beat (all lanes use the same key).
    parameter int LANES = 1
) (
    input  wire logic                 clk,
    input  wire logic                 ce,          // advance the pipeline
    input  wire logic [128*LANES-1:0] state_in,    // FIPS-197 byte order per lane
    input  wire logic [255:0]         win_in,      // key window; stage 0: raw key {key[0:15], key[16:31]}
    input  wire logic [31:0]          sub_in,      // SubWord of win_in[31:0] (stages 1..13)
    input  wire logic                 key_256_in,
    output logic      [128*LANES-1:0] state_out,
    output logic      [255:0]         win_out,
    output logic      [31:0]          sub_out,     // SubWord of win_out[31:0] (stages 0..12)
    output logic                      key_256_out
);

initial begin
    if (STAGE < 0 || STAGE > 28 || LANES < 1) begin
        $error("aes_dec_stage: STAGE must be 0..28, LANES >= 1");
        $finish;
    end
end

localparam int ROUND = 29 - STAGE;   // inverse round run by stages 15..28

logic [128*LANES-1:0] to_sbox, sboxed, direct, direct_reg;
logic [255:0]         win_step, win_next;
logic                 key_256_reg;

// InvShiftRows of the whitened block (FIPS-197 5.3.1): byte r+4c from r+4(c-r).
function automatic logic [127:0] inv_shift_rows(input logic [127:0] x);
    for (int c = 0; c < 4; c = c + 1) begin
        for (int r = 0; r < 4; r = r + 1) begin
            inv_shift_rows[127-8*(r+4*c) -: 8] = x[127-8*(r+4*((c+4-r)%4)) -: 8];
        end
    end
endfunction

genvar l, j;
generate
    // The window of a 128-bit key is {key[0:15], key[0:15]} (formed here
    // from the raw key at stage 0).
    if (STAGE == 0) begin : g_win_raw
        assign win_step = key_256_in ? win_in : {win_in[255:128], win_in[255:128]};
    end else begin : g_win_carried
        assign win_step = win_in;
    end
    if (STAGE < 14) begin : g_expand
        assign to_sbox = '0;
        assign direct = state_in;
        aes_key_fwd_step #(.STEP(STAGE + 1), .SUB_IN(STAGE > 0)) key_step_inst (
            .win_in(win_step), .sub_in(sub_in), .key_256(key_256_in), .win_out(win_next));
    end else if (STAGE == 14) begin : g_whiten
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            assign to_sbox[128*l +: 128] = inv_shift_rows(state_in[128*l +: 128] ^ win_in[127:0]);
        end
        assign direct = '0;
        assign win_next = win_in;
    end else begin : g_round
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            aes_dec_round #(.ROUND(ROUND)) round_inst (
                .state_in(state_in[128*l +: 128]),
                .round_key(win_in[255:128]),
                .to_sbox(to_sbox[128*l +: 128]),
                .direct(direct[128*l +: 128])
            );
        end
        if (ROUND >= 2) begin : g_key
            aes_key_inv_step #(.STEP(ROUND)) key_step_inst (
                .win_in(win_in), .key_256(key_256_in), .win_out(win_next));
        end else begin : g_no_key
            assign win_next = win_in;
        end
    end
    if (STAGE >= 14 && STAGE < 28) begin : g_sub
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            for (j = 0; j < 8; j = j + 1) begin : g_rom
                aes_inv_sbox_rom2 rom_inst (
                    .clk(clk), .ce(ce),
                    .a0(to_sbox[128*l + 16*j +: 8]), .a1(to_sbox[128*l + 16*j + 8 +: 8]),
                    .q0(sboxed[128*l + 16*j +: 8]), .q1(sboxed[128*l + 16*j + 8 +: 8]));
            end
        end
    end else begin : g_no_sub
        assign sboxed = '0;
    end
    // The forward key steps (stages 1..13) take SubWord of their window's
    // last word from the stage before, looked up in block RAM as the window
    // is registered; stage 0 uses S-boxes in LUTs.
    if (STAGE < 13) begin : g_key_sub
        aes_sbox_rom2 key_rom0 (.clk(clk), .ce(ce), .a0(win_next[7:0]), .a1(win_next[15:8]),
                                .q0(sub_out[7:0]), .q1(sub_out[15:8]));
        aes_sbox_rom2 key_rom1 (.clk(clk), .ce(ce), .a0(win_next[23:16]), .a1(win_next[31:24]),
                                .q0(sub_out[23:16]), .q1(sub_out[31:24]));
    end else begin : g_no_key_sub
        assign sub_out = '0;
    end
    if (STAGE == 14 || (STAGE >= 19 && STAGE < 28)) begin : g_out_sub
        assign state_out = sboxed;
    end else if (STAGE >= 15 && STAGE <= 18) begin : g_out_pick
        assign state_out = key_256_reg ? sboxed : direct_reg;
    end else begin : g_out_direct
        assign state_out = direct_reg;
    end
endgenerate

always_ff @(posedge clk) begin
    if (ce) begin
        direct_reg  <= direct;
        win_out     <= win_next;
        key_256_reg <= key_256_in;
    end
end
assign key_256_out = key_256_reg;

// Each stage uses either the lookups, the direct path or both.
logic unused_paths;
assign unused_paths = ^{direct_reg, to_sbox, sboxed, (STAGE == 0 || STAGE >= 14) ? sub_in : 32'd0,
                        win_step};

endmodule

`default_nettype wire
