// One register stage of the AES encryption pipeline: LANES blocks that share
// one key, plus the key-schedule window carried beside them.
// STAGE 0 adds round key 0; STAGE 1..14 runs round STAGE. Every stage also
// expands the round key the next stage needs, so the key travels with the
// block and consecutive beats may use different keys.
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
    input  wire logic [255:0]         win_in,      // key window (see aes_key_fwd_step)
    input  wire logic                 key_256_in,
    output logic      [128*LANES-1:0] state_out,
    output logic      [255:0]         win_out,
    output logic                      key_256_out
);

initial begin
    if (STAGE < 0 || STAGE > 14 || LANES < 1) begin
        $error("aes_enc_stage: STAGE must be 0..14, LANES >= 1");
        $finish;
    end
end

logic [128*LANES-1:0] state_next;
logic [255:0]         win_next;

genvar l;
generate
    if (STAGE == 0) begin : g_whiten
        // win_in here is the raw key window: {key[0:15], key[16:31]} for
        // 256-bit keys, {key[0:15], key[0:15]} for 128-bit keys.
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            assign state_next[128*l +: 128] = state_in[128*l +: 128] ^ win_in[255:128];
        end
    end else begin : g_round
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            aes_enc_round #(.ROUND(STAGE)) round_inst (
                .state_in(state_in[128*l +: 128]),
                .round_key(win_in[127:0]),
                .key_256(key_256_in),
                .state_out(state_next[128*l +: 128])
            );
        end
    end
    if (STAGE < 14) begin : g_key
        aes_key_fwd_step #(.STEP(STAGE + 1)) key_step_inst (
            .win_in(win_in),
            .key_256(key_256_in),
            .win_out(win_next)
        );
    end else begin : g_no_key
        assign win_next = win_in;
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
