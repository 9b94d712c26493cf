// Outbound flow table (docs/hw/datapath.md, hashing and common blocks).
//
// Entries are written whole by commits (s_wr_*) at any index; a lookup by flow
// key compares the WAYS entries of the key's bucket, crc32c(flow_key_bytes)
// mod (FLOW_COUNT / WAYS), and answers the lowest matching way of a valid
// entry with that entry (one consistent snapshot). Three register stages
// (hash, read, compare), in order, one lookup per cycle; the pipeline holds
// while the answer waits. IPv4 keys have the address in the low 32 bits and
// zeros above, as the entries must. Lookups and writes wait while the table
// clears after reset (FLOW_COUNT / WAYS cycles).
`default_nettype none

module aipsec_flow_table #(
  parameter int FLOW_COUNT = 256               // entries (WAYS * a power of two >= 2)
) (
  input  wire logic                         clk,
  input  wire logic                         rst,

  input  wire logic                         s_wr_valid,
  output      logic                         s_wr_ready,
  input  wire logic [FLOW_INDEX_W-1:0]      s_wr_index,
  input  wire aipsec_regs_pkg::flow_entry_t s_wr_entry,

  input  wire logic                         s_lk_valid,
  output      logic                         s_lk_ready,
  input  wire logic                         s_lk_ipv6,
  input  wire logic [7:0]                   s_lk_proto,
  input  wire logic [15:0]                  s_lk_sport,
  input  wire logic [15:0]                  s_lk_dport,
  input  wire logic [127:0]                 s_lk_src,
  input  wire logic [127:0]                 s_lk_dst,

  output      logic                         m_lk_valid,
  input  wire logic                         m_lk_ready,
  output      logic                         m_lk_hit,
  output      logic [FLOW_INDEX_W-1:0]      m_lk_index,
  output      aipsec_regs_pkg::flow_entry_t m_lk_entry
);

  localparam int FLOW_INDEX_W = $clog2(FLOW_COUNT);
  localparam int WAYS = aipsec_dp_pkg::WAYS;
  localparam int WAY_W = $clog2(aipsec_dp_pkg::WAYS);
  localparam int BUCKET_W = FLOW_INDEX_W - WAY_W;
  localparam int KEY_BYTES = aipsec_dp_pkg::FLOW_KEY_BYTES;
  localparam int ENTRY_W = aipsec_regs_pkg::FLOW_ENTRY_BITS;

  typedef struct packed {
    logic         ipv6;
    logic [7:0]   proto;
    logic [15:0]  sport;
    logic [15:0]  dport;
    logic [127:0] src;
    logic [127:0] dst;
  } key_t;

  logic m_valid_reg;
  logic busy;
  wire  en = !m_valid_reg || m_lk_ready;
  assign s_lk_ready = en && !busy;

  // ---- hash ----
  key_t                      s_key;
  logic [8*KEY_BYTES-1:0]    s_key_bytes;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0]               s_crc;             // the bucket is its low bits (crc mod buckets)
  /* verilator lint_on UNUSEDSIGNAL */
  assign s_key = {s_lk_ipv6, s_lk_proto, s_lk_sport, s_lk_dport, s_lk_src, s_lk_dst};
  assign s_key_bytes = (8*KEY_BYTES)'(aipsec_dp_pkg::flow_key_bytes(s_lk_ipv6, s_lk_proto, s_lk_sport,
                                                                    s_lk_dport, s_lk_src, s_lk_dst));
  aipsec_key_hash #(.KEY_BYTES(KEY_BYTES)) hash_inst (.key(s_key_bytes), .crc(s_crc));

  logic                k_valid_reg;
  key_t                k_key_reg;
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
  key_t                    r_key_reg;
  logic [BUCKET_W-1:0]     r_bucket_reg;

  aipsec_bucket_ram #(.ENTRIES(FLOW_COUNT), .ENTRY_W(ENTRY_W)) ram_inst (
    .clk, .rst, .busy,
    .wr_valid(s_wr_valid), .wr_ready(s_wr_ready), .wr_index(s_wr_index), .wr_data(s_wr_entry),
    .rd_en(en), .rd_bucket(k_bucket_reg), .rd_data(r_ways));

  always_ff @(posedge clk) begin
    if (en) begin
      r_valid_reg <= k_valid_reg;
      r_key_reg <= k_key_reg;
      r_bucket_reg <= k_bucket_reg;
    end
    if (rst) r_valid_reg <= 1'b0;
  end

  // ---- compare ----
  logic                         c_hit;
  logic [WAY_W-1:0]             c_way;
  aipsec_regs_pkg::flow_entry_t c_entry;
  // The key fields of a valid entry against the lookup key (the action fields are not looked at).
  /* verilator lint_off UNUSEDSIGNAL */
  aipsec_regs_pkg::flow_entry_t c_e;
  /* verilator lint_on UNUSEDSIGNAL */

  always_comb begin
    c_hit = 1'b0;
    c_way = '0;
    c_entry = '0;
    c_e = '0;
    for (int w = WAYS - 1; w >= 0; w = w - 1) begin
      c_e = r_ways[w*ENTRY_W +: ENTRY_W];
      if (c_e.valid == 1'b1 && c_e.ipv6 == r_key_reg.ipv6 && c_e.protocol == r_key_reg.proto &&
          c_e.src_port == r_key_reg.sport && c_e.dst_port == r_key_reg.dport &&
          c_e.src_addr == r_key_reg.src && c_e.dst_addr == r_key_reg.dst) begin
        c_hit = 1'b1;
        c_way = WAY_W'(w);
        c_entry = c_e;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (en) begin
      m_valid_reg <= r_valid_reg;
      m_lk_hit <= c_hit;
      m_lk_index <= {r_bucket_reg, c_way};
      m_lk_entry <= c_entry;
    end
    if (rst) m_valid_reg <= 1'b0;
  end

  assign m_lk_valid = m_valid_reg;

endmodule

`default_nettype wire
