// AXI4-Lite register file of the card: the blocks of hw/spec/registers.yaml
// (addresses from the generated aipsec_regs_pkg), the SA-context and flow-entry
// windows, the counters and the queue configuration.
//
// Bus rules (docs/hw/registers.md): 32-bit accesses only. An unmapped address,
// a misaligned address, a partial write strobe, a write to a read-only
// register, an index beyond its table, or a write to a window whose commit is
// pending answers SLVERR and changes nothing; an unmapped read returns 0.
`default_nettype none

module aipsec_ctrl_regs #(
  parameter int SA_COUNT = 1024,            // SA table entries
  parameter int FLOW_COUNT = 4096,          // flow table entries
  parameter int DATA_W = 512,               // AXI4-Stream width of the packet ports (reported)
  parameter logic [31:0] BUILD_DATE = '0,   // Unix seconds, passed in at build time
  parameter logic [31:0] GIT_HASH = '0      // first 8 hex digits of the commit
) (
  input  wire logic               clk,
  input  wire logic               rst,

  // AXI4-Lite slave
  input  wire logic [ADDR_W-1:0]  s_axil_awaddr,
  input  wire logic [2:0]         s_axil_awprot,
  input  wire logic               s_axil_awvalid,
  output      logic               s_axil_awready,
  input  wire logic [31:0]        s_axil_wdata,
  input  wire logic [3:0]         s_axil_wstrb,
  input  wire logic               s_axil_wvalid,
  output      logic               s_axil_wready,
  output      logic [1:0]         s_axil_bresp,
  output      logic               s_axil_bvalid,
  input  wire logic               s_axil_bready,
  input  wire logic [ADDR_W-1:0]  s_axil_araddr,
  input  wire logic [2:0]         s_axil_arprot,
  input  wire logic               s_axil_arvalid,
  output      logic               s_axil_arready,
  output      logic [31:0]        s_axil_rdata,
  output      logic [1:0]         s_axil_rresp,
  output      logic               s_axil_rvalid,
  input  wire logic               s_axil_rready,

  // control and settings
  output      logic [31:0]        ctrl_control,
  output      logic [31:0]        ctrl_settings,

  // committed entries to the table owners (one entry per beat)
  output      logic               m_sa_valid,
  input  wire logic               m_sa_ready,
  output      logic [SA_INDEX_W-1:0]   m_sa_index,
  output      aipsec_regs_pkg::sa_context_t m_sa_entry,
  output      logic               m_flow_valid,
  input  wire logic               m_flow_ready,
  output      logic [FLOW_INDEX_W-1:0] m_flow_index,
  output      aipsec_regs_pkg::flow_entry_t m_flow_entry,

  // counter events from the data path
  input  wire logic               s_sa_cnt_valid,
  input  wire logic [SA_INDEX_W-1:0] s_sa_cnt_index,
  input  wire logic [15:0]        s_sa_cnt_bytes,
  input  wire logic               s_drop_valid,
  input  wire logic [7:0]         s_drop_reason,

  // queue configuration for the queue engine, and its producer indexes
  output      logic [31:0]        q_control,
  output      logic [63:0]        q_event_base,
  output      logic [31:0]        q_event_size_log2,
  output      logic [31:0]        q_event_head,
  input  wire logic [31:0]        q_event_tail,
  output      logic [63:0]        q_exception_base,
  output      logic [31:0]        q_exception_size_log2,
  output      logic [31:0]        q_exception_head,
  input  wire logic [31:0]        q_exception_tail,
  output      logic [31:0]        q_interrupt_holdoff
);

  localparam int ADDR_W = aipsec_regs_pkg::ADDR_W;
  localparam int SA_INDEX_W = $clog2(SA_COUNT);
  localparam int FLOW_INDEX_W = $clog2(FLOW_COUNT);
  localparam int SA_WORDS = aipsec_regs_pkg::SA_CONTEXT_WORDS;
  localparam int FLOW_WORDS = aipsec_regs_pkg::FLOW_ENTRY_WORDS;
  localparam int REASONS = aipsec_regs_pkg::REASON_COUNT;
  localparam logic [1:0] RESP_OKAY = 2'b00;
  localparam logic [1:0] RESP_SLVERR = 2'b10;

  initial begin
    if (SA_COUNT < 2 || SA_COUNT > 65536 || FLOW_COUNT < 2 || FLOW_COUNT > 65536) begin
      $error("aipsec_ctrl_regs: table sizes must be 2..65536 (16-bit indexes)");
      $finish;
    end
  end

  // ---------------------------------------------------------------- write path
  logic              aw_full_reg, w_full_reg;
  logic [ADDR_W-1:0] aw_addr_reg;
  logic [31:0]       w_data_reg;
  logic [3:0]        w_strb_reg;
  logic              bvalid_reg, b_wait_snap_reg;
  logic [1:0]        bresp_reg;

  logic [31:0] control_reg, settings_reg, scratch_reg;
  logic [31:0] q_control_reg, q_event_lo_reg, q_event_hi_reg, q_event_size_reg, q_event_head_reg;
  logic [31:0] q_exc_lo_reg, q_exc_hi_reg, q_exc_size_reg, q_exc_head_reg, q_holdoff_reg;

  // what the pending write does (decoded combinationally, applied in do_write)
  logic do_write;
  logic wr_ok;
  logic sa_data_wr, sa_index_wr, sa_commit;
  logic flow_data_wr, flow_index_wr, flow_commit;
  logic snap_req;
  logic [ADDR_W-1:0] sa_data_off, flow_data_off;

  logic sa_busy, flow_busy;
  logic [SA_INDEX_W-1:0] sa_index;
  logic [FLOW_INDEX_W-1:0] flow_index;

  assign do_write = aw_full_reg && w_full_reg && !bvalid_reg && !b_wait_snap_reg;
  assign s_axil_awready = !aw_full_reg;
  assign s_axil_wready = !w_full_reg;
  assign s_axil_bvalid = bvalid_reg;
  assign s_axil_bresp = bresp_reg;
  assign sa_data_off = aw_addr_reg - aipsec_regs_pkg::SA_WINDOW_DATA_ADDR;
  assign flow_data_off = aw_addr_reg - aipsec_regs_pkg::FLOW_WINDOW_DATA_ADDR;

  always_comb begin
    wr_ok = 1'b0;
    sa_data_wr = 1'b0;
    sa_index_wr = 1'b0;
    sa_commit = 1'b0;
    flow_data_wr = 1'b0;
    flow_index_wr = 1'b0;
    flow_commit = 1'b0;
    snap_req = 1'b0;
    if (do_write && w_strb_reg == 4'hf && aw_addr_reg[1:0] == 2'b00) begin
      if (aw_addr_reg >= aipsec_regs_pkg::SA_WINDOW_DATA_ADDR
          && sa_data_off < ADDR_W'(4 * SA_WORDS)) begin
        sa_data_wr = !sa_busy;
        wr_ok = !sa_busy;
      end else if (aw_addr_reg >= aipsec_regs_pkg::FLOW_WINDOW_DATA_ADDR
          && flow_data_off < ADDR_W'(4 * FLOW_WORDS)) begin
        flow_data_wr = !flow_busy;
        wr_ok = !flow_busy;
      end else begin
        case (aw_addr_reg)
          aipsec_regs_pkg::CTRL_CONTROL_ADDR,
          aipsec_regs_pkg::CTRL_SETTINGS_ADDR,
          aipsec_regs_pkg::CTRL_SCRATCH_ADDR,
          aipsec_regs_pkg::QUEUES_QUEUE_CONTROL_ADDR,
          aipsec_regs_pkg::QUEUES_EVENT_BASE_LO_ADDR,
          aipsec_regs_pkg::QUEUES_EVENT_BASE_HI_ADDR,
          aipsec_regs_pkg::QUEUES_EVENT_SIZE_LOG2_ADDR,
          aipsec_regs_pkg::QUEUES_EVENT_HEAD_ADDR,
          aipsec_regs_pkg::QUEUES_EXCEPTION_BASE_LO_ADDR,
          aipsec_regs_pkg::QUEUES_EXCEPTION_BASE_HI_ADDR,
          aipsec_regs_pkg::QUEUES_EXCEPTION_SIZE_LOG2_ADDR,
          aipsec_regs_pkg::QUEUES_EXCEPTION_HEAD_ADDR,
          aipsec_regs_pkg::QUEUES_INTERRUPT_HOLDOFF_ADDR: wr_ok = 1'b1;
          aipsec_regs_pkg::SA_WINDOW_INDEX_ADDR: begin
            sa_index_wr = !sa_busy && w_data_reg < 32'(SA_COUNT);
            wr_ok = sa_index_wr;
          end
          aipsec_regs_pkg::SA_WINDOW_COMMIT_ADDR: begin
            sa_commit = !sa_busy && w_data_reg[0];
            wr_ok = !sa_busy;
          end
          aipsec_regs_pkg::FLOW_WINDOW_INDEX_ADDR: begin
            flow_index_wr = !flow_busy && w_data_reg < 32'(FLOW_COUNT);
            wr_ok = flow_index_wr;
          end
          aipsec_regs_pkg::FLOW_WINDOW_COMMIT_ADDR: begin
            flow_commit = !flow_busy && w_data_reg[0];
            wr_ok = !flow_busy;
          end
          aipsec_regs_pkg::SA_COUNTERS_SNAPSHOT_INDEX_ADDR: begin
            snap_req = w_data_reg < 32'(SA_COUNT);
            wr_ok = snap_req;
          end
          default: wr_ok = 1'b0;
        endcase
      end
    end
  end

  logic snap_valid;
  logic [SA_INDEX_W-1:0] snap_index_reg;

  always_ff @(posedge clk) begin
    if (s_axil_awvalid && s_axil_awready) begin
      aw_full_reg <= 1'b1;
      aw_addr_reg <= s_axil_awaddr;
    end
    if (s_axil_wvalid && s_axil_wready) begin
      w_full_reg <= 1'b1;
      w_data_reg <= s_axil_wdata;
      w_strb_reg <= s_axil_wstrb;
    end
    if (bvalid_reg && s_axil_bready) begin
      bvalid_reg <= 1'b0;
    end
    if (b_wait_snap_reg && snap_valid) begin
      b_wait_snap_reg <= 1'b0;
      bvalid_reg <= 1'b1;
    end
    if (do_write) begin
      aw_full_reg <= 1'b0;
      w_full_reg <= 1'b0;
      bresp_reg <= wr_ok ? RESP_OKAY : RESP_SLVERR;
      // a snapshot write is answered once the snapshot is in place
      if (snap_req) begin
        b_wait_snap_reg <= 1'b1;
        snap_index_reg <= w_data_reg[SA_INDEX_W-1:0];
      end else begin
        bvalid_reg <= 1'b1;
      end
      if (wr_ok) begin
        case (aw_addr_reg)
          aipsec_regs_pkg::CTRL_CONTROL_ADDR: control_reg <= w_data_reg & CONTROL_MASK;
          aipsec_regs_pkg::CTRL_SETTINGS_ADDR: settings_reg <= w_data_reg & SETTINGS_MASK;
          aipsec_regs_pkg::CTRL_SCRATCH_ADDR: scratch_reg <= w_data_reg;
          aipsec_regs_pkg::QUEUES_QUEUE_CONTROL_ADDR: q_control_reg <= w_data_reg & QUEUE_CONTROL_MASK;
          aipsec_regs_pkg::QUEUES_EVENT_BASE_LO_ADDR: q_event_lo_reg <= w_data_reg;
          aipsec_regs_pkg::QUEUES_EVENT_BASE_HI_ADDR: q_event_hi_reg <= w_data_reg;
          aipsec_regs_pkg::QUEUES_EVENT_SIZE_LOG2_ADDR: q_event_size_reg <= w_data_reg;
          aipsec_regs_pkg::QUEUES_EVENT_HEAD_ADDR: q_event_head_reg <= w_data_reg;
          aipsec_regs_pkg::QUEUES_EXCEPTION_BASE_LO_ADDR: q_exc_lo_reg <= w_data_reg;
          aipsec_regs_pkg::QUEUES_EXCEPTION_BASE_HI_ADDR: q_exc_hi_reg <= w_data_reg;
          aipsec_regs_pkg::QUEUES_EXCEPTION_SIZE_LOG2_ADDR: q_exc_size_reg <= w_data_reg;
          aipsec_regs_pkg::QUEUES_EXCEPTION_HEAD_ADDR: q_exc_head_reg <= w_data_reg;
          aipsec_regs_pkg::QUEUES_INTERRUPT_HOLDOFF_ADDR: q_holdoff_reg <= w_data_reg;
          default: ;
        endcase
      end
    end
    if (rst) begin
      aw_full_reg <= 1'b0;
      w_full_reg <= 1'b0;
      bvalid_reg <= 1'b0;
      b_wait_snap_reg <= 1'b0;
      bresp_reg <= RESP_OKAY;
      control_reg <= aipsec_regs_pkg::CTRL_CONTROL_RESET;
      settings_reg <= aipsec_regs_pkg::CTRL_SETTINGS_RESET;
      scratch_reg <= aipsec_regs_pkg::CTRL_SCRATCH_RESET;
      q_control_reg <= aipsec_regs_pkg::QUEUES_QUEUE_CONTROL_RESET;
      q_event_lo_reg <= aipsec_regs_pkg::QUEUES_EVENT_BASE_LO_RESET;
      q_event_hi_reg <= aipsec_regs_pkg::QUEUES_EVENT_BASE_HI_RESET;
      q_event_size_reg <= aipsec_regs_pkg::QUEUES_EVENT_SIZE_LOG2_RESET;
      q_event_head_reg <= aipsec_regs_pkg::QUEUES_EVENT_HEAD_RESET;
      q_exc_lo_reg <= aipsec_regs_pkg::QUEUES_EXCEPTION_BASE_LO_RESET;
      q_exc_hi_reg <= aipsec_regs_pkg::QUEUES_EXCEPTION_BASE_HI_RESET;
      q_exc_size_reg <= aipsec_regs_pkg::QUEUES_EXCEPTION_SIZE_LOG2_RESET;
      q_exc_head_reg <= aipsec_regs_pkg::QUEUES_EXCEPTION_HEAD_RESET;
      q_holdoff_reg <= aipsec_regs_pkg::QUEUES_INTERRUPT_HOLDOFF_RESET;
      snap_index_reg <= '0;
    end
  end

  // Bits of the rw registers that hold a defined field; the others read 0.
  localparam logic [31:0] CONTROL_MASK =
      (32'd1 << aipsec_regs_pkg::CTRL_CONTROL_ENABLE_LSB)
      | (32'd1 << aipsec_regs_pkg::CTRL_CONTROL_MIRROR_REPLAY_LSB)
      | (32'd1 << aipsec_regs_pkg::CTRL_CONTROL_MIRROR_ICV_FAIL_LSB);
  localparam logic [31:0] SETTINGS_MASK =
      (32'd3 << aipsec_regs_pkg::CTRL_SETTINGS_DFBIT_LSB)
      | (32'd1 << aipsec_regs_pkg::CTRL_SETTINGS_ECN_LSB)
      | (32'd1 << aipsec_regs_pkg::CTRL_SETTINGS_AH_CLEARTOS_LSB)
      | (32'hffff << aipsec_regs_pkg::CTRL_SETTINGS_AH_OFFSETMASK_LSB);
  localparam logic [31:0] QUEUE_CONTROL_MASK =
      (32'd1 << aipsec_regs_pkg::QUEUES_QUEUE_CONTROL_EVENT_ENABLE_LSB)
      | (32'd1 << aipsec_regs_pkg::QUEUES_QUEUE_CONTROL_EXCEPTION_ENABLE_LSB);

  // ---------------------------------------------------------------- windows
  aipsec_ctrl_window #(.WORDS(SA_WORDS), .INDEX_W(SA_INDEX_W)) sa_window_inst (
    .clk(clk), .rst(rst),
    .wr_en(sa_data_wr), .wr_word(sa_data_off[2 +: $clog2(SA_WORDS)]), .wr_data(w_data_reg),
    .index_wr(sa_index_wr), .index_data(w_data_reg[SA_INDEX_W-1:0]), .commit(sa_commit),
    .busy(sa_busy), .index(sa_index),
    .m_valid(m_sa_valid), .m_ready(m_sa_ready), .m_index(m_sa_index), .m_data(m_sa_entry)
  );

  aipsec_ctrl_window #(.WORDS(FLOW_WORDS), .INDEX_W(FLOW_INDEX_W)) flow_window_inst (
    .clk(clk), .rst(rst),
    .wr_en(flow_data_wr), .wr_word(flow_data_off[2 +: $clog2(FLOW_WORDS)]), .wr_data(w_data_reg),
    .index_wr(flow_index_wr), .index_data(w_data_reg[FLOW_INDEX_W-1:0]), .commit(flow_commit),
    .busy(flow_busy), .index(flow_index),
    .m_valid(m_flow_valid), .m_ready(m_flow_ready), .m_index(m_flow_index), .m_data(m_flow_entry)
  );

  // ---------------------------------------------------------------- counters
  logic [63:0] snap_packets, snap_bytes;
  logic        sa_cnt_clearing;

  aipsec_ctrl_sa_counters #(.COUNT(SA_COUNT), .LEN_W(16)) sa_counters_inst (
    .clk(clk), .rst(rst),
    .cnt_valid(s_sa_cnt_valid), .cnt_index(s_sa_cnt_index), .cnt_bytes(s_sa_cnt_bytes),
    .snap_req(snap_req), .snap_index(w_data_reg[SA_INDEX_W-1:0]),
    .snap_valid(snap_valid), .snap_packets(snap_packets), .snap_bytes(snap_bytes),
    .clearing(sa_cnt_clearing)
  );

  logic [7:0]  drop_rd_code;
  logic [63:0] drop_rd_value;

  aipsec_ctrl_drop_counters #(.COUNT(REASONS), .CODE_W(8)) drop_counters_inst (
    .clk(clk), .rst(rst),
    .event_valid(s_drop_valid), .event_code(s_drop_reason),
    .rd_code(drop_rd_code), .rd_value(drop_rd_value)
  );

  // ---------------------------------------------------------------- read path
  logic              rvalid_reg;
  logic [31:0]       rdata_reg;
  logic [1:0]        rresp_reg;
  logic [31:0]       drop_hi_reg;
  logic [31:0]       rd_data;
  logic              rd_ok, rd_drop_lo;
  logic [ADDR_W-1:0] ar_drop_off, ar_sa_off, ar_flow_off;

  assign s_axil_arready = !rvalid_reg;
  assign s_axil_rvalid = rvalid_reg;
  assign s_axil_rdata = rdata_reg;
  assign s_axil_rresp = rresp_reg;
  assign ar_drop_off = s_axil_araddr - aipsec_regs_pkg::DROP_COUNTERS_FIRST_ADDR;
  assign ar_sa_off = s_axil_araddr - aipsec_regs_pkg::SA_WINDOW_DATA_ADDR;
  assign ar_flow_off = s_axil_araddr - aipsec_regs_pkg::FLOW_WINDOW_DATA_ADDR;
  assign drop_rd_code = ar_drop_off[10:3];

  always_comb begin
    rd_data = '0;
    rd_ok = 1'b1;
    rd_drop_lo = 1'b0;
    if (s_axil_araddr[1:0] != 2'b00) begin
      rd_ok = 1'b0;
    end else if (s_axil_araddr >= aipsec_regs_pkg::DROP_COUNTERS_FIRST_ADDR
        && ar_drop_off < ADDR_W'(aipsec_regs_pkg::DROP_COUNTERS_STRIDE * REASONS)) begin
      rd_drop_lo = !ar_drop_off[2];
      rd_data = ar_drop_off[2] ? drop_hi_reg : drop_rd_value[31:0];
    end else if ((s_axil_araddr >= aipsec_regs_pkg::SA_WINDOW_DATA_ADDR
                  && ar_sa_off < ADDR_W'(4 * SA_WORDS))
        || (s_axil_araddr >= aipsec_regs_pkg::FLOW_WINDOW_DATA_ADDR
            && ar_flow_off < ADDR_W'(4 * FLOW_WORDS))) begin
      rd_data = '0;  // write-only: key material is never read back
    end else begin
      case (s_axil_araddr)
        aipsec_regs_pkg::ID_BASE | aipsec_regs_pkg::BLOCK_TYPE_OFF: rd_data = aipsec_regs_pkg::ID_TYPE;
        aipsec_regs_pkg::ID_BASE | aipsec_regs_pkg::BLOCK_VERSION_OFF: rd_data = aipsec_regs_pkg::ID_VERSION;
        aipsec_regs_pkg::ID_BASE | aipsec_regs_pkg::BLOCK_NEXT_OFF: rd_data = aipsec_regs_pkg::ID_NEXT;
        aipsec_regs_pkg::ID_BUILD_DATE_ADDR: rd_data = BUILD_DATE;
        aipsec_regs_pkg::ID_GIT_HASH_ADDR: rd_data = GIT_HASH;
        aipsec_regs_pkg::ID_DATA_WIDTH_ADDR: rd_data = 32'(DATA_W);
        aipsec_regs_pkg::ID_CAP_ALG_ADDR: rd_data = aipsec_regs_pkg::ID_CAP_ALG_VALUE;
        aipsec_regs_pkg::ID_CAP_ICV_ADDR: rd_data = aipsec_regs_pkg::ID_CAP_ICV_VALUE;
        aipsec_regs_pkg::ID_CAP_MODE_ADDR: rd_data = aipsec_regs_pkg::ID_CAP_MODE_VALUE;
        aipsec_regs_pkg::ID_CAP_KEY_ADDR: rd_data = aipsec_regs_pkg::ID_CAP_KEY_VALUE;
        aipsec_regs_pkg::ID_REPLAY_WINDOW_MAX_ADDR: rd_data = aipsec_regs_pkg::ID_REPLAY_WINDOW_MAX_VALUE;
        aipsec_regs_pkg::ID_SA_COUNT_ADDR: rd_data = 32'(SA_COUNT);
        aipsec_regs_pkg::ID_FLOW_COUNT_ADDR: rd_data = 32'(FLOW_COUNT);
        aipsec_regs_pkg::ID_REASON_COUNT_ADDR: rd_data = 32'(REASONS);

        aipsec_regs_pkg::CTRL_BASE | aipsec_regs_pkg::BLOCK_TYPE_OFF: rd_data = aipsec_regs_pkg::CTRL_TYPE;
        aipsec_regs_pkg::CTRL_BASE | aipsec_regs_pkg::BLOCK_VERSION_OFF: rd_data = aipsec_regs_pkg::CTRL_VERSION;
        aipsec_regs_pkg::CTRL_BASE | aipsec_regs_pkg::BLOCK_NEXT_OFF: rd_data = aipsec_regs_pkg::CTRL_NEXT;
        aipsec_regs_pkg::CTRL_CONTROL_ADDR: rd_data = control_reg;
        aipsec_regs_pkg::CTRL_STATUS_ADDR:
          rd_data = (32'(sa_busy) << aipsec_regs_pkg::CTRL_STATUS_SA_COMMIT_BUSY_LSB)
                    | (32'(flow_busy) << aipsec_regs_pkg::CTRL_STATUS_FLOW_COMMIT_BUSY_LSB);
        aipsec_regs_pkg::CTRL_SCRATCH_ADDR: rd_data = scratch_reg;
        aipsec_regs_pkg::CTRL_SETTINGS_ADDR: rd_data = settings_reg;

        aipsec_regs_pkg::SA_WINDOW_BASE | aipsec_regs_pkg::BLOCK_TYPE_OFF: rd_data = aipsec_regs_pkg::SA_WINDOW_TYPE;
        aipsec_regs_pkg::SA_WINDOW_BASE | aipsec_regs_pkg::BLOCK_VERSION_OFF: rd_data = aipsec_regs_pkg::SA_WINDOW_VERSION;
        aipsec_regs_pkg::SA_WINDOW_BASE | aipsec_regs_pkg::BLOCK_NEXT_OFF: rd_data = aipsec_regs_pkg::SA_WINDOW_NEXT;
        aipsec_regs_pkg::SA_WINDOW_INDEX_ADDR: rd_data = 32'(sa_index);
        aipsec_regs_pkg::SA_WINDOW_COMMIT_ADDR: rd_data = '0;
        aipsec_regs_pkg::SA_WINDOW_WINDOW_STATUS_ADDR: rd_data = 32'(sa_busy);
        aipsec_regs_pkg::SA_WINDOW_WORDS_ADDR: rd_data = 32'(SA_WORDS);

        aipsec_regs_pkg::FLOW_WINDOW_BASE | aipsec_regs_pkg::BLOCK_TYPE_OFF: rd_data = aipsec_regs_pkg::FLOW_WINDOW_TYPE;
        aipsec_regs_pkg::FLOW_WINDOW_BASE | aipsec_regs_pkg::BLOCK_VERSION_OFF: rd_data = aipsec_regs_pkg::FLOW_WINDOW_VERSION;
        aipsec_regs_pkg::FLOW_WINDOW_BASE | aipsec_regs_pkg::BLOCK_NEXT_OFF: rd_data = aipsec_regs_pkg::FLOW_WINDOW_NEXT;
        aipsec_regs_pkg::FLOW_WINDOW_INDEX_ADDR: rd_data = 32'(flow_index);
        aipsec_regs_pkg::FLOW_WINDOW_COMMIT_ADDR: rd_data = '0;
        aipsec_regs_pkg::FLOW_WINDOW_WINDOW_STATUS_ADDR: rd_data = 32'(flow_busy);
        aipsec_regs_pkg::FLOW_WINDOW_WORDS_ADDR: rd_data = 32'(FLOW_WORDS);

        aipsec_regs_pkg::SA_COUNTERS_BASE | aipsec_regs_pkg::BLOCK_TYPE_OFF: rd_data = aipsec_regs_pkg::SA_COUNTERS_TYPE;
        aipsec_regs_pkg::SA_COUNTERS_BASE | aipsec_regs_pkg::BLOCK_VERSION_OFF: rd_data = aipsec_regs_pkg::SA_COUNTERS_VERSION;
        aipsec_regs_pkg::SA_COUNTERS_BASE | aipsec_regs_pkg::BLOCK_NEXT_OFF: rd_data = aipsec_regs_pkg::SA_COUNTERS_NEXT;
        aipsec_regs_pkg::SA_COUNTERS_SNAPSHOT_INDEX_ADDR: rd_data = 32'(snap_index_reg);
        aipsec_regs_pkg::SA_COUNTERS_PACKETS_LO_ADDR: rd_data = snap_packets[31:0];
        aipsec_regs_pkg::SA_COUNTERS_PACKETS_HI_ADDR: rd_data = snap_packets[63:32];
        aipsec_regs_pkg::SA_COUNTERS_BYTES_LO_ADDR: rd_data = snap_bytes[31:0];
        aipsec_regs_pkg::SA_COUNTERS_BYTES_HI_ADDR: rd_data = snap_bytes[63:32];

        aipsec_regs_pkg::DROP_COUNTERS_BASE | aipsec_regs_pkg::BLOCK_TYPE_OFF: rd_data = aipsec_regs_pkg::DROP_COUNTERS_TYPE;
        aipsec_regs_pkg::DROP_COUNTERS_BASE | aipsec_regs_pkg::BLOCK_VERSION_OFF: rd_data = aipsec_regs_pkg::DROP_COUNTERS_VERSION;
        aipsec_regs_pkg::DROP_COUNTERS_BASE | aipsec_regs_pkg::BLOCK_NEXT_OFF: rd_data = aipsec_regs_pkg::DROP_COUNTERS_NEXT;
        aipsec_regs_pkg::DROP_COUNTERS_COUNT_ADDR: rd_data = 32'(REASONS);

        aipsec_regs_pkg::QUEUES_BASE | aipsec_regs_pkg::BLOCK_TYPE_OFF: rd_data = aipsec_regs_pkg::QUEUES_TYPE;
        aipsec_regs_pkg::QUEUES_BASE | aipsec_regs_pkg::BLOCK_VERSION_OFF: rd_data = aipsec_regs_pkg::QUEUES_VERSION;
        aipsec_regs_pkg::QUEUES_BASE | aipsec_regs_pkg::BLOCK_NEXT_OFF: rd_data = aipsec_regs_pkg::QUEUES_NEXT;
        aipsec_regs_pkg::QUEUES_QUEUE_CONTROL_ADDR: rd_data = q_control_reg;
        aipsec_regs_pkg::QUEUES_EVENT_BASE_LO_ADDR: rd_data = q_event_lo_reg;
        aipsec_regs_pkg::QUEUES_EVENT_BASE_HI_ADDR: rd_data = q_event_hi_reg;
        aipsec_regs_pkg::QUEUES_EVENT_SIZE_LOG2_ADDR: rd_data = q_event_size_reg;
        aipsec_regs_pkg::QUEUES_EVENT_HEAD_ADDR: rd_data = q_event_head_reg;
        aipsec_regs_pkg::QUEUES_EVENT_TAIL_ADDR: rd_data = q_event_tail;
        aipsec_regs_pkg::QUEUES_EXCEPTION_BASE_LO_ADDR: rd_data = q_exc_lo_reg;
        aipsec_regs_pkg::QUEUES_EXCEPTION_BASE_HI_ADDR: rd_data = q_exc_hi_reg;
        aipsec_regs_pkg::QUEUES_EXCEPTION_SIZE_LOG2_ADDR: rd_data = q_exc_size_reg;
        aipsec_regs_pkg::QUEUES_EXCEPTION_HEAD_ADDR: rd_data = q_exc_head_reg;
        aipsec_regs_pkg::QUEUES_EXCEPTION_TAIL_ADDR: rd_data = q_exception_tail;
        aipsec_regs_pkg::QUEUES_INTERRUPT_HOLDOFF_ADDR: rd_data = q_holdoff_reg;
        default: rd_ok = 1'b0;
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (rvalid_reg && s_axil_rready) begin
      rvalid_reg <= 1'b0;
    end
    if (s_axil_arvalid && s_axil_arready) begin
      rvalid_reg <= 1'b1;
      rdata_reg <= rd_ok ? rd_data : 32'd0;
      rresp_reg <= rd_ok ? RESP_OKAY : RESP_SLVERR;
      if (rd_drop_lo) begin
        drop_hi_reg <= drop_rd_value[63:32];
      end
    end
    if (rst) begin
      rvalid_reg <= 1'b0;
      rdata_reg <= '0;
      rresp_reg <= RESP_OKAY;
      drop_hi_reg <= '0;
    end
  end

  assign ctrl_control = control_reg;
  assign ctrl_settings = settings_reg;
  assign q_control = q_control_reg;
  assign q_event_base = {q_event_hi_reg, q_event_lo_reg};
  assign q_event_size_log2 = q_event_size_reg;
  assign q_event_head = q_event_head_reg;
  assign q_exception_base = {q_exc_hi_reg, q_exc_lo_reg};
  assign q_exception_size_log2 = q_exc_size_reg;
  assign q_exception_head = q_exc_head_reg;
  assign q_interrupt_holdoff = q_holdoff_reg;

  // the protection bits are accepted and ignored (no secure/privileged split)
  logic unused_ok;
  assign unused_ok = &{1'b0, s_axil_awprot, s_axil_arprot, sa_cnt_clearing};

endmodule

`default_nettype wire
