// Two adjacent stages of the AES encryption pipeline, FIRST and FIRST+1, wired
// as aes_enc_pipe wires them: a depth-check top (hw/syn/aes.cmake) for a
// boundary where the first stage picks its output by key size after its
// registers, so that the pick adds to the second stage's logic.
`default_nettype none

module aes_enc_stage_pair #(
    parameter int FIRST = 10
) (
    input  wire logic         clk,
    input  wire logic         ce,
    input  wire logic [127:0] state_in,
    input  wire logic [255:0] win_in,
    input  wire logic [31:0]  sub_in,
    input  wire logic         key_256_in,
    output logic      [127:0] state_out,
    output logic      [255:0] win_out,
    output logic      [31:0]  sub_out,
    output logic              key_256_out
);

logic [127:0] state_mid;
logic [255:0] win_mid;
logic [31:0]  sub_mid;
logic         key_256_mid;

aes_enc_stage #(.STAGE(FIRST), .LANES(1)) first_inst (
    .clk(clk), .ce(ce), .state_in(state_in), .win_in(win_in), .sub_in(sub_in),
    .key_256_in(key_256_in), .state_out(state_mid), .win_out(win_mid), .sub_out(sub_mid),
    .key_256_out(key_256_mid));
aes_enc_stage #(.STAGE(FIRST + 1), .LANES(1)) second_inst (
    .clk(clk), .ce(ce), .state_in(state_mid), .win_in(win_mid), .sub_in(sub_mid),
    .key_256_in(key_256_mid), .state_out(state_out), .win_out(win_out), .sub_out(sub_out),
    .key_256_out(key_256_out));

endmodule

`default_nettype wire
