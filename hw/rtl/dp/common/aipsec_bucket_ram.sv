// Entry memory of a bucketed hash table (docs/hw/datapath.md, hashing): WAYS
// banks of plain RAM, bank w holding entry b*WAYS+w at address b, so one read
// returns the WAYS entries of a bucket.
//
// A write stores a whole entry in one cycle, so a read sees either the old or
// the new entry, never a mix. After reset the memory is cleared, one bucket
// per cycle (busy is high meanwhile and writes wait): no entry is valid until
// written. Reads: rd_data holds the bucket addressed at the last rd_en, from
// the next cycle on (block RAM with its output register).
`default_nettype none

module aipsec_bucket_ram #(
  parameter int ENTRIES = 256,                 // entries (WAYS * a power of two >= 2)
  parameter int ENTRY_W = 352                  // bits per entry; all zero means empty
) (
  input  wire logic                       clk,
  input  wire logic                       rst,
  output      logic                       busy,       // clearing after reset

  input  wire logic                       wr_valid,
  output      logic                       wr_ready,
  input  wire logic [$clog2(ENTRIES)-1:0] wr_index,
  input  wire logic [ENTRY_W-1:0]         wr_data,

  input  wire logic                       rd_en,
  input  wire logic [$clog2(ENTRIES / aipsec_dp_pkg::WAYS)-1:0] rd_bucket,
  output      logic [aipsec_dp_pkg::WAYS*ENTRY_W-1:0] rd_data  // way w in bits w*ENTRY_W +: ENTRY_W
);

  localparam int WAYS = aipsec_dp_pkg::WAYS;
  localparam int INDEX_W = $clog2(ENTRIES);
  localparam int BUCKETS = ENTRIES / WAYS;
  localparam int BUCKET_W = $clog2(ENTRIES / aipsec_dp_pkg::WAYS);
  localparam int WAY_W = $clog2(aipsec_dp_pkg::WAYS);

  initial begin
    if (BUCKETS < 2 || (1 << BUCKET_W) != BUCKETS || BUCKETS * WAYS != ENTRIES || (1 << WAY_W) != WAYS) begin
      $error("aipsec_bucket_ram: ENTRIES must be WAYS times a power of two >= 2");
    end
  end

  logic                clear_reg;
  logic [BUCKET_W-1:0] clear_bucket_reg;

  assign busy = clear_reg;
  assign wr_ready = !clear_reg;

  wire                wr_take = wr_valid && wr_ready;
  wire [BUCKET_W-1:0] waddr = clear_reg ? clear_bucket_reg : wr_index[INDEX_W-1:WAY_W];
  wire [WAY_W-1:0]    wway = wr_index[WAY_W-1:0];

  for (genvar w = 0; w < WAYS; w = w + 1) begin : g_bank
    logic [ENTRY_W-1:0] mem [BUCKETS];
    logic [ENTRY_W-1:0] q_reg;
    wire we = clear_reg || (wr_take && wway == WAY_W'(w));

    always_ff @(posedge clk) begin
      if (we) mem[waddr] <= clear_reg ? {ENTRY_W{1'b0}} : wr_data;
      if (rd_en) q_reg <= mem[rd_bucket];
    end
    assign rd_data[w*ENTRY_W +: ENTRY_W] = q_reg;
  end

  always_ff @(posedge clk) begin
    if (clear_reg) begin
      clear_bucket_reg <= clear_bucket_reg + 1'b1;
      if (clear_bucket_reg == BUCKET_W'(BUCKETS - 1)) clear_reg <= 1'b0;
    end
    if (rst) begin
      clear_reg <= 1'b1;
      clear_bucket_reg <= '0;
    end
  end

endmodule

`default_nettype wire
