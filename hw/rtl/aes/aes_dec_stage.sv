// One register stage of the AES decryption pipeline (LANES blocks sharing a
// key, key-schedule window beside them). Stages 0..13 run the key schedule
// forward to its last round key while the blocks wait; stage 14 adds the last
// round key; stages 15..28 run inverse rounds 14..1 while walking the key
// schedule back (aes_key_inv_step).
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
    input  wire logic [255:0]         win_in,
    input  wire logic                 key_256_in,
    output logic      [128*LANES-1:0] state_out,
    output logic      [255:0]         win_out,
    output logic                      key_256_out
);

initial begin
    if (STAGE < 0 || STAGE > 28 || LANES < 1) begin
        $error("aes_dec_stage: STAGE must be 0..28, LANES >= 1");
        $finish;
    end
end

localparam int ROUND = 29 - STAGE;   // inverse round run by stages 15..28

logic [128*LANES-1:0] state_next;
logic [255:0]         win_next;

genvar l;
generate
    if (STAGE < 14) begin : g_expand
        assign state_next = state_in;
        aes_key_fwd_step #(.STEP(STAGE + 1)) key_step_inst (
            .win_in(win_in), .key_256(key_256_in), .win_out(win_next));
    end else if (STAGE == 14) begin : g_whiten
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            assign state_next[128*l +: 128] = state_in[128*l +: 128] ^ win_in[127:0];
        end
        assign win_next = win_in;
    end else begin : g_round
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            aes_dec_round #(.ROUND(ROUND)) round_inst (
                .state_in(state_in[128*l +: 128]),
                .round_key(win_in[255:128]),
                .key_256(key_256_in),
                .state_out(state_next[128*l +: 128])
            );
        end
        if (ROUND >= 2) begin : g_key
            aes_key_inv_step #(.STEP(ROUND)) key_step_inst (
                .win_in(win_in), .key_256(key_256_in), .win_out(win_next));
        end else begin : g_no_key
            assign win_next = win_in;
        end
    end
endgenerate

always_ff @(posedge clk) begin
    if (ce) begin
        state_out   <= state_next;
        win_out     <= win_next;
        key_256_out <= key_256_in;
    end
end

endmodule

`default_nettype wire
