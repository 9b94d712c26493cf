// Inbound (protected side to plain side) path of the card: ESP decapsulation
// (docs/hw/datapath.md, inbound path).
//
//   s_axis + s_host -> merge -> frame ingress -> parser -> SA lookup + flow lookup
//     -> classify (SA snapshot, ESN inference, provisional replay check;
//        the inbound flow entry of a protected-port frame without ESP)
//     -> job FIFO -> reader -> packer -> gcm_core (decrypt) -> tail record +
//        plaintext buffer          \-> side FIFO (frames not decrypted, copies)
//     -> output stage (verdict, window update, decapsulation) -> m_axis / m_host
`default_nettype none
/* verilator lint_off PINCONNECTEMPTY */  // FIFO fill counts are used where needed only

module aipsec_inbound #(
  parameter int DATA_W = 128,
  parameter int SA_COUNT = 64,
  parameter int FLOW_COUNT = 256,          // inbound flow table entries
  parameter int REPLAY_WORDS = 8192,       // 64-bit replay words (+ tag) for all SAs
  parameter int FIFO_BYTES = 32768,        // ingress frame FIFO
  parameter int BUF_BYTES = 16384          // plaintext buffer and side FIFO, each
) (
  input  wire logic              clk,
  input  wire logic              rst,

  input  wire logic [DATA_W-1:0] s_axis_tdata,
  input  wire logic [KW-1:0]     s_axis_tkeep,
  input  wire logic              s_axis_tlast,
  input  wire logic [63:0]       s_axis_tuser,
  input  wire logic              s_axis_tvalid,
  output      logic              s_axis_tready,

  input  wire logic [DATA_W-1:0] s_host_tdata,
  input  wire logic [KW-1:0]     s_host_tkeep,
  input  wire logic              s_host_tlast,
  input  wire logic [63:0]       s_host_tuser,
  input  wire logic              s_host_tvalid,
  output      logic              s_host_tready,

  output      logic [DATA_W-1:0] m_axis_tdata,
  output      logic [KW-1:0]     m_axis_tkeep,
  output      logic              m_axis_tlast,
  output      logic [63:0]       m_axis_tuser,
  output      logic              m_axis_tvalid,
  input  wire logic              m_axis_tready,

  output      logic [DATA_W-1:0] m_host_tdata,
  output      logic [KW-1:0]     m_host_tkeep,
  output      logic              m_host_tlast,
  output      logic [63:0]       m_host_tuser,
  output      logic              m_host_tvalid,
  input  wire logic              m_host_tready,

  input  wire logic              s_sa_wr_valid,
  output      logic              s_sa_wr_ready,
  input  wire logic [SW-1:0]     s_sa_wr_index,
  input  wire aipsec_regs_pkg::sa_context_t s_sa_wr_entry,

  input  wire logic              s_flow_wr_valid,
  output      logic              s_flow_wr_ready,
  input  wire logic [FW-1:0]     s_flow_wr_index,
  input  wire aipsec_regs_pkg::flow_entry_t s_flow_wr_entry,

  input  wire logic [31:0]       ctrl_control,
  input  wire logic [31:0]       ctrl_settings,

  output      logic              m_sa_cnt_valid,
  output      logic [SW-1:0]     m_sa_cnt_index,
  output      logic [15:0]       m_sa_cnt_bytes,
  output      logic              m_drop_valid,
  output      logic [7:0]        m_drop_reason
);
  localparam int KW = DATA_W / 8;
  localparam int OW = $clog2(KW);
  localparam int SW = $clog2(SA_COUNT);
  localparam int FW = $clog2(FLOW_COUNT);
  localparam int BUF_BEATS = BUF_BYTES / KW;
  localparam int JOB_DEPTH = 8;

  initial begin
    if (aipsec_inbound_pkg::HDR_BYTES != aipsec_dp_pkg::HDR_BYTES) $error("aipsec_inbound: HDR_BYTES differ");
  end

  // ---------------------------------------------------------------- input
  logic [DATA_W-1:0] mg_tdata;
  logic [KW-1:0] mg_tkeep;
  logic mg_tlast, mg_tvalid, mg_tready;
  logic [63:0] mg_tuser;
  logic [63:0] a_user, b_user;
  always_comb begin
    a_user = s_axis_tuser;
    a_user[2:1] = 2'd1;               // port protected
    b_user = s_host_tuser;
    b_user[2:1] = 2'd2;               // port host
  end

  aipsec_inbound_merge #(.DATA_W(DATA_W)) u_merge (
    .clk, .rst,
    .a_tdata(s_axis_tdata), .a_tkeep(s_axis_tkeep), .a_tlast(s_axis_tlast), .a_tuser(a_user),
    .a_tvalid(s_axis_tvalid), .a_tready(s_axis_tready),
    .b_tdata(s_host_tdata), .b_tkeep(s_host_tkeep), .b_tlast(s_host_tlast), .b_tuser(b_user),
    .b_tvalid(s_host_tvalid), .b_tready(s_host_tready),
    .m_tdata(mg_tdata), .m_tkeep(mg_tkeep), .m_tlast(mg_tlast), .m_tuser(mg_tuser),
    .m_tvalid(mg_tvalid), .m_tready(mg_tready));

  aipsec_dp_pkg::frame_desc_t in_desc;
  logic in_desc_valid, in_desc_ready;
  logic [DATA_W-1:0] fr_tdata;
  logic [KW-1:0] fr_tkeep;
  logic fr_tlast, fr_tvalid, fr_tready;

  aipsec_frame_ingress #(.DATA_W(DATA_W), .FIFO_BYTES(FIFO_BYTES)) u_ingress (
    .clk, .rst,
    .s_axis_tdata(mg_tdata), .s_axis_tkeep(mg_tkeep), .s_axis_tlast(mg_tlast), .s_axis_tuser(mg_tuser),
    .s_axis_tvalid(mg_tvalid), .s_axis_tready(mg_tready),
    .m_desc_valid(in_desc_valid), .m_desc_ready(in_desc_ready), .m_desc(in_desc),
    .m_frame_tdata(fr_tdata), .m_frame_tkeep(fr_tkeep), .m_frame_tlast(fr_tlast),
    .m_frame_tvalid(fr_tvalid), .m_frame_tready(fr_tready));

  aipsec_dp_pkg::frame_desc_t p_desc;
  aipsec_dp_pkg::parse_t p_parse;
  logic p_valid, p_ready;

  aipsec_parser #(.DATA_W(DATA_W)) u_parser (
    .clk, .rst, .s_valid(in_desc_valid), .s_ready(in_desc_ready), .s_desc(in_desc),
    .m_valid(p_valid), .m_ready(p_ready), .m_desc(p_desc), .m_parse(p_parse));

  // Every parsed frame asks the SA lookup and the inbound flow lookup (each
  // answer is ignored for the frames it is not about), so answers pair with
  // frames in order.
  localparam int PW = $bits(p_desc) + $bits(p_parse);
  logic pf_ready, pf_valid, pf_pop;
  logic [PW-1:0] pf_data;
  logic lk_s_ready, lk_valid, lk_hit, lk_ready;
  logic [SW-1:0] lk_index;
  logic sa_wr_ready_lk;
  logic flk_s_ready, flk_valid, flk_hit;
  logic [FW-1:0] flk_index;
  /* verilator lint_off UNUSEDSIGNAL */  // the action is the part of the entry used
  aipsec_regs_pkg::flow_entry_t flk_entry;
  /* verilator lint_on UNUSEDSIGNAL */

  assign p_ready = pf_ready && lk_s_ready && flk_s_ready;
  aipsec_inbound_fifo #(.WIDTH(PW), .DEPTH(4)) u_pfifo (
    .clk, .rst, .s_data({p_desc, p_parse}), .s_valid(p_valid && lk_s_ready && flk_s_ready), .s_ready(pf_ready),
    .m_data(pf_data), .m_valid(pf_valid), .m_ready(pf_pop), .count());

  aipsec_sa_lookup #(.SA_COUNT(SA_COUNT)) u_lookup (
    .clk, .rst,
    .s_wr_valid(s_sa_wr_valid), .s_wr_ready(sa_wr_ready_lk), .s_wr_index(s_sa_wr_index),
    .s_wr_entry(s_sa_wr_entry),
    .s_lk_valid(p_valid && pf_ready && flk_s_ready), .s_lk_ready(lk_s_ready), .s_lk_spi(p_parse.spi),
    .s_lk_proto(8'd50), .s_lk_ipv6(p_parse.ipv6), .s_lk_dst(p_parse.dst),
    .m_lk_valid(lk_valid), .m_lk_ready(lk_ready), .m_lk_hit(lk_hit), .m_lk_index(lk_index));

  // The inbound flow table: the host's inbound policy for packets without ESP,
  // looked up by the same key as the outbound path's flows.
  aipsec_flow_table #(.FLOW_COUNT(FLOW_COUNT)) u_flow (
    .clk, .rst,
    .s_wr_valid(s_flow_wr_valid), .s_wr_ready(s_flow_wr_ready), .s_wr_index(s_flow_wr_index),
    .s_wr_entry(s_flow_wr_entry),
    .s_lk_valid(p_valid && pf_ready && lk_s_ready), .s_lk_ready(flk_s_ready),
    .s_lk_ipv6(p_parse.ipv6), .s_lk_proto(p_parse.l4_proto),
    .s_lk_sport(p_parse.sport), .s_lk_dport(p_parse.dport),
    .s_lk_src(p_parse.src), .s_lk_dst(p_parse.dst),
    .m_lk_valid(flk_valid), .m_lk_ready(lk_ready), .m_lk_hit(flk_hit),
    .m_lk_index(flk_index), .m_lk_entry(flk_entry));

  // ---------------------------------------------------------------- SA table
  // The path's own copy of the committed SA entries; a write is one clock, so
  // a frame reads one consistent entry.
  aipsec_regs_pkg::sa_context_t sa_mem [0:SA_COUNT-1];
  assign s_sa_wr_ready = sa_wr_ready_lk;
  wire sa_wr = s_sa_wr_valid && s_sa_wr_ready;
  always_ff @(posedge clk) begin
    if (sa_wr) sa_mem[s_sa_wr_index] <= s_sa_wr_entry;
  end

  // ---------------------------------------------------------------- classify
  // k1: SA entry read; k2: ESN inference, replay word read; then the job.
  /* verilator lint_off UNUSEDSIGNAL */  // room in the job FIFO is reserved before a frame enters classification
  logic jf_ready;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [$clog2(JOB_DEPTH):0] jf_count;
  logic k1_valid, k2_valid;
  logic [PW-1:0] k1_pf, k2_pf;
  logic k1_hit, k2_hit;
  logic [SW-1:0] k1_idx, k2_idx;
  logic k1_fhit, k2_fhit;
  logic [FW-1:0] k1_fidx, k2_fidx;
  logic [1:0] k1_fact, k2_fact;
  /* verilator lint_off UNUSEDSIGNAL */  // outbound and HMAC fields of the entry
  aipsec_regs_pkg::sa_context_t k1_sa, k2_sa;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [63:0] k2_seq, k2_top;
  logic k2_dead;
  logic [aipsec_inbound_pkg::EPOCH_W-1:0] k2_epoch;
  logic [31:0] k2_control, k2_settings;

  logic [63:0] rd_top;
  logic rd_dead;
  logic [aipsec_inbound_pkg::EPOCH_W-1:0] rd_epoch;
  logic [15:0] rd_word_addr;
  logic [aipsec_inbound_pkg::RWORD_W-1:0] rd_word;

  // Room for everything in flight before a new frame enters.
  wire k_go = pf_valid && lk_valid && flk_valid &&
              (32'(jf_count) + 32'(k1_valid) + 32'(k2_valid) < JOB_DEPTH);
  assign pf_pop = k_go;
  assign lk_ready = k_go;

  /* verilator lint_off UNUSEDSIGNAL */  // k1 needs the sequence number only
  aipsec_dp_pkg::frame_desc_t k1_desc;
  aipsec_dp_pkg::parse_t k1_parse;
  /* verilator lint_on UNUSEDSIGNAL */
  assign {k1_desc, k1_parse} = k1_pf;
  wire [63:0] k1_seq = aipsec_inbound_pkg::esn_infer(k1_sa.esn, k1_sa.replay_window, rd_top, k1_parse.seq);
  assign rd_word_addr = aipsec_inbound_pkg::replay_addr(k1_sa.replay_base, k1_sa.replay_window, k1_seq);

  always_ff @(posedge clk) begin
    if (rst) begin
      k1_valid <= 1'b0;
      k2_valid <= 1'b0;
    end else begin
      k1_valid <= k_go;
      k2_valid <= k1_valid;
    end
    k1_pf <= pf_data;
    k1_hit <= lk_hit;
    k1_idx <= lk_index;
    k1_sa <= sa_mem[lk_index];
    k1_fhit <= flk_hit;
    k1_fidx <= flk_index;
    k1_fact <= flk_entry.action;
    k2_fhit <= k1_fhit;
    k2_fidx <= k1_fidx;
    k2_fact <= k1_fact;
    k2_pf <= k1_pf;
    k2_hit <= k1_hit;
    k2_idx <= k1_idx;
    k2_sa <= k1_sa;
    k2_seq <= k1_seq;
    k2_top <= rd_top;
    k2_dead <= rd_dead;
    k2_epoch <= rd_epoch;
    k2_control <= ctrl_control;
    k2_settings <= ctrl_settings;
  end

  /* verilator lint_off UNUSEDSIGNAL */  // ports, TTL, flow label: not needed inbound
  aipsec_dp_pkg::frame_desc_t k2_desc;
  aipsec_dp_pkg::parse_t k2_parse;
  /* verilator lint_on UNUSEDSIGNAL */
  assign {k2_desc, k2_parse} = k2_pf;
  aipsec_inbound_pkg::job_t job;

  always_comb begin
    logic [15:0] esp_len, need;
    logic [7:0] rc;
    job = '0;
    job.tuser = k2_desc.tuser;
    job.frame_len = k2_desc.frame_len;
    job.hdr = k2_desc.hdr;
    job.l3_off = k2_parse.l3_off;
    job.l3_hdr_len = k2_parse.l3_hdr_len;
    job.nh_off = k2_parse.nh_off;
    job.ipv6 = k2_parse.ipv6;
    job.esp_off = k2_parse.esp_off;
    job.src = k2_parse.src;
    job.dst = k2_parse.dst;
    job.sa_idx = 16'(k2_idx);
    job.idx_valid = k2_hit;
    esp_len = 16'(k2_parse.l3_off) + k2_parse.l3_len - 16'(k2_parse.esp_off);
    need = 16'd18 + 16'(k2_sa.icv_len);
    job.esp_len = esp_len;
    job.text_len = esp_len - 16'd16 - 16'(k2_sa.icv_len);
    job.icv_len = k2_sa.icv_len;
    job.seq = k2_seq;
    for (int i = 0; i < 32; i = i + 1) job.key[8*i +: 8] = k2_sa.enc_key[8*i +: 8];
    job.key_256 = k2_sa.enc_key_256;
    job.salt = k2_sa.salt;
    job.spi = k2_sa.spi;
    job.tunnel = k2_sa.mode;
    job.esn = k2_sa.esn;
    job.pad_mode = k2_sa.pad_mode;
    job.sel_check = k2_sa.sel_check;
    job.sel_proto = k2_sa.sel_proto;
    job.sel_ipv6 = k2_sa.sel_ipv6;
    job.sel_src = k2_sa.sel_src;
    job.sel_dst = k2_sa.sel_dst;
    job.sel_src_plen = k2_sa.sel_src_plen;
    job.sel_dst_plen = k2_sa.sel_dst_plen;
    job.sel_sport = k2_sa.sel_sport;
    job.sel_dport = k2_sa.sel_dport;
    job.replay_window = k2_sa.replay_window;
    job.replay_base = k2_sa.replay_base;
    job.soft_packets = k2_sa.soft_packets;
    job.hard_packets = k2_sa.hard_packets;
    job.soft_bytes = k2_sa.soft_bytes;
    job.hard_bytes = k2_sa.hard_bytes;
    job.mirror_replay = k2_control[aipsec_regs_pkg::CTRL_CONTROL_MIRROR_REPLAY_LSB];
    job.mirror_icv_fail = k2_control[aipsec_regs_pkg::CTRL_CONTROL_MIRROR_ICV_FAIL_LSB];
    job.ecn = k2_settings[aipsec_regs_pkg::CTRL_SETTINGS_ECN_LSB];
    job.kind = aipsec_inbound_pkg::JOB_DECRYPT;
    job.reason = aipsec_regs_pkg::REASON_NONE;
    rc = k2_parse.reason;

    if (!k2_control[aipsec_regs_pkg::CTRL_CONTROL_ENABLE_LSB]) begin
      job.kind = aipsec_inbound_pkg::JOB_HOST;
      job.idx_valid = 1'b0;
    end else if (rc != 8'd0) begin
      job.idx_valid = 1'b0;
      job.reason = rc;
      job.kind = (rc == aipsec_regs_pkg::REASON_FRAGMENT || rc == aipsec_regs_pkg::REASON_EXT_HDR_LIMIT ||
                  rc == aipsec_regs_pkg::REASON_NOT_ETHERNET_IP) ? aipsec_inbound_pkg::JOB_HOST
                                                                 : aipsec_inbound_pkg::JOB_DROP;
    end else if (k2_parse.natt_keepalive) begin
      job.idx_valid = 1'b0;
      job.kind = aipsec_inbound_pkg::JOB_DROP;
      job.reason = aipsec_regs_pkg::REASON_NATT_KEEPALIVE;
    end else if (k2_parse.ike_marker) begin
      job.idx_valid = 1'b0;
      job.kind = aipsec_inbound_pkg::JOB_HOST;
      job.reason = aipsec_regs_pkg::REASON_IKE_MARKER;
    end else if (!k2_parse.esp && k2_parse.l4_proto == 8'd50) begin
      job.idx_valid = 1'b0;        // no room for an ESP header in the datagram
      job.kind = aipsec_inbound_pkg::JOB_DROP;
      job.reason = aipsec_regs_pkg::REASON_TRUNCATED;
    end else if (!k2_parse.esp) begin
      job.idx_valid = 1'b0;
      // AH and IPComp are the host's. Other traffic from the protected port
      // gets its inbound flow entry (the host's inbound policy); frames the
      // host sends pass.
      if (k2_parse.l4_proto == 8'd51 || k2_parse.l4_proto == 8'd108) begin
        job.kind = aipsec_inbound_pkg::JOB_HOST;
        job.reason = aipsec_regs_pkg::REASON_UNSUPPORTED;
      end else if (k2_desc.tuser[2:1] == aipsec_regs_pkg::PACKET_META_PORT_HOST) begin
        job.kind = aipsec_inbound_pkg::JOB_PASS;
      end else if (!k2_fhit) begin
        job.kind = aipsec_inbound_pkg::JOB_HOST;
        job.reason = aipsec_regs_pkg::REASON_FLOW_MISS;
      end else begin
        job.idx_valid = 1'b1;
        job.idx_flow = 1'b1;
        job.sa_idx = 16'(k2_fidx);
        case (k2_fact)
          aipsec_regs_pkg::FLOW_ENTRY_ACTION_BYPASS: job.kind = aipsec_inbound_pkg::JOB_PASS;
          aipsec_regs_pkg::FLOW_ENTRY_ACTION_DISCARD: begin
            job.kind = aipsec_inbound_pkg::JOB_DROP;
            job.reason = aipsec_regs_pkg::REASON_POLICY_DISCARD;
          end
          aipsec_regs_pkg::FLOW_ENTRY_ACTION_TO_HOST: begin
            job.kind = aipsec_inbound_pkg::JOB_HOST;
            job.reason = aipsec_regs_pkg::REASON_FLOW_TO_HOST;
          end
          default: begin             // protect: the policy wants IPsec, the packet came in clear
            job.kind = aipsec_inbound_pkg::JOB_HOST;
            job.reason = aipsec_regs_pkg::REASON_INBOUND_CLEAR;
          end
        endcase
      end
    end else if (!k2_hit) begin
      job.kind = aipsec_inbound_pkg::JOB_HOST;
      job.reason = aipsec_regs_pkg::REASON_UNKNOWN_SPI;
    end else if (!k2_sa.valid) begin
      job.kind = aipsec_inbound_pkg::JOB_HOST;
      job.reason = aipsec_regs_pkg::REASON_SA_NOT_MATURE;
    end else if (k2_sa.direction != aipsec_regs_pkg::SA_CONTEXT_DIRECTION_INBOUND ||
                 k2_sa.protocol != aipsec_regs_pkg::SA_CONTEXT_PROTOCOL_ESP ||
                 k2_sa.enc_alg != aipsec_regs_pkg::SA_CONTEXT_ENC_ALG_AES_GCM ||
                 k2_sa.auth_alg != aipsec_regs_pkg::SA_CONTEXT_AUTH_ALG_AEAD ||
                 (k2_sa.icv_len != 5'd8 && k2_sa.icv_len != 5'd12 && k2_sa.icv_len != 5'd16) ||
                 (k2_parse.natt && !k2_sa.mode) ||
                 32'(k2_parse.esp_off) + 16 > aipsec_dp_pkg::HDR_BYTES) begin
      // Not done by the card (NAT-T transport needs the L4 checksum fixed).
      job.kind = aipsec_inbound_pkg::JOB_HOST;
      job.reason = aipsec_regs_pkg::REASON_UNSUPPORTED;
    end else if (k2_dead) begin
      job.kind = aipsec_inbound_pkg::JOB_DROP;
      job.reason = aipsec_regs_pkg::REASON_LIFETIME_EXPIRED;
    end else if (32'(k2_parse.l3_off) + 32'(k2_parse.l3_len) > 32'(k2_desc.frame_len) ||
                 k2_desc.frame_len == 16'd0 || esp_len < need) begin
      job.kind = aipsec_inbound_pkg::JOB_DROP;
      job.reason = aipsec_regs_pkg::REASON_TRUNCATED;
    end else if (job.text_len[1:0] != 2'd0) begin
      job.kind = aipsec_inbound_pkg::JOB_DROP;
      job.reason = aipsec_regs_pkg::REASON_BAD_LENGTH;
    end else begin
      job.reason = aipsec_inbound_pkg::replay_check(k2_sa.replay_window, k2_top, k2_seq, k2_epoch, rd_word);
      if (job.reason != aipsec_regs_pkg::REASON_NONE)
        job.kind = job.mirror_replay ? aipsec_inbound_pkg::JOB_MIRROR : aipsec_inbound_pkg::JOB_DROP;
    end
  end

  aipsec_inbound_pkg::job_t jf_job, rj_job;
  logic jf_valid, jf_ready_pop, rj_valid, rj_ready;
  aipsec_inbound_fifo #(.WIDTH($bits(job)), .DEPTH(JOB_DEPTH)) u_jobs (
    .clk, .rst, .s_data(job), .s_valid(k2_valid), .s_ready(jf_ready),
    .m_data(jf_job), .m_valid(jf_valid), .m_ready(jf_ready_pop), .count(jf_count));

  // ---------------------------------------------------------------- engine
  logic [DATA_W-1:0] sd_tdata, sq_tdata;
  logic [KW-1:0] sd_tkeep, sq_tkeep;
  logic sd_tlast, sd_tvalid, sd_tready, sq_tlast, sq_tvalid, sq_tready;
  logic [DATA_W-1:0] ct_data;
  logic [OW-1:0] ct_off;
  logic [OW:0] ct_cnt;
  logic ct_last, ct_valid, ct_ready;
  logic [255:0] par_key;
  logic par_key_256, par_valid, par_ready;
  logic [95:0] par_nonce;
  logic [15:0] par_aad_len;
  logic [4:0] par_tag_len;
  logic [127:0] tag_in;
  logic tag_in_valid, tag_in_ready;

  aipsec_inbound_reader #(.DATA_W(DATA_W)) u_reader (
    .clk, .rst,
    .s_job(jf_job), .s_job_valid(jf_valid), .s_job_ready(jf_ready_pop),
    .s_frame_tdata(fr_tdata), .s_frame_tkeep(fr_tkeep), .s_frame_tlast(fr_tlast),
    .s_frame_tvalid(fr_tvalid), .s_frame_tready(fr_tready),
    .m_job(rj_job), .m_job_valid(rj_valid), .m_job_ready(rj_ready),
    .m_side_tdata(sd_tdata), .m_side_tkeep(sd_tkeep), .m_side_tlast(sd_tlast),
    .m_side_tvalid(sd_tvalid), .m_side_tready(sd_tready),
    .m_ct_data(ct_data), .m_ct_off(ct_off), .m_ct_cnt(ct_cnt), .m_ct_last(ct_last),
    .m_ct_valid(ct_valid), .m_ct_ready(ct_ready),
    .m_par_key(par_key), .m_par_key_256(par_key_256), .m_par_nonce(par_nonce),
    .m_par_aad_len(par_aad_len), .m_par_tag_len(par_tag_len), .m_par_valid(par_valid),
    .m_par_ready(par_ready),
    .m_tag(tag_in), .m_tag_valid(tag_in_valid), .m_tag_ready(tag_in_ready));

  aipsec_inbound_pkg::job_t oj_job;
  logic oj_valid, oj_ready;
  aipsec_inbound_fifo #(.WIDTH($bits(job)), .DEPTH(16)) u_ojobs (
    .clk, .rst, .s_data(rj_job), .s_valid(rj_valid), .s_ready(rj_ready),
    .m_data(oj_job), .m_valid(oj_valid), .m_ready(oj_ready), .count());

  aipsec_inbound_fifo #(.WIDTH(DATA_W + KW + 1), .DEPTH(BUF_BEATS)) u_side (
    .clk, .rst, .s_data({sd_tlast, sd_tkeep, sd_tdata}), .s_valid(sd_tvalid), .s_ready(sd_tready),
    .m_data({sq_tlast, sq_tkeep, sq_tdata}), .m_valid(sq_tvalid), .m_ready(sq_tready), .count());

  // GCM parameters and received ICVs wait in order for their packet.
  localparam int PARW = 256 + 1 + 96 + 16 + 5;
  logic [PARW-1:0] par_q;
  logic par_q_valid, par_pop;
  logic [127:0] tag_q;
  logic tag_q_valid, tag_pop;
  aipsec_inbound_fifo #(.WIDTH(PARW), .DEPTH(16)) u_par (
    .clk, .rst, .s_data({par_key, par_key_256, par_nonce, par_aad_len, par_tag_len}),
    .s_valid(par_valid), .s_ready(par_ready),
    .m_data(par_q), .m_valid(par_q_valid), .m_ready(par_pop), .count());
  aipsec_inbound_fifo #(.WIDTH(128), .DEPTH(16)) u_tag (
    .clk, .rst, .s_data(tag_in), .s_valid(tag_in_valid), .s_ready(tag_in_ready),
    .m_data(tag_q), .m_valid(tag_q_valid), .m_ready(tag_pop), .count());

  logic [DATA_W-1:0] cp_data;
  logic [KW-1:0] cp_keep;
  logic cp_last, cp_valid, cp_ready;
  aipsec_byte_packer #(.DATA_W(DATA_W)) u_ct_pack (
    .clk, .rst, .s_data(ct_data), .s_off(ct_off), .s_cnt(ct_cnt), .s_last(ct_last),
    .s_valid(ct_valid), .s_ready(ct_ready), .m_data(cp_data), .m_keep(cp_keep),
    .m_last(cp_last), .m_valid(cp_valid), .m_ready(cp_ready));

  logic g_in_valid, g_in_ready;
  assign g_in_valid = cp_valid && par_q_valid && (!cp_last || tag_q_valid);
  assign cp_ready = g_in_ready && par_q_valid && (!cp_last || tag_q_valid);
  assign par_pop = g_in_valid && g_in_ready && cp_last;
  assign tag_pop = par_pop;

  logic [DATA_W-1:0] go_tdata;
  logic [KW-1:0] go_tkeep;
  logic go_tlast, go_tvalid, go_tready, go_tag_ok;
  /* verilator lint_off UNUSEDSIGNAL */  // the core compares the tag itself (m_axis_tag_ok)
  logic [127:0] go_tag;
  /* verilator lint_on UNUSEDSIGNAL */
  gcm_core #(.DATA_W(DATA_W)) u_gcm (
    .clk, .rst,
    .s_axis_tdata(cp_data), .s_axis_tkeep(cp_keep), .s_axis_tlast(cp_last),
    .s_axis_tvalid(g_in_valid), .s_axis_tready(g_in_ready),
    .s_axis_key(par_q[PARW-1 -: 256]), .s_axis_key_256(par_q[PARW-257]),
    .s_axis_nonce(par_q[PARW-258 -: 96]), .s_axis_aad_len(par_q[20:5]), .s_axis_tag_len(par_q[4:0]),
    .s_axis_decrypt(1'b1), .s_axis_tag(tag_q),
    .m_axis_tdata(go_tdata), .m_axis_tkeep(go_tkeep), .m_axis_tlast(go_tlast),
    .m_axis_tvalid(go_tvalid), .m_axis_tready(go_tready),
    .m_axis_tag(go_tag), .m_axis_tag_ok(go_tag_ok));

  logic [DATA_W-1:0] bi_tdata, bq_tdata;
  logic [KW-1:0] bi_tkeep, bq_tkeep;
  logic bi_tlast, bi_tvalid, bi_tready, bq_tlast, bq_tvalid, bq_tready;
  aipsec_inbound_pkg::tail_t ti, tq;
  logic ti_valid, ti_ready, tq_valid, tq_ready;

  aipsec_inbound_tail #(.DATA_W(DATA_W)) u_tail (
    .clk, .rst,
    .s_tdata(go_tdata), .s_tkeep(go_tkeep), .s_tlast(go_tlast), .s_tag_ok(go_tag_ok),
    .s_tvalid(go_tvalid), .s_tready(go_tready),
    .m_buf_tdata(bi_tdata), .m_buf_tkeep(bi_tkeep), .m_buf_tlast(bi_tlast),
    .m_buf_tvalid(bi_tvalid), .m_buf_tready(bi_tready),
    .m_tail(ti), .m_tail_valid(ti_valid), .m_tail_ready(ti_ready));

  aipsec_inbound_fifo #(.WIDTH(DATA_W + KW + 1), .DEPTH(BUF_BEATS)) u_plain (
    .clk, .rst, .s_data({bi_tlast, bi_tkeep, bi_tdata}), .s_valid(bi_tvalid), .s_ready(bi_tready),
    .m_data({bq_tlast, bq_tkeep, bq_tdata}), .m_valid(bq_tvalid), .m_ready(bq_tready), .count());
  aipsec_inbound_fifo #(.WIDTH($bits(ti)), .DEPTH(16)) u_tails (
    .clk, .rst, .s_data(ti), .s_valid(ti_valid), .s_ready(ti_ready),
    .m_data(tq), .m_valid(tq_valid), .m_ready(tq_ready), .count());

  aipsec_inbound_out #(.DATA_W(DATA_W), .SA_COUNT(SA_COUNT), .REPLAY_WORDS(REPLAY_WORDS)) u_out (
    .clk, .rst,
    .s_job(oj_job), .s_job_valid(oj_valid), .s_job_ready(oj_ready),
    .s_side_tdata(sq_tdata), .s_side_tkeep(sq_tkeep), .s_side_tlast(sq_tlast),
    .s_side_tvalid(sq_tvalid), .s_side_tready(sq_tready),
    .s_buf_tdata(bq_tdata), .s_buf_tkeep(bq_tkeep), .s_buf_tlast(bq_tlast),
    .s_buf_tvalid(bq_tvalid), .s_buf_tready(bq_tready),
    .s_tail(tq), .s_tail_valid(tq_valid), .s_tail_ready(tq_ready),
    .sa_wr(sa_wr), .sa_wr_index(s_sa_wr_index), .sa_wr_seq(s_sa_wr_entry.seq),
    .rd_index(k1_idx), .rd_top(rd_top), .rd_dead(rd_dead), .rd_epoch(rd_epoch),
    .rd_word_addr(rd_word_addr), .rd_word(rd_word),
    .m_axis_tdata, .m_axis_tkeep, .m_axis_tlast, .m_axis_tuser, .m_axis_tvalid, .m_axis_tready,
    .m_host_tdata, .m_host_tkeep, .m_host_tlast, .m_host_tuser, .m_host_tvalid, .m_host_tready,
    .m_sa_cnt_valid, .m_sa_cnt_index, .m_sa_cnt_bytes, .m_drop_valid, .m_drop_reason);
endmodule
