// Inbound SA lookup (docs/hw/datapath.md, hashing and common blocks).
//
// Keeps the key of every SA table entry, written whole by commits: a valid
// inbound entry's (spi, protocol: esp 50 / ah 51, outer_ipv6, tunnel_dst);
// any other entry keeps no key. A lookup compares the WAYS keys of the bucket
// crc32c(sa_key_bytes) mod (SA_COUNT / WAYS) and answers the lowest matching
// way. Three register stages (hash, read, compare), in order, one lookup per
// cycle; the pipeline holds while the answer waits. Lookups and writes wait
// while the key memory clears after reset (SA_COUNT / WAYS cycles).
`default_nettype none

module aipsec_sa_lookup #(
  parameter int SA_COUNT = 64                  // SA table entries (WAYS * a power of two >= 2)
) (
  input  wire logic                          clk,
  input  wire logic                          rst,

  input  wire logic                          s_wr_valid,
  output      logic                          s_wr_ready,
  input  wire logic [SA_INDEX_W-1:0]         s_wr_index,
  /* verilator lint_off UNUSEDSIGNAL */     // only the key fields are kept
  input  wire aipsec_regs_pkg::sa_context_t  s_wr_entry,
  /* verilator lint_on UNUSEDSIGNAL */

  input  wire logic                          s_lk_valid,
  output      logic                          s_lk_ready,
  input  wire logic [31:0]                   s_lk_spi,
  input  wire logic [7:0]                    s_lk_proto,
  input  wire logic                          s_lk_ipv6,
  input  wire logic [127:0]                  s_lk_dst,

  output      logic                          m_lk_valid,
  input  wire logic                          m_lk_ready,
  output      logic                          m_lk_hit,
  output      logic [SA_INDEX_W-1:0]         m_lk_index
);

  localparam int SA_INDEX_W = $clog2(SA_COUNT);
  localparam int WAYS = aipsec_dp_pkg::WAYS;
  localparam int WAY_W = $clog2(aipsec_dp_pkg::WAYS);
  localparam int BUCKET_W = SA_INDEX_W - WAY_W;
  localparam int KEY_BYTES = aipsec_dp_pkg::SA_KEY_BYTES;

  // What the memory holds per entry; all zero (after clearing) is no key.
  typedef struct packed {
    logic         active;                      // valid inbound entry
    logic [31:0]  spi;
    logic [7:0]   proto;
    logic         ipv6;
    logic [127:0] dst;
  } sa_key_t;
  localparam int ENTRY_W = 1 + 32 + 8 + 1 + 128;   // $bits(sa_key_t), spelled out for yosys

  logic m_valid_reg;
  logic busy;
  wire  en = !m_valid_reg || m_lk_ready;
  assign s_lk_ready = en && !busy;

  // ---- write: the key of the committed entry ----
  sa_key_t wr_key;
  always_comb begin
    wr_key.active = s_wr_entry.valid == 1'b1 &&
                    s_wr_entry.direction == aipsec_regs_pkg::SA_CONTEXT_DIRECTION_INBOUND;
    wr_key.spi = s_wr_entry.spi;
    wr_key.proto = s_wr_entry.protocol == aipsec_regs_pkg::SA_CONTEXT_PROTOCOL_AH ? 8'd51 : 8'd50;
    wr_key.ipv6 = s_wr_entry.outer_ipv6;
    wr_key.dst = s_wr_entry.tunnel_dst;
    if (!wr_key.active) wr_key = '0;
  end

  // ---- hash ----
  sa_key_t                 s_key;
  logic [8*KEY_BYTES-1:0]  s_key_bytes;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0]             s_crc;             // the bucket is its low bits (crc mod buckets)
  /* verilator lint_on UNUSEDSIGNAL */
  assign s_key = {1'b1, s_lk_spi, s_lk_proto, s_lk_ipv6, s_lk_dst};
  assign s_key_bytes = (8*KEY_BYTES)'(aipsec_dp_pkg::sa_key_bytes(s_lk_spi, s_lk_proto, s_lk_ipv6, s_lk_dst));
  aipsec_key_hash #(.KEY_BYTES(KEY_BYTES)) hash_inst (.key(s_key_bytes), .crc(s_crc));

  logic                k_valid_reg;
  sa_key_t             k_key_reg;
  logic [BUCKET_W-1:0] k_bucket_reg;

  always_ff @(posedge clk) begin
    if (en) begin
      k_valid_reg <= s_lk_valid && s_lk_ready;
      k_key_reg <= s_key;
      k_bucket_reg <= s_crc[BUCKET_W-1:0];
    end
    if (rst) k_valid_reg <= 1'b0;
  end

  // ---- read ----
  logic [WAYS*ENTRY_W-1:0] r_ways;
  logic                    r_valid_reg;
  sa_key_t                 r_key_reg;
  logic [BUCKET_W-1:0]     r_bucket_reg;

  aipsec_bucket_ram #(.ENTRIES(SA_COUNT), .ENTRY_W(ENTRY_W)) ram_inst (
    .clk, .rst, .busy,
    .wr_valid(s_wr_valid), .wr_ready(s_wr_ready), .wr_index(s_wr_index), .wr_data(wr_key),
    .rd_en(en), .rd_bucket(k_bucket_reg), .rd_data(r_ways));

  always_ff @(posedge clk) begin
    if (en) begin
      r_valid_reg <= k_valid_reg;
      r_key_reg <= k_key_reg;
      r_bucket_reg <= k_bucket_reg;
    end
    if (rst) r_valid_reg <= 1'b0;
  end

  // ---- compare (the stored key of an active entry equals the lookup key with active set) ----
  logic             c_hit;
  logic [WAY_W-1:0] c_way;

  always_comb begin
    c_hit = 1'b0;
    c_way = '0;
    for (int w = WAYS - 1; w >= 0; w = w - 1) begin
      if (r_ways[w*ENTRY_W +: ENTRY_W] == r_key_reg) begin
        c_hit = 1'b1;
        c_way = WAY_W'(w);
      end
    end
  end

  always_ff @(posedge clk) begin
    if (en) begin
      m_valid_reg <= r_valid_reg;
      m_lk_hit <= c_hit;
      m_lk_index <= {r_bucket_reg, c_way};
    end
    if (rst) m_valid_reg <= 1'b0;
  end

  assign m_lk_valid = m_valid_reg;

endmodule

`default_nettype wire
