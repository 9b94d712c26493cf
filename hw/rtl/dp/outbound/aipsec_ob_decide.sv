// Decision stage of the outbound path (docs/hw/datapath.md, outbound path):
// parsed frames (with their flow lookup result) in order, one every 2 clocks,
// through a pipeline of at most 6 LUT levels between registers. All stages
// move together (when the header builder takes, and the event queue has room
// for a frame in L2); a frame is taken only when the first stage is empty, so
// frames are at least 2 stages apart.
//
//   T   take a frame, and read its SA context (the flow entry's sa_index0, or
//       tuser.index for frames from the host)
//   S1  IP header view (a shift by l3_off), support checks, SA present,
//       lifetime packet limits - 1
//   S2  the decision up to the SA's live state; IPv6 extension header walk:
//       first header, candidates for the second one's offsets
//   S3  offset after a second header (not fragment)
//   S4  insertion point and next-header offset chosen
//   S5  payload bytes, insertion point checks, parts of the lengths
//   S6  ESP length; lifetime byte limits - payload (low part)
//   S7  protected IP packet length; byte limits - payload
//   S8  too big (parts), length in the metadata
//   L   (S8 registers) reads the SA's live state: sequence overflow,
//       lifetime limit compares, next counts
//   L2  the action and reason, events; live state written back (a frame
//       2 stages behind reads it after the write); the command's inputs
//       handed to the header builder (its own pipeline)
//
// The SA table and its live state change only by commits, which wait until
// no frame is in T..L2 (and take priority over the next frame), and by
// frames in L2, so a packet sees one consistent entry and commits are atomic
// with respect to traffic.
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

  // ---- balanced arithmetic (carry and compare trees, not chains)
  function automatic logic [15:0] inc16(input logic [15:0] x);
    logic [15:0] r;
    for (int i = 0; i < 16; i = i + 1) r[i] = x[i] ^ (&(x | ~((16'd1 << i) - 16'd1)));
    inc16 = r;
  endfunction
  function automatic logic in_set(input logic [7:0] nh);   // walked extension headers
    in_set = nh == 8'd0 || nh == 8'd43 || nh == 8'd44 || nh == 8'd60;
  endfunction

  // ---- frame context, carried through the stages (each stage uses a part)
  // One register of each per stage (T = 0, S1..S8, L2 = 9).
  /* verilator lint_off UNUSEDSIGNAL */
  aipsec_dp_pkg::frame_desc_t d0, d1, d2, d3, d4, d5, d6, d7, d8, d9;
  aipsec_dp_pkg::parse_t p0, p1, p2, p3, p4, p5, p6, p7, p8, p9;
  aipsec_regs_pkg::sa_context_t a0, a1, a2, a3, a4, a5, a6, a7, a8, a9;
  logic src0, src1, src2, src3, src4, src5, src6, src7, src8, src9;
  logic hit0, hit1, hit2, hit3, hit4, hit5, hit6, hit7, hit8, hit9;
  logic [FLOW_INDEX_W-1:0] fi0, fi1, fi2, fi3, fi4, fi5, fi6, fi7, fi8, fi9;
  aipsec_regs_pkg::flow_entry_t fl0, fl1, fl2, fl3, fl4, fl5, fl6, fl7, fl8, fl9;
  logic [15:0] sai0, sai1, sai2, sai3, sai4, sai5, sai6, sai7, sai8, sai9;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [9:0] v;                                // frame in T, S1..S8, L2

  // ---- SA table and live state
  aipsec_regs_pkg::sa_context_t sa_mem [0:SA_COUNT-1];
  logic [63:0] st_seq [0:SA_COUNT-1];
  logic [15:0] st_ipid [0:SA_COUNT-1];
  logic [63:0] st_pkts [0:SA_COUNT-1];
  logic [63:0] st_bytes [0:SA_COUNT-1];
  logic [SA_COUNT-1:0] st_soft_sent, st_dead, st_ovf_sent;
  logic [SA_COUNT-1:0] st_written;              // entries committed since reset

  logic evt_s_ready, build_ready;
  wire en = build_ready && (!v[9] || evt_s_ready);
  wire [15:0] sai_in = s_src ? s_desc.tuser[31:16] : s_flow_entry.sa_index0;
  wire take = s_valid && s_ready;
  assign s_ready = en && !v[0] && !s_sa_wr_valid;
  assign s_sa_wr_ready = v == '0;
  wire commit = s_sa_wr_valid && s_sa_wr_ready;

  always_ff @(posedge clk) begin
    if (take) begin
      d0 <= s_desc;
      p0 <= s_parse;
      a0 <= sa_mem[sai_in[SA_INDEX_W-1:0]];
      src0 <= s_src;
      hit0 <= s_flow_hit;
      fi0 <= s_flow_index;
      fl0 <= s_flow_entry;
      sai0 <= sai_in;
    end
    if (en) begin
      {d1, p1, a1, src1, hit1, fi1, fl1, sai1} <= {d0, p0, a0, src0, hit0, fi0, fl0, sai0};
      {d2, p2, a2, src2, hit2, fi2, fl2, sai2} <= {d1, p1, a1, src1, hit1, fi1, fl1, sai1};
      {d3, p3, a3, src3, hit3, fi3, fl3, sai3} <= {d2, p2, a2, src2, hit2, fi2, fl2, sai2};
      {d4, p4, a4, src4, hit4, fi4, fl4, sai4} <= {d3, p3, a3, src3, hit3, fi3, fl3, sai3};
      {d5, p5, a5, src5, hit5, fi5, fl5, sai5} <= {d4, p4, a4, src4, hit4, fi4, fl4, sai4};
      {d6, p6, a6, src6, hit6, fi6, fl6, sai6} <= {d5, p5, a5, src5, hit5, fi5, fl5, sai5};
      {d7, p7, a7, src7, hit7, fi7, fl7, sai7} <= {d6, p6, a6, src6, hit6, fi6, fl6, sai6};
      {d8, p8, a8, src8, hit8, fi8, fl8, sai8} <= {d7, p7, a7, src7, hit7, fi7, fl7, sai7};
      {d9, p9, a9, src9, hit9, fi9, fl9, sai9} <= {d8, p8, a8, src8, hit8, fi8, fl8, sai8};
      v <= {v[8:0], take};
    end
    if (rst) v <= '0;
  end

  // ---------------------------------------------------------------- S1
  logic [8*HDR_BYTES-1:0] ip1;
  logic unsup1, sai_ok1, written1, enable1, drop_reason1, lim_neg1;
  logic [7:0] limv1;
  logic [31:0] hp_m1_1, sp_m1_1;
  logic [47:0] hb_hi_m1_1, sb_hi_m1_1;
  wire [SA_INDEX_W-1:0] si0 = sai0[SA_INDEX_W-1:0];
  always_ff @(posedge clk) begin
    if (en) begin
      ip1 <= d0.hdr >> (8 * 32'(p0.l3_off));
      // UDP over IPv6 needs a checksum over the whole payload (RFC 8200 8.1),
      // which the software computes: the host does those packets.
      unsup1 <= a0.protocol != aipsec_regs_pkg::SA_CONTEXT_PROTOCOL_ESP ||
                a0.direction != aipsec_regs_pkg::SA_CONTEXT_DIRECTION_OUTBOUND ||
                a0.enc_alg != aipsec_regs_pkg::SA_CONTEXT_ENC_ALG_AES_GCM ||
                a0.auth_alg != aipsec_regs_pkg::SA_CONTEXT_AUTH_ALG_AEAD ||
                !(a0.icv_len == 5'd8 || a0.icv_len == 5'd12 || a0.icv_len == 5'd16) ||
                (a0.natt && (a0.mode == aipsec_regs_pkg::SA_CONTEXT_MODE_TUNNEL ?
                                a0.outer_ipv6 : p0.ipv6));
      sai_ok1 <= 32'(sai0) < SA_COUNT;
      written1 <= st_written[si0];
      enable1 <= ctrl_control[aipsec_regs_pkg::CTRL_CONTROL_ENABLE_LSB];
      drop_reason1 <= p0.reason == aipsec_regs_pkg::REASON_TRUNCATED ||
                      p0.reason == aipsec_regs_pkg::REASON_MALFORMED_IP ||
                      p0.reason == aipsec_regs_pkg::REASON_BAD_IP_CHECKSUM;
      // l3_off + ins > HDR_BYTES  <=>  ins > HDR_BYTES - l3_off
      lim_neg1 <= 32'(p0.l3_off) > HDR_BYTES;
      limv1 <= 8'(HDR_BYTES - 32'(p0.l3_off));
      hp_m1_1 <= aipsec_dp_pkg::dec32(a0.hard_packets);
      sp_m1_1 <= aipsec_dp_pkg::dec32(a0.soft_packets);
      hb_hi_m1_1 <= aipsec_dp_pkg::dec48(a0.hard_bytes[63:16]);
      sb_hi_m1_1 <= aipsec_dp_pkg::dec48(a0.soft_bytes[63:16]);
    end
  end

  // ---------------------------------------------------------------- S2
  // The decision as far as it does not depend on the SA's live state.
  logic pre_final;
  logic [1:0] pre_act;
  logic [7:0] pre_reason;
  logic pre_kind;
  logic [15:0] pre_index;
  always_comb begin
    pre_final = 1'b1;
    pre_act = aipsec_ob_pkg::ACT_HOST;
    pre_reason = 8'd0;
    pre_kind = aipsec_ob_pkg::KIND_SA;
    pre_index = 16'd0;
    if (!enable1) begin
      pre_act = aipsec_ob_pkg::ACT_HOST;
    end else if (p1.reason != 8'd0) begin
      pre_reason = p1.reason;
      pre_act = drop_reason1 ? aipsec_ob_pkg::ACT_DROP : aipsec_ob_pkg::ACT_HOST;
    end else if (!src1 && !hit1) begin
      pre_reason = aipsec_regs_pkg::REASON_FLOW_MISS;
    end else if (!src1 && fl1.action != aipsec_regs_pkg::FLOW_ENTRY_ACTION_PROTECT) begin
      pre_kind = aipsec_ob_pkg::KIND_FLOW;
      pre_index = 16'(fi1);
      if (fl1.action == aipsec_regs_pkg::FLOW_ENTRY_ACTION_BYPASS) begin
        pre_act = aipsec_ob_pkg::ACT_NET;
      end else if (fl1.action == aipsec_regs_pkg::FLOW_ENTRY_ACTION_DISCARD) begin
        pre_act = aipsec_ob_pkg::ACT_DROP;
        pre_reason = aipsec_regs_pkg::REASON_POLICY_DISCARD;
      end else begin
        pre_reason = aipsec_regs_pkg::REASON_FLOW_TO_HOST;
      end
    end else if (!src1 && fl1.bundle_len != 2'd1) begin
      pre_kind = aipsec_ob_pkg::KIND_FLOW;
      pre_index = 16'(fi1);
      pre_reason = aipsec_regs_pkg::REASON_UNSUPPORTED;
    end else begin
      pre_index = sai1;
      if (!sai_ok1 || !written1 || !a1.valid) begin
        pre_reason = aipsec_regs_pkg::REASON_SA_NOT_MATURE;
      end else begin
        pre_final = 1'b0;
      end
    end
  end

  // Transport-mode insertion point, as the software's IP parser chooses it:
  // after the last hop-by-hop / routing / fragment header; a destination
  // options header after them goes behind ESP (protected). The first header
  // is at 40 (next header at byte 6), the second's next header at byte 40.
  logic final2, kind2;
  logic [1:0] act2;
  logic [7:0] reason2;
  logic [15:0] index2;
  logic unsup2, lim_neg2;
  logic [7:0] limv2;
  logic [31:0] hp_m1_2, sp_m1_2;
  logic [47:0] hb_hi_m1_2, sb_hi_m1_2;
  logic set1_2, is44_1_2, is60_1_2, set2_2, is44_2_2, is60_2_2, badb2;
  logic [11:0] off2b2, off3a2, off3b44_2;
  logic [8:0] b41p7_2;
  logic [7:0] byteb2;
  logic [7:0] b41;
  always_comb b41 = ip1[8*41 +: 8];
  always_ff @(posedge clk) begin
    if (en) begin
      final2 <= pre_final;
      act2 <= pre_act;
      reason2 <= pre_reason;
      kind2 <= pre_kind;
      index2 <= pre_index;
      unsup2 <= unsup1;
      lim_neg2 <= lim_neg1;
      limv2 <= limv1;
      hp_m1_2 <= hp_m1_1;
      sp_m1_2 <= sp_m1_1;
      hb_hi_m1_2 <= hb_hi_m1_1;
      sb_hi_m1_2 <= sb_hi_m1_1;
      set1_2 <= in_set(ip1[8*6 +: 8]);
      is44_1_2 <= ip1[8*6 +: 8] == 8'd44;
      is60_1_2 <= ip1[8*6 +: 8] == 8'd60;
      set2_2 <= in_set(ip1[8*40 +: 8]);
      is44_2_2 <= ip1[8*40 +: 8] == 8'd44;
      is60_2_2 <= ip1[8*40 +: 8] == 8'd60;
      off2b2 <= (12'(b41) + 12'd6) << 3;             // 40 + (b41 + 1) * 8
      off3a2 <= (12'(ip1[8*49 +: 8]) + 12'd7) << 3;  // 48 + (ip[49] + 1) * 8
      off3b44_2 <= (12'(b41) + 12'd7) << 3;          // off2b + 8
      b41p7_2 <= {1'b0, b41} + 9'd7;
      badb2 <= b41 > 8'd9;                                // second header past HDR_BYTES - 8
      byteb2 <= 8'd0;
      for (int j = 0; j < 10; j = j + 1) if (b41 == 8'(j)) byteb2 <= ip1[8*(49 + 8*j) +: 8];
    end
  end

  // ---------------------------------------------------------------- S3
  logic [11:0] off3b3;
  always_ff @(posedge clk) begin
    if (en) off3b3 <= (12'(byteb2) + 12'(b41p7_2)) << 3;  // off2b + (ip[off2b+1] + 1) * 8
  end
  logic final3, kind3, unsup3, lim_neg3, set1_3, is44_1_3, is60_1_3, set2_3, is44_2_3, is60_2_3, badb3;
  logic [1:0] act3;
  logic [7:0] reason3, limv3;
  logic [15:0] index3;
  logic [31:0] hp_m1_3, sp_m1_3;
  logic [47:0] hb_hi_m1_3, sb_hi_m1_3;
  logic [11:0] off2b3, off3a3, off3b44_3;
  always_ff @(posedge clk) begin
    if (en) begin
      {final3, kind3, unsup3, lim_neg3, set1_3, is44_1_3, is60_1_3, set2_3, is44_2_3, is60_2_3, badb3} <=
        {final2, kind2, unsup2, lim_neg2, set1_2, is44_1_2, is60_1_2, set2_2, is44_2_2, is60_2_2, badb2};
      {act3, reason3, limv3, index3, hp_m1_3, sp_m1_3, hb_hi_m1_3, sb_hi_m1_3, off2b3, off3a3, off3b44_3} <=
        {act2, reason2, limv2, index2, hp_m1_2, sp_m1_2, hb_hi_m1_2, sb_hi_m1_2, off2b2, off3a2, off3b44_2};
    end
  end

  // ---------------------------------------------------------------- S4
  logic [11:0] off2, off3, nhf_1, ins_1, nhf6, ins6;
  logic bad, it2;
  always_comb begin
    off2 = is44_1_3 ? 12'd48 : off2b3;
    off3 = is44_1_3 ? (is44_2_3 ? 12'd56 : off3a3) : (is44_2_3 ? off3b44_3 : off3b3);
    bad = set1_3 && set2_3 && !is44_1_3 && badb3;
    it2 = set1_3 && set2_3 && !bad;
    nhf_1 = set1_3 && !is60_1_3 ? 12'd40 : 12'd6;
    ins_1 = set1_3 && !is60_1_3 ? off2 : 12'd40;
    nhf6 = it2 && !is60_2_3 ? off2 : nhf_1;
    ins6 = it2 && !is60_2_3 ? off3 : ins_1;
  end
  wire tunnel3 = a3.mode == aipsec_regs_pkg::SA_CONTEXT_MODE_TUNNEL;
  logic [11:0] ins4, nhf4, ins_eff4;
  logic walk_bad4;
  logic final4, kind4, unsup4, lim_neg4;
  logic [1:0] act4;
  logic [7:0] reason4, limv4;
  logic [15:0] index4;
  logic [31:0] hp_m1_4, sp_m1_4;
  logic [47:0] hb_hi_m1_4, sb_hi_m1_4;
  always_ff @(posedge clk) begin
    if (en) begin
      ins4 <= p3.ipv6 ? ins6 : {4'd0, p3.l3_hdr_len};
      nhf4 <= p3.ipv6 ? nhf6 : 12'd9;
      ins_eff4 <= tunnel3 ? 12'd0 : (p3.ipv6 ? ins6 : {4'd0, p3.l3_hdr_len});
      walk_bad4 <= p3.ipv6 && bad;
      {final4, kind4, unsup4, lim_neg4, act4, reason4, limv4, index4} <=
        {final3, kind3, unsup3, lim_neg3, act3, reason3, limv3, index3};
      {hp_m1_4, sp_m1_4, hb_hi_m1_4, sb_hi_m1_4} <= {hp_m1_3, sp_m1_3, hb_hi_m1_3, sb_hi_m1_3};
    end
  end

  // ---------------------------------------------------------------- S5
  wire [1:0] pl_lo4 = p4.l3_len[1:0] - ins_eff4[1:0];
  wire [1:0] pad4 = 2'(2'd2 - pl_lo4);
  logic [15:0] pl5;
  logic [1:0] pad5;
  logic [6:0] k5;
  logic c1_5, c2_5, walk_bad5;
  logic [16:0] m_tr5, m_t5;
  logic [11:0] ins5, nhf5;
  logic final5, kind5, unsup5;
  logic [1:0] act5;
  logic [7:0] reason5;
  logic [15:0] index5;
  logic [31:0] hp_m1_5, sp_m1_5;
  logic [47:0] hb_hi_m1_5, sb_hi_m1_5;
  always_ff @(posedge clk) begin
    if (en) begin
      pl5 <= p4.l3_len - 16'(ins_eff4);
      pad5 <= pad4;
      k5 <= 7'd18 + 7'(pad4) + 7'(a4.icv_len);
      c1_5 <= lim_neg4 || ins4 > 12'(limv4);
      c2_5 <= 16'(ins4) > p4.l3_len;
      m_tr5 <= 17'(ins4) + (a4.natt ? 17'd8 : 17'd0);
      m_t5 <= (a4.outer_ipv6 ? 17'd40 : 17'd20) + (a4.natt ? 17'd8 : 17'd0);
      walk_bad5 <= walk_bad4;
      ins5 <= ins4;
      nhf5 <= nhf4;
      {final5, kind5, unsup5, act5, reason5, index5} <= {final4, kind4, unsup4, act4, reason4, index4};
      {hp_m1_5, sp_m1_5, hb_hi_m1_5, sb_hi_m1_5} <= {hp_m1_4, sp_m1_4, hb_hi_m1_4, sb_hi_m1_4};
    end
  end

  // ---------------------------------------------------------------- S6
  wire tunnel5 = a5.mode == aipsec_regs_pkg::SA_CONTEXT_MODE_TUNNEL;
  logic [15:0] pl6, esp_len6;
  logic [1:0] pad6;
  logic ins_bad6;
  logic [16:0] m6, hb_lo6, sb_lo6;
  logic [11:0] ins6r, nhf6r;
  logic final6, kind6, unsup6;
  logic [1:0] act6;
  logic [7:0] reason6;
  logic [15:0] index6;
  logic [31:0] hp_m1_6, sp_m1_6;
  logic [47:0] hb_hi_m1_6, sb_hi_m1_6;
  always_ff @(posedge clk) begin
    if (en) begin
      pl6 <= pl5;
      esp_len6 <= pl5 + 16'(k5);
      pad6 <= pad5;
      ins_bad6 <= !tunnel5 && (walk_bad5 || c1_5 || c2_5);
      m6 <= tunnel5 ? m_t5 : m_tr5;
      hb_lo6 <= {1'b0, a5.hard_bytes[15:0]} - {1'b0, pl5};
      sb_lo6 <= {1'b0, a5.soft_bytes[15:0]} - {1'b0, pl5};
      ins6r <= ins5;
      nhf6r <= nhf5;
      {final6, kind6, unsup6, act6, reason6, index6} <= {final5, kind5, unsup5, act5, reason5, index5};
      {hp_m1_6, sp_m1_6, hb_hi_m1_6, sb_hi_m1_6} <= {hp_m1_5, sp_m1_5, hb_hi_m1_5, sb_hi_m1_5};
    end
  end

  // ---------------------------------------------------------------- S7
  logic [16:0] ip_out_len_wide7;
  logic [15:0] pl7, esp_len7;
  logic [1:0] pad7;
  logic ins_bad7, hb_neg7, sb_neg7;
  logic [63:0] hb_thr7, sb_thr7;                  // byte limit - payload
  logic [11:0] ins7, nhf7;
  logic final7, kind7, unsup7;
  logic [1:0] act7;
  logic [7:0] reason7;
  logic [15:0] index7;
  logic [31:0] hp_m1_7, sp_m1_7;
  always_ff @(posedge clk) begin
    if (en) begin
      ip_out_len_wide7 <= 17'(esp_len6) + m6;
      hb_thr7 <= {hb_lo6[16] ? hb_hi_m1_6 : a6.hard_bytes[63:16], hb_lo6[15:0]};
      sb_thr7 <= {sb_lo6[16] ? sb_hi_m1_6 : a6.soft_bytes[63:16], sb_lo6[15:0]};
      hb_neg7 <= hb_lo6[16] && a6.hard_bytes[63:16] == 48'd0;
      sb_neg7 <= sb_lo6[16] && a6.soft_bytes[63:16] == 48'd0;
      pl7 <= pl6;
      esp_len7 <= esp_len6;
      pad7 <= pad6;
      ins_bad7 <= ins_bad6;
      ins7 <= ins6r;
      nhf7 <= nhf6r;
      {final7, kind7, unsup7, act7, reason7, index7} <= {final6, kind6, unsup6, act6, reason6, index6};
      {hp_m1_7, sp_m1_7} <= {hp_m1_6, sp_m1_6};
    end
  end

  // ---------------------------------------------------------------- S8
  logic wide_ovf8, mtu_gt8, ins_bad8, hb_neg8, sb_neg8;
  logic [15:0] ip_out_len8, plen8, pl8, esp_len8;
  logic [1:0] pad8;
  logic [63:0] hb_thr8, sb_thr8;
  logic [11:0] ins8, nhf8;
  logic final8, kind8, unsup8;
  logic [1:0] act8;
  logic [7:0] reason8;
  logic [15:0] index8;
  logic [31:0] hp_m1_8, sp_m1_8;
  always_ff @(posedge clk) begin
    if (en) begin
      wide_ovf8 <= ip_out_len_wide7[16];
      mtu_gt8 <= a7.path_mtu != 16'd0 && ip_out_len_wide7[15:0] > a7.path_mtu;
      ip_out_len8 <= ip_out_len_wide7[15:0];
      plen8 <= 16'(p7.l3_off) + ip_out_len_wide7[15:0];
      {pl8, esp_len8, pad8, ins_bad8, hb_neg8, sb_neg8, hb_thr8, sb_thr8, ins8, nhf8} <=
        {pl7, esp_len7, pad7, ins_bad7, hb_neg7, sb_neg7, hb_thr7, sb_thr7, ins7, nhf7};
      {final8, kind8, unsup8, act8, reason8, index8, hp_m1_8, sp_m1_8} <=
        {final7, kind7, unsup7, act7, reason7, index7, hp_m1_7, sp_m1_7};
    end
  end

  // ---------------------------------------------------------------- L
  wire [SA_INDEX_W-1:0] si8 = sai8[SA_INDEX_W-1:0];
  wire [63:0] seq_rd = st_seq[si8];
  wire [63:0] pkts_rd = st_pkts[si8];
  wire [63:0] bytes_rd = st_bytes[si8];
  wire [15:0] ipid_rd = st_ipid[si8];
  logic ovf9, dead9, soft_sent9, ovf_sent9, pk_hi9, pk_all1_9, hp_ge9, sp_ge9, hb_ge9, sb_ge9;
  logic [63:0] seq_inc9, pkts_inc9;
  logic [47:0] bytes_hi9, bytes_hi_inc9;
  logic [16:0] bytes_lo9;
  logic [15:0] ipid9, ipid_inc9;
  logic wide_ovf9, mtu_gt9, ins_bad9, hb_neg9, sb_neg9;
  logic [15:0] ip_out_len9, plen9, pl9, esp_len9;
  logic [1:0] pad9;
  logic [11:0] ins9, nhf9;
  logic final9, kind9, unsup9;
  logic [1:0] act9;
  logic [7:0] reason9;
  logic [15:0] index9;
  always_ff @(posedge clk) begin
    if (en) begin
      // seq_cur >= (esn ? 2^64 - 1 : 2^32 - 1)
      ovf9 <= a8.esn ? &seq_rd : (|seq_rd[63:32] || &seq_rd[31:0]);
      dead9 <= st_dead[si8];
      soft_sent9 <= st_soft_sent[si8];
      ovf_sent9 <= st_ovf_sent[si8];
      // pkts + 1 >= limit  <=>  pkts >= limit - 1 (limit != 0, pkts + 1 no wrap)
      pk_hi9 <= |pkts_rd[63:32];
      pk_all1_9 <= &pkts_rd;
      hp_ge9 <= aipsec_dp_pkg::ge64({32'd0, pkts_rd[31:0]}, {32'd0, hp_m1_8});
      sp_ge9 <= aipsec_dp_pkg::ge64({32'd0, pkts_rd[31:0]}, {32'd0, sp_m1_8});
      // bytes + pl >= limit  <=>  bytes >= limit - pl
      hb_ge9 <= aipsec_dp_pkg::ge64(bytes_rd, hb_thr8);
      sb_ge9 <= aipsec_dp_pkg::ge64(bytes_rd, sb_thr8);
      seq_inc9 <= aipsec_dp_pkg::inc64(seq_rd);
      pkts_inc9 <= aipsec_dp_pkg::inc64(pkts_rd);
      bytes_lo9 <= 17'(bytes_rd[15:0]) + 17'(pl8);
      bytes_hi9 <= bytes_rd[63:16];
      bytes_hi_inc9 <= 48'(aipsec_dp_pkg::inc64({16'd0, bytes_rd[63:16]}));
      ipid9 <= ipid_rd;
      ipid_inc9 <= inc16(ipid_rd);
      {wide_ovf9, mtu_gt9, ins_bad9, hb_neg9, sb_neg9, ip_out_len9, plen9, pl9, esp_len9, pad9, ins9, nhf9} <=
        {wide_ovf8, mtu_gt8, ins_bad8, hb_neg8, sb_neg8, ip_out_len8, plen8, pl8, esp_len8, pad8, ins8, nhf8};
      {final9, kind9, unsup9, act9, reason9, index9} <= {final8, kind8, unsup8, act8, reason8, index8};
    end
  end

  // ---------------------------------------------------------------- L2
  wire [SA_INDEX_W-1:0] si9 = sai9[SA_INDEX_W-1:0];
  wire tunnel9 = a9.mode == aipsec_regs_pkg::SA_CONTEXT_MODE_TUNNEL;
  wire [1:0] port = src9 ? aipsec_ob_pkg::PORT_HOST : aipsec_ob_pkg::PORT_PLAIN;
  wire too_big = wide_ovf9 || mtu_gt9;
  wire hard_now = (a9.hard_packets != 32'd0 && !pk_all1_9 && (pk_hi9 || hp_ge9)) ||
                  (a9.hard_bytes != 64'd0 && (hb_neg9 || hb_ge9));
  wire soft_now = (a9.soft_packets != 32'd0 && !pk_all1_9 && (pk_hi9 || sp_ge9)) ||
                  (a9.soft_bytes != 64'd0 && (sb_neg9 || sb_ge9));
  logic [1:0] act;
  logic [7:0] reason;
  logic kind;
  logic [15:0] index;
  logic want_evt;
  logic [7:0] evt_reason;
  always_comb begin
    act = act9;
    reason = reason9;
    kind = kind9;
    index = index9;
    want_evt = 1'b0;
    evt_reason = 8'd0;
    if (!final9) begin
      act = aipsec_ob_pkg::ACT_HOST;
      if (dead9) begin
        act = aipsec_ob_pkg::ACT_DROP;
        reason = aipsec_regs_pkg::REASON_LIFETIME_EXPIRED;
      end else if (unsup9) begin
        reason = aipsec_regs_pkg::REASON_UNSUPPORTED;
      end else if (ins_bad9) begin
        reason = aipsec_regs_pkg::REASON_EXT_HDR_LIMIT;
      end else if (ovf9) begin
        reason = aipsec_regs_pkg::REASON_SEQ_OVERFLOW;
        want_evt = !ovf_sent9;
        evt_reason = aipsec_regs_pkg::REASON_SEQ_OVERFLOW;
      end else if (too_big) begin
        reason = aipsec_regs_pkg::REASON_TOO_BIG;
      end else begin
        act = aipsec_ob_pkg::ACT_PROTECT;
        if (hard_now) begin
          want_evt = 1'b1;
          evt_reason = aipsec_regs_pkg::REASON_LIFETIME_EXPIRED;
        end else if (soft_now && !soft_sent9) begin
          want_evt = 1'b1;
          evt_reason = aipsec_regs_pkg::REASON_LIFETIME_SOFT;
        end
      end
    end
  end

  logic [63:0] tuser;
  always_comb begin
    if (act == aipsec_ob_pkg::ACT_PROTECT)
      tuser = aipsec_ob_pkg::meta(port, aipsec_ob_pkg::KIND_SA, 1'b0, 1'b0, 8'd0, sai9,
                                  plen9, p9.l3_off);
    else
      tuser = aipsec_ob_pkg::meta(port, kind, act == aipsec_ob_pkg::ACT_HOST, 1'b0, reason, index,
                                  d9.frame_len, p9.l3_off);
  end

  wire dec_go = v[9] && en;
  always_ff @(posedge clk) begin
    m_sa_cnt_valid <= 1'b0;
    m_drop_valid <= 1'b0;
    if (commit) begin
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
    if (dec_go) begin
      if (act == aipsec_ob_pkg::ACT_PROTECT) begin
        st_seq[si9] <= seq_inc9;
        if (tunnel9 && !a9.outer_ipv6) st_ipid[si9] <= ipid_inc9;
        st_pkts[si9] <= pkts_inc9;
        st_bytes[si9] <= {bytes_lo9[16] ? bytes_hi_inc9 : bytes_hi9, bytes_lo9[15:0]};
        if (hard_now) st_dead[si9] <= 1'b1;
        if (soft_now) st_soft_sent[si9] <= 1'b1;
        m_sa_cnt_valid <= 1'b1;
      end
      if (reason == aipsec_regs_pkg::REASON_SEQ_OVERFLOW) st_ovf_sent[si9] <= 1'b1;
      m_drop_valid <= reason != 8'd0;
    end
    if (rst) begin
      st_written <= '0;
      m_sa_cnt_valid <= 1'b0;
      m_drop_valid <= 1'b0;
    end
  end

  always_ff @(posedge clk) begin
    if (dec_go) begin
      m_sa_cnt_index <= si9;
      m_sa_cnt_bytes <= p9.l3_len;
      m_drop_reason <= reason;
    end
  end

  aipsec_ob_fifo #(.WIDTH(24), .DEPTH(4)) u_evt_fifo (
    .clk, .rst,
    .s_data({evt_reason, sai9}), .s_valid(dec_go && want_evt), .s_ready(evt_s_ready),
    .m_data({m_evt_reason, m_evt_index}), .m_valid(m_evt_valid), .m_ready(m_evt_ready));

  // ---- header build (a pipeline of its own)
  aipsec_ob_hdr_build u_build (
    .clk, .rst, .s_valid(v[9] && evt_s_ready), .s_ready(build_ready),
    .desc_hdr(d9.hdr), .parse(p9), .sa(a9), .settings(ctrl_settings),
    .seq(seq_inc9), .ipid(ipid9), .pl(pl9), .pad(pad9), .esp_len(esp_len9),
    .ip_out_len(ip_out_len9), .ins(ins9), .nhf(nhf9),
    .src(src9), .act(act), .tuser(tuser),
    .m_valid(m_cmd_valid), .m_ready(m_cmd_ready), .cmd(m_cmd));

endmodule

`default_nettype wire
