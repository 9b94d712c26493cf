// Shadow + commit window for one table (SA contexts or flow entries).
//
// The host writes the words of one entry into the shadow, then commits: the
// whole entry is offered to the table owner in one valid/ready beat and the
// owner writes it in a single cycle between packets, so no packet ever sees a
// half-written entry. While a commit is pending the shadow is frozen (the
// register file refuses writes with SLVERR), and once the commit is taken the
// shadow is zeroed so key material does not linger in the register file.
`default_nettype none

module aipsec_ctrl_window #(
  parameter int WORDS = 37,    // 32-bit words of one entry
  parameter int INDEX_W = 10   // table index width
) (
  input  wire logic                  clk,
  input  wire logic                  rst,

  // register-file side (accepted only while !busy)
  input  wire logic                  wr_en,
  input  wire logic [WORD_W-1:0]     wr_word,
  input  wire logic [31:0]           wr_data,
  input  wire logic                  index_wr,
  input  wire logic [INDEX_W-1:0]    index_data,
  input  wire logic                  commit,
  output      logic                  busy,
  output      logic [INDEX_W-1:0]    index,

  // table-owner side: one entry per beat
  output      logic                  m_valid,
  input  wire logic                  m_ready,
  output      logic [INDEX_W-1:0]    m_index,
  output      logic [WORDS*32-1:0]   m_data
);

  localparam int WORD_W = WORDS > 1 ? $clog2(WORDS) : 1;

  initial begin
    if (WORDS < 1 || INDEX_W < 1) begin
      $error("aipsec_ctrl_window: WORDS and INDEX_W must be positive");
      $finish;
    end
  end

  logic [WORDS*32-1:0] shadow_reg;
  logic [INDEX_W-1:0]  index_reg;
  logic [INDEX_W-1:0]  commit_index_reg;
  logic                valid_reg;

  assign busy = valid_reg;
  assign index = index_reg;
  assign m_valid = valid_reg;
  assign m_index = commit_index_reg;
  assign m_data = shadow_reg;

  always_ff @(posedge clk) begin
    if (valid_reg && m_ready) begin
      valid_reg <= 1'b0;
      shadow_reg <= '0;
    end else if (!valid_reg) begin
      if (commit) begin
        valid_reg <= 1'b1;
        commit_index_reg <= index_reg;
      end
      if (index_wr) begin
        index_reg <= index_data;
      end
    end
    for (int w = 0; w < WORDS; w++) begin
      if (!valid_reg && wr_en && wr_word == WORD_W'(w)) begin
        shadow_reg[w*32 +: 32] <= wr_data;
      end
    end
    if (rst) begin
      valid_reg <= 1'b0;
      index_reg <= '0;
      commit_index_reg <= '0;
      shadow_reg <= '0;
    end
  end

endmodule

`default_nettype wire
