// Decision stage of the outbound path (docs/hw/datapath.md, outbound path):
// one parsed frame (with its flow lookup result) at a time, in order.
//
//   take  a frame, and read its SA context (the flow entry's sa_index0, or
//         tuser.index for frames from the host); in IDLE, or in BUILD as the
//         previous command is handed over: one frame every 2 clocks
//   DEC   choose the action and reason; for a protected frame take the next
//         sequence number, count the packet on the SA, raise lifetime and
//         sequence-overflow events
//   BUILD build the output header and hand the command to the dispatcher
//
// The SA table and its live state (sequence number, IPv4 ID, lifetime counts,
// event flags) change only in IDLE (commits, which wait for no frame in
// flight here and take priority over the next frame) and DEC (packets), so a
// packet sees one consistent entry and commits are atomic with respect to
// traffic.
`default_nettype none

module aipsec_ob_decide #(
  parameter int SA_COUNT = 64,
  parameter int FLOW_COUNT = 256,
  localparam int SA_INDEX_W = $clog2(SA_COUNT),
  localparam int FLOW_INDEX_W = $clog2(FLOW_COUNT)
) (
  input  wire logic                            clk,
  input  wire logic                            rst,

  input  wire logic                            s_valid,
  output      logic                            s_ready,
  input  wire aipsec_dp_pkg::frame_desc_t      s_desc,
  input  wire aipsec_dp_pkg::parse_t           s_parse,
  input  wire logic                            s_src,        // 1: frame from the host
  input  wire logic                            s_flow_hit,
  input  wire logic [FLOW_INDEX_W-1:0]         s_flow_index,
  input  wire aipsec_regs_pkg::flow_entry_t    s_flow_entry,

  input  wire logic [31:0]                     ctrl_control,
  input  wire logic [31:0]                     ctrl_settings,

  input  wire logic                            s_sa_wr_valid,
  output      logic                            s_sa_wr_ready,
  input  wire logic [SA_INDEX_W-1:0]           s_sa_wr_index,
  input  wire aipsec_regs_pkg::sa_context_t    s_sa_wr_entry,

  output      logic                            m_cmd_valid,
  input  wire logic                            m_cmd_ready,
  output      aipsec_ob_pkg::ob_cmd_t          m_cmd,

  output      logic                            m_sa_cnt_valid,
  output      logic [SA_INDEX_W-1:0]           m_sa_cnt_index,
  output      logic [15:0]                     m_sa_cnt_bytes,
  output      logic                            m_drop_valid,
  output      logic [7:0]                      m_drop_reason,

  output      logic                            m_evt_valid,  // SA events, queued
  input  wire logic                            m_evt_ready,
  output      logic [7:0]                      m_evt_reason,
  output      logic [15:0]                     m_evt_index
);

  localparam int HDR_BYTES = aipsec_dp_pkg::HDR_BYTES;

  typedef enum logic [1:0] {S_IDLE, S_DEC, S_BUILD} state_t;
  state_t state;

  // ---- the frame being decided (tuser and most of the flow entry unused here)
  /* verilator lint_off UNUSEDSIGNAL */
  aipsec_dp_pkg::frame_desc_t q_desc;
  aipsec_dp_pkg::parse_t q_parse;
  logic q_src, q_hit;
  logic [FLOW_INDEX_W-1:0] q_findex;
  aipsec_regs_pkg::flow_entry_t q_flow;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [15:0] q_sai;                           // SA index asked for

  // ---- SA table and live state
  aipsec_regs_pkg::sa_context_t sa_mem [0:SA_COUNT-1];
  aipsec_regs_pkg::sa_context_t sa;
  logic [63:0] st_seq [0:SA_COUNT-1];
  logic [15:0] st_ipid [0:SA_COUNT-1];
  logic [63:0] st_pkts [0:SA_COUNT-1];
  logic [63:0] st_bytes [0:SA_COUNT-1];
  logic [SA_COUNT-1:0] st_soft_sent, st_dead, st_ovf_sent;
  logic [SA_COUNT-1:0] st_written;              // entries committed since reset

  wire [SA_INDEX_W-1:0] si = q_sai[SA_INDEX_W-1:0];
  wire [15:0] sai_in = s_src ? s_desc.tuser[31:16] : s_flow_entry.sa_index0;
  wire take = s_valid && s_ready;
  wire sai_ok = 32'(q_sai) < SA_COUNT;

  // ---- IP header view (frame bytes from l3_off)
  logic [8*HDR_BYTES-1:0] ip;
  always_comb ip = q_desc.hdr >> (8 * 32'(q_parse.l3_off));

  function automatic logic [7:0] ip_byte(input logic [8*HDR_BYTES-1:0] v, input logic [11:0] at);
    ip_byte = 8'd0;
    for (int i = 0; i < HDR_BYTES; i = i + 1) if (32'(at) == i) ip_byte = v[8*i +: 8];
  endfunction

  // Transport-mode insertion point, as the software's IP parser chooses it:
  // after the last hop-by-hop / routing / fragment header; a destination
  // options header after them goes behind ESP (protected).
  logic [11:0] ins, nhf, walk_off, elen;
  logic [7:0] walk_nh, this_nh;
  logic walk_bad;
  always_comb begin
    walk_bad = 1'b0;
    if (!q_parse.ipv6) begin
      ins = {4'd0, q_parse.l3_hdr_len};
      nhf = 12'd9;
      walk_nh = 8'd0;
      walk_off = 12'd0;
      elen = 12'd0;
      this_nh = 8'd0;
    end else begin
      ins = 12'd40;
      nhf = 12'd6;
      walk_nh = ip[8*6 +: 8];
      walk_off = 12'd40;
      elen = 12'd0;
      this_nh = 8'd0;
      for (int k = 0; k < aipsec_dp_pkg::MAX_EXT_HDRS; k = k + 1) begin
        if (walk_nh == 8'd0 || walk_nh == 8'd43 || walk_nh == 8'd44 || walk_nh == 8'd60) begin
          if (walk_off > 12'(HDR_BYTES - 8)) begin
            walk_bad = 1'b1;
          end else begin
            elen = (walk_nh == 8'd44) ? 12'd8 : ({4'd0, ip_byte(ip, walk_off + 12'd1)} + 12'd1) << 3;
            this_nh = walk_nh;
            walk_nh = ip_byte(ip, walk_off);
            if (this_nh != 8'd60) nhf = walk_off;
            walk_off = walk_off + elen;
            if (this_nh != 8'd60) ins = walk_off;
          end
        end
      end
    end
  end

  // ---- decision (DEC)
  wire tunnel = sa.mode == aipsec_regs_pkg::SA_CONTEXT_MODE_TUNNEL;
  wire natt = sa.natt;
  wire [4:0] icv = sa.icv_len;
  logic [15:0] pl, esp_len, ip_out_len;
  logic [16:0] ip_out_len_wide;
  logic [1:0] pad;
  logic [63:0] seq_cur, seq_last, pkts_new, bytes_new;
  logic unsupported, ovf, too_big, hard_now, soft_now, ins_bad;
  logic [7:0] reason;
  logic [1:0] act;
  logic [1:0] port;
  logic kind;
  logic [15:0] index;
  logic want_evt;
  logic [7:0] evt_reason;
  logic is_drop_reason;

  always_comb begin
    port = q_src ? aipsec_ob_pkg::PORT_HOST : aipsec_ob_pkg::PORT_PLAIN;
    pl = tunnel ? q_parse.l3_len : q_parse.l3_len - 16'(ins);
    pad = 2'(2'd2 - pl[1:0]);
    esp_len = 16'd18 + pl + 16'(pad) + 16'(icv);
    ip_out_len_wide = 17'(esp_len) + (natt ? 17'd8 : 17'd0) +
                      (tunnel ? (sa.outer_ipv6 ? 17'd40 : 17'd20) : 17'(ins));
    ip_out_len = ip_out_len_wide[15:0];
    too_big = ip_out_len_wide[16] || (sa.path_mtu != 16'd0 && ip_out_len > sa.path_mtu);
    ins_bad = !tunnel && (walk_bad || 32'(q_parse.l3_off) + 32'(ins) > HDR_BYTES ||
                          16'(ins) > q_parse.l3_len);
    seq_cur = st_seq[si];
    seq_last = sa.esn ? 64'hffff_ffff_ffff_ffff : 64'h0000_0000_ffff_ffff;
    ovf = seq_cur >= seq_last;
    // UDP over IPv6 needs a checksum over the whole payload (RFC 8200 8.1),
    // which the software computes: the host does those packets.
    unsupported = sa.protocol != aipsec_regs_pkg::SA_CONTEXT_PROTOCOL_ESP ||
                  sa.direction != aipsec_regs_pkg::SA_CONTEXT_DIRECTION_OUTBOUND ||
                  sa.enc_alg != aipsec_regs_pkg::SA_CONTEXT_ENC_ALG_AES_GCM ||
                  sa.auth_alg != aipsec_regs_pkg::SA_CONTEXT_AUTH_ALG_AEAD ||
                  !(icv == 5'd8 || icv == 5'd12 || icv == 5'd16) ||
                  (natt && (tunnel ? sa.outer_ipv6 : q_parse.ipv6));
    pkts_new = st_pkts[si] + 64'd1;
    bytes_new = st_bytes[si] + 64'(pl);
    hard_now = (sa.hard_packets != 32'd0 && pkts_new >= 64'(sa.hard_packets)) ||
               (sa.hard_bytes != 64'd0 && bytes_new >= sa.hard_bytes);
    soft_now = (sa.soft_packets != 32'd0 && pkts_new >= 64'(sa.soft_packets)) ||
               (sa.soft_bytes != 64'd0 && bytes_new >= sa.soft_bytes);

    act = aipsec_ob_pkg::ACT_HOST;
    is_drop_reason = 1'b0;
    reason = 8'd0;
    kind = aipsec_ob_pkg::KIND_SA;
    index = 16'd0;
    want_evt = 1'b0;
    evt_reason = 8'd0;
    if (!ctrl_control[aipsec_regs_pkg::CTRL_CONTROL_ENABLE_LSB]) begin
      act = aipsec_ob_pkg::ACT_HOST;
    end else if (q_parse.reason != 8'd0) begin
      reason = q_parse.reason;
      is_drop_reason = reason == aipsec_regs_pkg::REASON_TRUNCATED ||
                       reason == aipsec_regs_pkg::REASON_MALFORMED_IP ||
                       reason == aipsec_regs_pkg::REASON_BAD_IP_CHECKSUM;
      act = is_drop_reason ? aipsec_ob_pkg::ACT_DROP : aipsec_ob_pkg::ACT_HOST;
    end else if (!q_src && !q_hit) begin
      reason = aipsec_regs_pkg::REASON_FLOW_MISS;
    end else if (!q_src && q_flow.action != aipsec_regs_pkg::FLOW_ENTRY_ACTION_PROTECT) begin
      kind = aipsec_ob_pkg::KIND_FLOW;
      index = 16'(q_findex);
      if (q_flow.action == aipsec_regs_pkg::FLOW_ENTRY_ACTION_BYPASS) begin
        act = aipsec_ob_pkg::ACT_NET;
      end else if (q_flow.action == aipsec_regs_pkg::FLOW_ENTRY_ACTION_DISCARD) begin
        act = aipsec_ob_pkg::ACT_DROP;
        reason = aipsec_regs_pkg::REASON_POLICY_DISCARD;
      end else begin
        reason = aipsec_regs_pkg::REASON_FLOW_TO_HOST;
      end
    end else if (!q_src && q_flow.bundle_len != 2'd1) begin
      kind = aipsec_ob_pkg::KIND_FLOW;
      index = 16'(q_findex);
      reason = aipsec_regs_pkg::REASON_UNSUPPORTED;
    end else begin
      index = q_sai;
      if (!sai_ok || !st_written[si] || !sa.valid) begin
        reason = aipsec_regs_pkg::REASON_SA_NOT_MATURE;
      end else if (st_dead[si]) begin
        act = aipsec_ob_pkg::ACT_DROP;
        reason = aipsec_regs_pkg::REASON_LIFETIME_EXPIRED;
      end else if (unsupported) begin
        reason = aipsec_regs_pkg::REASON_UNSUPPORTED;
      end else if (ins_bad) begin
        reason = aipsec_regs_pkg::REASON_EXT_HDR_LIMIT;
      end else if (ovf) begin
        reason = aipsec_regs_pkg::REASON_SEQ_OVERFLOW;
        want_evt = !st_ovf_sent[si];
        evt_reason = aipsec_regs_pkg::REASON_SEQ_OVERFLOW;
      end else if (too_big) begin
        reason = aipsec_regs_pkg::REASON_TOO_BIG;
      end else begin
        act = aipsec_ob_pkg::ACT_PROTECT;
        if (hard_now) begin
          want_evt = 1'b1;
          evt_reason = aipsec_regs_pkg::REASON_LIFETIME_EXPIRED;
        end else if (soft_now && !st_soft_sent[si]) begin
          want_evt = 1'b1;
          evt_reason = aipsec_regs_pkg::REASON_LIFETIME_SOFT;
        end
      end
    end
  end

  // ---- registered results of DEC, for BUILD
  logic [1:0] r_act;
  logic [63:0] r_tuser;
  logic [63:0] r_seq;
  logic [15:0] r_ipid, r_pl, r_esp_len, r_ip_out_len;
  logic [1:0] r_pad;
  logic [11:0] r_ins, r_nhf;

  logic evt_s_ready;
  wire dec_go = state == S_DEC && evt_s_ready;

  always_ff @(posedge clk) begin
    m_sa_cnt_valid <= 1'b0;
    m_drop_valid <= 1'b0;
    if (take) begin
      q_desc <= s_desc;
      q_parse <= s_parse;
      q_src <= s_src;
      q_hit <= s_flow_hit;
      q_findex <= s_flow_index;
      q_flow <= s_flow_entry;
      q_sai <= sai_in;
      sa <= sa_mem[sai_in[SA_INDEX_W-1:0]];
      state <= S_DEC;
    end else case (state)
      S_IDLE: begin
        if (s_sa_wr_valid) begin
          sa_mem[s_sa_wr_index] <= s_sa_wr_entry;
          st_seq[s_sa_wr_index] <= s_sa_wr_entry.seq;
          st_ipid[s_sa_wr_index] <= 16'd0;
          st_pkts[s_sa_wr_index] <= 64'd0;
          st_bytes[s_sa_wr_index] <= 64'd0;
          st_soft_sent[s_sa_wr_index] <= 1'b0;
          st_dead[s_sa_wr_index] <= 1'b0;
          st_ovf_sent[s_sa_wr_index] <= 1'b0;
          st_written[s_sa_wr_index] <= 1'b1;
        end
      end
      S_DEC: if (dec_go) begin
        r_act <= act;
        r_seq <= seq_cur + 64'd1;
        r_ipid <= st_ipid[si];
        r_pl <= pl;
        r_pad <= pad;
        r_esp_len <= esp_len;
        r_ip_out_len <= ip_out_len;
        r_ins <= ins;
        r_nhf <= nhf;
        if (act == aipsec_ob_pkg::ACT_PROTECT) begin
          r_tuser <= aipsec_ob_pkg::meta(port, aipsec_ob_pkg::KIND_SA, 1'b0, 1'b0, 8'd0, q_sai,
                          16'(q_parse.l3_off) + ip_out_len, q_parse.l3_off);
          st_seq[si] <= seq_cur + 64'd1;
          if (tunnel && !sa.outer_ipv6) st_ipid[si] <= st_ipid[si] + 16'd1;
          st_pkts[si] <= pkts_new;
          st_bytes[si] <= bytes_new;
          if (hard_now) st_dead[si] <= 1'b1;
          if (soft_now) st_soft_sent[si] <= 1'b1;
          m_sa_cnt_valid <= 1'b1;
        end else begin
          r_tuser <= aipsec_ob_pkg::meta(port, kind, act == aipsec_ob_pkg::ACT_HOST, 1'b0, reason, index,
                          q_desc.frame_len, q_parse.l3_off);
        end
        if (reason == aipsec_regs_pkg::REASON_SEQ_OVERFLOW) st_ovf_sent[si] <= 1'b1;
        m_drop_valid <= reason != 8'd0;
        state <= S_BUILD;
      end
      S_BUILD: if (m_cmd_ready) state <= S_IDLE;
      default: state <= S_IDLE;
    endcase
    if (rst) begin
      state <= S_IDLE;
      st_written <= '0;
      m_sa_cnt_valid <= 1'b0;
      m_drop_valid <= 1'b0;
    end
  end

  assign s_ready = (state == S_IDLE || (state == S_BUILD && m_cmd_ready)) && !s_sa_wr_valid;
  assign s_sa_wr_ready = state == S_IDLE;

  always_ff @(posedge clk) begin
    if (dec_go) begin
      m_sa_cnt_index <= si;
      m_sa_cnt_bytes <= q_parse.l3_len;
      m_drop_reason <= reason;
    end
  end

  aipsec_ob_fifo #(.WIDTH(24), .DEPTH(4)) u_evt_fifo (
    .clk, .rst,
    .s_data({evt_reason, q_sai}), .s_valid(dec_go && want_evt), .s_ready(evt_s_ready),
    .m_data({m_evt_reason, m_evt_index}), .m_valid(m_evt_valid), .m_ready(m_evt_ready));

  // ---- header build (BUILD)
  aipsec_ob_hdr_build u_build (
    .desc_hdr(q_desc.hdr), .parse(q_parse), .sa(sa), .settings(ctrl_settings),
    .seq(r_seq), .ipid(r_ipid), .pl(r_pl), .pad(r_pad), .esp_len(r_esp_len),
    .ip_out_len(r_ip_out_len), .ins(r_ins), .nhf(r_nhf),
    .src(q_src), .act(r_act), .tuser(r_tuser),
    .cmd(m_cmd));
  assign m_cmd_valid = state == S_BUILD;

endmodule

`default_nettype wire
