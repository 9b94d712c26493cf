// AES encryption (FIPS-197 cipher), fully pipelined: one beat of LANES
// blocks per clock, AES-128 or AES-256 chosen per beat, the key expanded from
// the raw key inside the pipeline beside the data (no key setup, no key
// store: consecutive beats may carry different keys).
//
// Ports (stable; used by the GCM and CBC cores):
//   clk, rst                 rst is synchronous, active high; clears valids only
//   s_axis_tdata  [128*LANES-1:0]  plaintext blocks; lane l = [128*l +: 128];
//                            AXI byte order: byte 0 of a block in bits [7:0]
//   s_axis_key    [255:0]    raw key, AXI byte order (key byte 0 in [7:0]);
//                            a 128-bit key uses bytes 0..15 ([127:0]), [255:128] ignored
//   s_axis_key_256           1: AES-256, 0: AES-128 (AES-192 is not supported)
//   s_axis_tuser  [USER_W-1:0] sideband carried unchanged to m_axis_tuser
//   s_axis_tvalid / s_axis_tready
//   m_axis_tdata  [128*LANES-1:0]  ciphertext blocks, same layout
//   m_axis_tuser  [USER_W-1:0]
//   m_axis_tvalid / m_axis_tready
// Latency: 15 clocks from an accepted input to its output when
// not stalled. Flow control: the whole pipeline advances when the output is
// empty or taken (s_axis_tready = !m_axis_tvalid || m_axis_tready, a
// combinational path from m_axis_tready); beats are never dropped or
// reordered.
`default_nettype none

module aes_enc_pipe #(
    // Blocks per beat; all lanes of a beat use the same key.
    parameter int LANES = 1,
    // Width of the sideband carried beside each beat (>= 1).
    parameter int USER_W = 1
) (
    input  wire logic                 clk,
    input  wire logic                 rst,

    input  wire logic [128*LANES-1:0] s_axis_tdata,
    input  wire logic [255:0]         s_axis_key,
    input  wire logic                 s_axis_key_256,
    input  wire logic [USER_W-1:0]    s_axis_tuser,
    input  wire logic                 s_axis_tvalid,
    output logic                      s_axis_tready,

    output logic      [128*LANES-1:0] m_axis_tdata,
    output logic      [USER_W-1:0]    m_axis_tuser,
    output logic                      m_axis_tvalid,
    input  wire logic                 m_axis_tready
);

localparam int STAGES = 15;

initial begin
    if (LANES < 1 || USER_W < 1) begin
        $error("aes_enc_pipe: LANES and USER_W must be >= 1");
        $finish;
    end
end

// AXI byte order <-> FIPS-197 order (byte 0 in the top bits): wiring only.
function automatic logic [127:0] swap_bytes(input logic [127:0] x);
    for (int n = 0; n < 16; n = n + 1) begin
        swap_bytes[127-8*n -: 8] = x[8*n +: 8];
    end
endfunction

logic                 ce;
logic [128*LANES-1:0] state [0:STAGES];
logic [255:0]         win [0:STAGES];
logic [31:0]          key_sub [0:STAGES];       // SubWord of win[s][31:0], looked up by stage s-1
logic                 key_256 [0:STAGES];
logic [STAGES-1:0]    valid_reg;
logic [USER_W-1:0]    user_reg [0:STAGES-1];
logic [255:0]         key_fips;

assign ce = !valid_reg[STAGES-1] || m_axis_tready;
assign s_axis_tready = ce;

assign key_fips = {swap_bytes(s_axis_key[127:0]), swap_bytes(s_axis_key[255:128])};
assign win[0] = key_fips;                       // stage 0 forms a 128-bit key's window
assign key_256[0] = s_axis_key_256;
assign key_sub[0] = '0;                         // stage 0 looks up its own

genvar l, s;
generate
    for (l = 0; l < LANES; l = l + 1) begin : g_lane_io
        assign state[0][128*l +: 128] = swap_bytes(s_axis_tdata[128*l +: 128]);
        assign m_axis_tdata[128*l +: 128] = swap_bytes(state[STAGES][128*l +: 128]);
    end
    for (s = 0; s < STAGES; s = s + 1) begin : g_stage
        aes_enc_stage #(.STAGE(s), .LANES(LANES)) stage_inst (
            .clk(clk),
            .ce(ce),
            .state_in(state[s]),
            .win_in(win[s]),
            .sub_in(key_sub[s]),
            .key_256_in(key_256[s]),
            .state_out(state[s+1]),
            .win_out(win[s+1]),
            .sub_out(key_sub[s+1]),
            .key_256_out(key_256[s+1])
        );
    end
endgenerate

always_ff @(posedge clk) begin
    if (ce) begin
        valid_reg <= {valid_reg[STAGES-2:0], s_axis_tvalid};
        user_reg[0] <= s_axis_tuser;
        for (int i = 1; i < STAGES; i = i + 1) begin
            user_reg[i] <= user_reg[i-1];
        end
    end
    if (rst) begin
        valid_reg <= '0;
    end
end

assign m_axis_tvalid = valid_reg[STAGES-1];
assign m_axis_tuser = user_reg[STAGES-1];

// The last stage's key window and key size are not needed downstream.
logic unused_last_key;
assign unused_last_key = ^{win[STAGES], key_256[STAGES], key_sub[STAGES]};

endmodule

`default_nettype wire
