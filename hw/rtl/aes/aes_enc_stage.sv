// One register stage of the AES encryption pipeline: LANES blocks that share
// one key, plus the key-schedule window carried beside them.
// STAGE 0 adds round key 0; STAGE 1..14 runs round STAGE. Every stage also
// expands the round key the next stage needs, so the key travels with the
// block and consecutive beats may use different keys.
// SubBytes is the last step of a stage: its lookups are block-RAM ROMs
// (aes_sbox_rom2, two lookups per RAMB18E2) whose output register is the
// stage register, so between stages a block is "state after SubBytes" and
// the rest of the round (aes_enc_round) runs at the start of the next stage.
// A stage that may end a block's cipher (the final round: 10 for 128-bit
// keys, 14 for 256-bit keys) or pass it (11..14 for 128-bit keys) also
// registers that result and picks by the block's registered key size.
// Stage 0 takes the raw key window and forms the 128-bit key's window
// itself, so that nothing but wiring sits between the pipeline's inputs
// and this stage (its own depth check then covers the whole path).
`default_nettype none

module aes_enc_stage #(
    // Pipeline stage, 0..14.
    parameter int STAGE = 0,
    // Blocks per beat (all lanes use the same key).
    parameter int LANES = 1
) (
    input  wire logic                 clk,
    input  wire logic                 ce,          // advance the pipeline
    input  wire logic [128*LANES-1:0] state_in,    // FIPS-197 byte order per lane
    input  wire logic [255:0]         win_in,      // key window (aes_key_fwd_step); stage 0: raw key
    input  wire logic [31:0]          sub_in,      // SubWord of win_in[31:0] (stages 1..13)
    input  wire logic                 key_256_in,
    output logic      [128*LANES-1:0] state_out,
    output logic      [255:0]         win_out,
    output logic      [31:0]          sub_out,     // SubWord of win_out[31:0] (stages 0..12)
    output logic                      key_256_out
);

initial begin
    if (STAGE < 0 || STAGE > 14 || LANES < 1) begin
        $error("aes_enc_stage: STAGE must be 0..14, LANES >= 1");
        $finish;
    end
end

logic [128*LANES-1:0] to_sbox, sboxed, direct, direct_reg;
logic [255:0]         win_step, win_next;
logic                 key_256_reg;

genvar l, j;
generate
    for (l = 0; l < LANES; l = l + 1) begin : g_lane
        if (STAGE == 0) begin : g_whiten
            // win_in here is the raw key {key[0:15], key[16:31]}; round key 0
            // is key[0:15] for both key sizes.
            assign to_sbox[128*l +: 128] = state_in[128*l +: 128] ^ win_in[255:128];
            assign direct[128*l +: 128] = '0;
        end else begin : g_round
            aes_enc_round #(.ROUND(STAGE)) round_inst (
                .state_in(state_in[128*l +: 128]),
                .round_key(win_in[127:0]),
                .key_256(key_256_in),
                .to_sbox(to_sbox[128*l +: 128]),
                .direct(direct[128*l +: 128])
            );
        end
        if (STAGE < 14) begin : g_sub
            for (j = 0; j < 8; j = j + 1) begin : g_rom
                aes_sbox_rom2 rom_inst (
                    .clk(clk), .ce(ce),
                    .a0(to_sbox[128*l + 16*j +: 8]), .a1(to_sbox[128*l + 16*j + 8 +: 8]),
                    .q0(sboxed[128*l + 16*j +: 8]), .q1(sboxed[128*l + 16*j + 8 +: 8]));
            end
        end else begin : g_no_sub
            assign sboxed[128*l +: 128] = '0;
        end
    end
    // The window of a 128-bit key is {key[0:15], key[0:15]} (stage 0 forms
    // it from the raw key).
    if (STAGE == 0) begin : g_win_raw
        assign win_step = key_256_in ? win_in : {win_in[255:128], win_in[255:128]};
    end else begin : g_win_carried
        assign win_step = win_in;
    end
    if (STAGE < 14) begin : g_key
        aes_key_fwd_step #(.STEP(STAGE + 1), .SUB_IN(STAGE > 0)) key_step_inst (
            .win_in(win_step),
            .sub_in(sub_in),
            .key_256(key_256_in),
            .win_out(win_next)
        );
    end else begin : g_no_key
        assign win_next = win_step;
    end
    // The next stage's key step needs SubWord of the last word of the window
    // this stage hands it: looked up here, in block RAM, as the window is
    // registered. Stage 0 has no earlier stage and uses S-boxes in LUTs.
    if (STAGE < 13) begin : g_key_sub
        aes_sbox_rom2 key_rom0 (.clk(clk), .ce(ce), .a0(win_next[7:0]), .a1(win_next[15:8]),
                                .q0(sub_out[7:0]), .q1(sub_out[15:8]));
        aes_sbox_rom2 key_rom1 (.clk(clk), .ce(ce), .a0(win_next[23:16]), .a1(win_next[31:24]),
                                .q0(sub_out[23:16]), .q1(sub_out[31:24]));
    end else begin : g_no_key_sub
        assign sub_out = '0;
    end
    if (STAGE < 10) begin : g_out_sub
        assign state_out = sboxed;
    end else if (STAGE < 14) begin : g_out_pick
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

// Stages 1..9 never use the direct path; stage 14 never looks up the S-box.
logic unused_paths;
assign unused_paths = ^{direct_reg, to_sbox, sboxed, (STAGE == 0 || STAGE == 14) ? sub_in : 32'd0};

endmodule

`default_nettype wire
