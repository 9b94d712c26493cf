// Inbound output stage: takes the jobs in order and, for each, the frame
// from the side FIFO or the plaintext from the buffer with its tail record.
// For a decrypted packet it decides the verdict in the software's order
// (host/src/xform/xform.cpp xform_input, esp.cpp esp_input, tunnel.cpp):
// hard lifetime, replay recheck against the committed window, ICV, window
// update, padding, dummy packet, next header, inner header, ECN (RFC 6040),
// selectors; then writes the decapsulated frame through a byte packer to the
// plain side, or drops / mirrors it, and emits the counter and SA events.
// It owns the SA live state (highest sequence number, replay memory, lifetime
// counts) and gives the classifier read access to it.
//
// Two stages, so that the verdict of a packet overlaps the output of the ones
// before it: the verdict stage (a job with its tail record and replay word in
// one register, decided in the next clock, one job per clock) and the mover
// (header and body beats, side FIFO frames, SA events), with a two-entry
// command FIFO between them. The verdict stage alone reads and writes the
// live state, in job order, so every verdict sees the state its predecessors
// left, as when the two were one.
`default_nettype none
/* verilator lint_off PINCONNECTEMPTY */  // FIFO fill counts are used where needed only

module aipsec_inbound_out #(
  parameter int DATA_W = 128,
  parameter int SA_COUNT = 64,
  parameter int REPLAY_WORDS = 8192
) (
  input  wire logic              clk,
  input  wire logic              rst,

  input  wire aipsec_inbound_pkg::job_t s_job,
  input  wire logic              s_job_valid,
  output      logic              s_job_ready,

  input  wire logic [DATA_W-1:0] s_side_tdata,
  input  wire logic [KW-1:0]     s_side_tkeep,
  input  wire logic              s_side_tlast,
  input  wire logic              s_side_tvalid,
  output      logic              s_side_tready,

  input  wire logic [DATA_W-1:0] s_buf_tdata,
  /* verilator lint_off UNUSEDSIGNAL */  // the body range is counted from the trailer, not the keep bits
  input  wire logic [KW-1:0]     s_buf_tkeep,
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire logic              s_buf_tlast,
  input  wire logic              s_buf_tvalid,
  output      logic              s_buf_tready,

  input  wire aipsec_inbound_pkg::tail_t s_tail,
  input  wire logic              s_tail_valid,
  output      logic              s_tail_ready,

  // SA writes reset the live state
  input  wire logic              sa_wr,
  input  wire logic [SW-1:0]     sa_wr_index,
  input  wire logic [63:0]       sa_wr_seq,

  // classifier's read access
  input  wire logic [SW-1:0]     rd_index,
  output      logic [63:0]       rd_top,
  output      logic              rd_dead,
  output      logic [aipsec_inbound_pkg::EPOCH_W-1:0] rd_epoch,
  /* verilator lint_off UNUSEDSIGNAL */  // addresses past REPLAY_WORDS are the host's error
  input  wire logic [15:0]       rd_word_addr,
  /* verilator lint_on UNUSEDSIGNAL */
  output      logic [aipsec_inbound_pkg::RWORD_W-1:0] rd_word,   // one clock after the address

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

  output      logic              m_sa_cnt_valid,
  output      logic [SW-1:0]     m_sa_cnt_index,
  output      logic [15:0]       m_sa_cnt_bytes,
  output      logic              m_drop_valid,
  output      logic [7:0]        m_drop_reason
);
  localparam int KW = DATA_W / 8;
  localparam int OW = $clog2(KW);
  localparam int SW = $clog2(SA_COUNT);
  localparam int RW = aipsec_inbound_pkg::RWORD_W;
  localparam int EW = aipsec_inbound_pkg::EPOCH_W;
  localparam int HB = aipsec_dp_pkg::HDR_BYTES;
  localparam int CAP = aipsec_inbound_pkg::CAP_BYTES;
  localparam int RAW = $clog2(REPLAY_WORDS);

  // ---------------------------------------------------------------- live state
  logic [63:0] top_mem [0:SA_COUNT-1];
  logic [EW-1:0] epoch_mem [0:SA_COUNT-1];
  logic [SA_COUNT-1:0] dead_mem, soft_sent_mem;
  logic [63:0] pkts_mem [0:SA_COUNT-1];
  logic [63:0] bytes_mem [0:SA_COUNT-1];
  logic [RW-1:0] replay_mem [0:REPLAY_WORDS-1];

  assign rd_top = top_mem[rd_index];
  assign rd_dead = dead_mem[rd_index];
  assign rd_epoch = epoch_mem[rd_index];
  always_ff @(posedge clk) rd_word <= replay_mem[RAW'(rd_word_addr)];

  // ---------------------------------------------------------------- helpers
  function automatic logic [15:0] be16(input logic [CAP*8-1:0] b, input int i);
    be16 = {b[8*i +: 8], b[8*(i+1) +: 8]};
  endfunction

  // One's complement checksum of n bytes (even, <= 60) of b, the field at
  // bytes 10..11 taken as zero.
  function automatic logic [15:0] ip4_csum(input logic [CAP*8-1:0] b, input int n);
    logic [21:0] s;
    s = '0;
    for (int i = 0; i < 60; i = i + 2) begin
      if (i < n && i != 10) s = s + 22'(be16(b, i));
    end
    s = 22'(s[15:0]) + 22'(s[21:16]);
    s = 22'(s[15:0]) + 22'(s[21:16]);
    ip4_csum = ~s[15:0];
  endfunction

  function automatic logic prefix_ok(input logic [127:0] a, input logic [127:0] p, input logic [7:0] plen,
                                     input logic v6);
    logic [127:0] m;
    int bits;
    bits = v6 ? 128 : 32;
    m = '0;
    for (int i = 0; i < 128; i = i + 1) begin
      if (i < bits && (bits - 1 - i) < 32'(plen)) m[i] = 1'b1;
    end
    prefix_ok = (a & m) == (p & m);
  endfunction

  // ---------------------------------------------------------------- stages
  typedef enum logic [3:0] {
    O_IDLE, O_HDR, O_BODY, O_SIDE_PACK, O_SIDE_HOST, O_SIDE_DROP, O_EVENT
  } ostate_t;

  // What the mover does with one packet (made by the verdict stage).
  typedef struct packed {
    ostate_t         first;        // O_HDR, O_BODY (a rejected packet's buffer), O_SIDE_*
    logic [HB*8-1:0] hdr;
    logic [7:0]      hdr_len;
    logic [15:0]     body_lo, body_hi;
    logic            body_done;
    logic            mirror_copy;  // the side FIFO holds a copy of this frame
    logic            fwd_copy;     // and it goes to the host
    logic [63:0]     host_tuser;
    logic [1:0]      ev_pending;   // bit 0: lifetime_soft, bit 1: lifetime_expired
    logic [63:0]     ev_tuser;
  } cmd_t;

  // Verdict stage register: the job, its tail record, its replay word.
  logic        d_valid;
  /* verilator lint_off UNUSEDSIGNAL */  // the job carries fields for other stages
  aipsec_inbound_pkg::job_t job;
  /* verilator lint_on UNUSEDSIGNAL */
  aipsec_inbound_pkg::tail_t tl;
  wire [SW-1:0] sa = SW'(job.sa_idx);
  logic [RW-1:0]  word_rd;       // replay word read when the job was taken
  logic [RAW-1:0] addr_rd;
  // The last replay word written: a job taken in the clock of that write read
  // the memory before it.
  logic           fw_valid;
  logic [RAW-1:0] fw_addr;
  logic [RW-1:0]  fw_word;
  wire [RW-1:0] word_b = (fw_valid && fw_addr == addr_rd) ? fw_word : word_rd;

  // Mover state
  ostate_t st;
  logic        mirror_copy;
  logic        fwd_copy;
  logic [HB*8+DATA_W-1:0] ohdr;
  logic [7:0]  ohdr_len;
  logic [7:0]  hpos;             // next header byte to emit
  logic [15:0] body_lo, body_hi; // plaintext stream range of the body
  logic [15:0] bpos;             // stream offset of the current buffer beat
  logic        body_done;
  logic [63:0] host_tuser;
  logic [1:0]  ev_pending;
  logic [63:0] ev_tuser;

  // packet meta helpers (bit 6 is the event flag)
  function automatic logic [63:0] meta(input logic [1:0] port, input logic exc, input logic mir,
                                       input logic evt, input logic [7:0] reason, input logic [15:0] index,
                                       input logic [15:0] len, input logic [7:0] l3);
    meta = '0;
    meta[0] = 1'b1;
    meta[2:1] = port;
    meta[3] = 1'b0;
    meta[4] = exc;
    meta[5] = mir;
    meta[6] = evt;
    meta[15:8] = reason;
    meta[31:16] = index;
    meta[47:32] = len;
    meta[55:48] = l3;
  endfunction
  wire [1:0] in_port = job.tuser[2:1];
  // A replay found by the classifier against the window as it was then: the
  // window may have moved on since (packets ahead of it verified), and the
  // software, which sees the packets one at a time, says replay_old then.
  wire [7:0] d_reason = (job.reason == aipsec_regs_pkg::REASON_REPLAY &&
                         top_mem[sa] - job.seq >= 64'(job.replay_window))
                        ? aipsec_regs_pkg::REASON_REPLAY_OLD : job.reason;

  // ------------------------------------------------ the verdict of a decrypted packet
  logic [7:0]  v_reason;
  logic        v_update, v_account;
  logic [RW-1:0] v_word;
  logic [63:0] v_top;
  logic [HB*8-1:0] v_hdr;
  logic [7:0]  v_hdr_len;
  logic [15:0] v_body_lo, v_body_hi, v_ip_len;

  logic [15:0] plain_len;
  logic [7:0]  pad, nh, ver;
  logic [CAP*8-1:0] ih;          // inner (tunnel) header, patched
  logic [15:0] in_total;
  logic [7:0]  in_hl, in_proto;
  logic [127:0] in_src, in_dst;
  logic [15:0] in_sport, in_dport;
  logic        in_v6;
  logic [1:0]  o_ecn, i_ecn, n_ecn;
  /* verilator lint_off UNUSEDSIGNAL */  // DSCP bits: only ECN is used
  logic [7:0]  otos;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [7:0]  l3;
  logic [CAP*8-1:0] oh;          // outer IP header (transport), aligned
  logic [63:0] pk_new, by_new;

  always_comb begin
    l3 = {3'd0, job.l3_off[4:0]};
    pad = tl.pad_len;
    nh = tl.next_hdr;
    plain_len = job.text_len - 16'(pad) - 16'd2;
    v_reason = aipsec_regs_pkg::REASON_NONE;
    v_update = 1'b0;
    v_account = 1'b0;
    v_top = top_mem[sa];
    v_word = word_b;
    v_hdr = job.hdr;
    v_hdr_len = 8'd0;
    v_body_lo = 16'd16;
    v_body_hi = 16'd16;
    v_ip_len = 16'd0;
    ih = tl.head;
    in_total = 16'd0;
    in_hl = 8'd0;
    in_proto = 8'd0;
    in_src = '0;
    in_dst = '0;
    in_sport = 16'd0;
    in_dport = 16'd0;
    in_v6 = 1'b0;
    o_ecn = 2'd0;
    i_ecn = 2'd0;
    n_ecn = 2'd0;
    otos = 8'd0;
    oh = '0;
    ver = {4'd0, tl.head[7:4]};
    for (int i = 0; i < CAP; i = i + 1) oh[8*i +: 8] = job.hdr[8*(32'(l3) + i) +: 8];

    if (dead_mem[sa]) begin
      v_reason = aipsec_regs_pkg::REASON_LIFETIME_EXPIRED;
    end else begin
      v_reason = aipsec_inbound_pkg::replay_check(job.replay_window, top_mem[sa], job.seq,
                                                  epoch_mem[sa], word_b);
      if (v_reason == aipsec_regs_pkg::REASON_NONE && !tl.tag_ok) v_reason = aipsec_regs_pkg::REASON_ICV_FAIL;
    end
    if (v_reason == aipsec_regs_pkg::REASON_NONE) begin
      // RFC 4303 3.4.3: the window moves only for a packet whose ICV verified.
      v_update = 1'b1;
      if (job.seq > top_mem[sa]) v_top = job.seq;
      if (word_b[RW-1:64] == {epoch_mem[sa], job.seq[63:6]}) v_word = word_b;
      else v_word = {epoch_mem[sa], job.seq[63:6], 64'd0};
      v_word[{2'b00, job.seq[5:0]}] = 1'b1;

      if (16'(pad) + 16'd2 > job.text_len) v_reason = aipsec_regs_pkg::REASON_BAD_PADDING;
      else if (pad != 8'd0 && job.pad_mode == 2'd0 && !(tl.pad_last == pad && tl.seq_run >= 10'(pad) - 10'd1))
        v_reason = aipsec_regs_pkg::REASON_BAD_PADDING;
      else if (pad != 8'd0 && job.pad_mode == 2'd1 && !(tl.zero_run >= 10'(pad)))
        v_reason = aipsec_regs_pkg::REASON_BAD_PADDING;
      else if (nh == 8'd59) v_reason = aipsec_regs_pkg::REASON_DUMMY_PACKET;
      else if (job.tunnel && nh != 8'd4 && nh != 8'd41) v_reason = aipsec_regs_pkg::REASON_BAD_NEXT_HEADER;
      else if (job.tunnel) begin
        // Inner datagram, checked as read_ip_header checks it.
        if (ver == 8'd4) begin
          in_hl = {2'b00, tl.head[3:0], 2'b00};
          in_total = be16(tl.head, 2);
          in_proto = tl.head[8*9 +: 8];
          in_src = {96'd0, tl.head[8*12 +: 8], tl.head[8*13 +: 8], tl.head[8*14 +: 8], tl.head[8*15 +: 8]};
          in_dst = {96'd0, tl.head[8*16 +: 8], tl.head[8*17 +: 8], tl.head[8*18 +: 8], tl.head[8*19 +: 8]};
          // the order of the software's parse_ipv4
          if (plain_len < 16'd20) v_reason = aipsec_regs_pkg::REASON_TRUNCATED;
          else if (in_hl < 8'd20) v_reason = aipsec_regs_pkg::REASON_MALFORMED_IP;
          else if (16'(in_hl) > plain_len) v_reason = aipsec_regs_pkg::REASON_TRUNCATED;
          else if (in_total < 16'(in_hl)) v_reason = aipsec_regs_pkg::REASON_MALFORMED_IP;
          else if (in_total > plain_len) v_reason = aipsec_regs_pkg::REASON_TRUNCATED;
          else if (ip4_csum(tl.head, 32'(in_hl)) != be16(tl.head, 10)) v_reason = aipsec_regs_pkg::REASON_BAD_IP_CHECKSUM;
          i_ecn = tl.head[9:8];
        end else if (ver == 8'd6) begin
          in_v6 = 1'b1;
          in_hl = 8'd40;
          in_total = be16(tl.head, 4) + 16'd40;
          in_proto = tl.head[8*6 +: 8];
          for (int i = 0; i < 16; i = i + 1) begin
            in_src[127 - 8*i -: 8] = tl.head[8*(8 + i) +: 8];
            in_dst[127 - 8*i -: 8] = tl.head[8*(24 + i) +: 8];
          end
          if (plain_len < 16'd40 || in_total > plain_len) v_reason = aipsec_regs_pkg::REASON_TRUNCATED;
          i_ecn = tl.head[13:12];
        end else begin
          v_reason = aipsec_regs_pkg::REASON_MALFORMED_IP;
        end
        if (in_proto == 8'd6 || in_proto == 8'd17 || in_proto == 8'd132) begin
          in_sport = in_v6 ? be16(tl.head, 40) : be16(tl.head, 32'(in_hl));
          in_dport = in_v6 ? be16(tl.head, 42) : be16(tl.head, 32'(in_hl) + 2);
        end
        // RFC 6040 4.2 (tunnel.cpp combine_ecn)
        otos = job.ipv6 ? {job.hdr[8*32'(l3) +: 4], job.hdr[8*(32'(l3) + 1) + 4 +: 4]}
                        : job.hdr[8*(32'(l3) + 1) +: 8];
        o_ecn = otos[1:0];
        n_ecn = i_ecn;
        if (o_ecn == 2'd3) n_ecn = 2'd3;
        else if (o_ecn == 2'd1 && i_ecn == 2'd2) n_ecn = 2'd1;
        if (v_reason == aipsec_regs_pkg::REASON_NONE && job.ecn) begin
          if (o_ecn == 2'd3 && i_ecn == 2'd0) v_reason = aipsec_regs_pkg::REASON_ECN_CE_NOT_ECT;
          else if (n_ecn != i_ecn) begin
            if (in_v6) ih[13:12] = n_ecn;
            else begin
              ih[9:8] = n_ecn;
              ih[8*10 +: 8] = 8'd0;
              ih[8*11 +: 8] = 8'd0;
              {ih[8*10 +: 8], ih[8*11 +: 8]} = ip4_csum(ih, 32'(in_hl));
            end
          end
        end
        // Ethernet header (ethertype of the inner family) + inner header from ih.
        v_hdr = '0;
        for (int i = 0; i < HB; i = i + 1) begin
          if (i < 32'(l3)) v_hdr[8*i +: 8] = job.hdr[8*i +: 8];
          else if (i - 32'(l3) < CAP) v_hdr[8*i +: 8] = ih[8*(i - 32'(l3)) +: 8];
        end
        v_hdr[8*(32'(l3) - 2) +: 8] = in_v6 ? 8'h86 : 8'h08;
        v_hdr[8*(32'(l3) - 1) +: 8] = in_v6 ? 8'hdd : 8'h00;
        v_hdr_len = l3 + in_hl;
        v_body_lo = 16'd16 + 16'(in_hl);
        v_body_hi = 16'd16 + in_total;
        v_ip_len = in_total;
      end else begin
        // Transport: the outer header with the next header restored and the
        // lengths (and the IPv4 checksum) fixed (fix_ip_lengths).
        in_v6 = job.ipv6;
        in_src = job.src;
        in_dst = job.dst;
        in_proto = nh;
        if (nh == 8'd6 || nh == 8'd17 || nh == 8'd132) begin
          in_sport = be16(tl.head, 0);
          in_dport = be16(tl.head, 2);
        end
        v_ip_len = 16'(job.l3_hdr_len) + plain_len;
        v_hdr[8*32'(job.nh_off[6:0]) +: 8] = nh;
        if (job.ipv6) begin
          {v_hdr[8*(32'(l3) + 4) +: 8], v_hdr[8*(32'(l3) + 5) +: 8]} = v_ip_len - 16'd40;
        end else begin
          for (int i = 0; i < CAP; i = i + 1) oh[8*i +: 8] = v_hdr[8*(32'(l3) + i) +: 8];
          {oh[8*2 +: 8], oh[8*3 +: 8]} = v_ip_len;
          {oh[8*10 +: 8], oh[8*11 +: 8]} = ip4_csum(oh, 32'(job.l3_hdr_len));
          for (int i = 0; i < 12; i = i + 1) v_hdr[8*(32'(l3) + i) +: 8] = oh[8*i +: 8];
        end
        v_hdr_len = l3 + job.l3_hdr_len;
        v_body_lo = 16'd16;
        v_body_hi = 16'd16 + plain_len;
      end
      // Selectors (sa.sel_check): inner family, prefixes, protocol, ports.
      if (v_reason == aipsec_regs_pkg::REASON_NONE && job.sel_check) begin
        if (in_v6 != job.sel_ipv6 ||
            !prefix_ok(in_src, job.sel_src, job.sel_src_plen, in_v6) ||
            !prefix_ok(in_dst, job.sel_dst, job.sel_dst_plen, in_v6) ||
            (job.sel_proto != 8'd255 && job.sel_proto != in_proto) ||
            (job.sel_sport != 16'd0 && job.sel_sport != in_sport) ||
            (job.sel_dport != 16'd0 && job.sel_dport != in_dport))
          v_reason = aipsec_regs_pkg::REASON_SELECTOR_MISMATCH;
      end
      v_account = v_reason == aipsec_regs_pkg::REASON_NONE || v_reason == aipsec_regs_pkg::REASON_DUMMY_PACKET;
    end
    pk_new = pkts_mem[sa] + 64'd1;
    by_new = bytes_mem[sa] + 64'(job.esp_len);
  end

  wire hard_hit = (job.hard_packets != 32'd0 && pk_new >= 64'(job.hard_packets)) ||
                  (job.hard_bytes != 64'd0 && by_new >= job.hard_bytes);
  wire soft_hit = (job.soft_packets != 32'd0 && pk_new >= 64'(job.soft_packets)) ||
                  (job.soft_bytes != 64'd0 && by_new >= job.soft_bytes);

  // ------------------------------------------------ output packer (plain side)
  logic [DATA_W-1:0] pk_data;
  logic [OW-1:0] pk_off;
  logic [OW:0] pk_cnt;
  logic pk_last, pk_valid, pk_ready;
  logic [63:0] tu_in;
  logic tu_push, tu_ready;
  logic [63:0] tu_head;
  /* verilator lint_off UNUSEDSIGNAL */  // a packet's meta is always queued before its first beat
  logic tu_valid;
  /* verilator lint_on UNUSEDSIGNAL */

  aipsec_byte_packer #(.DATA_W(DATA_W)) u_pack (
    .clk, .rst, .s_data(pk_data), .s_off(pk_off), .s_cnt(pk_cnt), .s_last(pk_last),
    .s_valid(pk_valid), .s_ready(pk_ready), .m_data(m_axis_tdata), .m_keep(m_axis_tkeep),
    .m_last(m_axis_tlast), .m_valid(m_axis_tvalid), .m_ready(m_axis_tready));

  aipsec_inbound_fifo #(.WIDTH(64), .DEPTH(8)) u_tuser (
    .clk, .rst, .s_data(tu_in), .s_valid(tu_push), .s_ready(tu_ready),
    .m_data(tu_head), .m_valid(tu_valid), .m_ready(m_axis_tvalid && m_axis_tready && m_axis_tlast),
    .count());
  assign m_axis_tuser = tu_head;

  // ------------------------------------------------ data movement per state
  logic [KW:0] side_cnt;
  always_comb begin
    side_cnt = '0;
    for (int j = 0; j < KW; j = j + 1) side_cnt = side_cnt + (KW+1)'(s_side_tkeep[j]);
  end
  wire [15:0] bend = bpos + 16'(KW);
  wire [15:0] lo = body_lo > bpos ? body_lo : bpos;
  wire [15:0] hi = body_hi < bend ? body_hi : bend;
  wire b_any = !body_done && lo < hi;
  wire b_last = !body_done && body_hi > bpos && body_hi <= bend;
  wire [7:0] hrem = ohdr_len - hpos;
  wire h_last_beat = hrem <= 8'(KW);
  wire body_empty = body_hi <= body_lo;

  always_comb begin
    pk_data = s_side_tdata;
    pk_off = '0;
    pk_cnt = (OW+1)'(side_cnt);
    pk_last = s_side_tlast;
    pk_valid = 1'b0;
    s_side_tready = 1'b0;
    s_buf_tready = 1'b0;
    m_host_tdata = s_side_tdata;
    m_host_tkeep = s_side_tkeep;
    m_host_tlast = s_side_tlast;
    m_host_tuser = host_tuser;
    m_host_tvalid = 1'b0;
    case (st)
      O_SIDE_PACK: begin
        pk_valid = s_side_tvalid;
        s_side_tready = pk_ready;
      end
      O_SIDE_HOST: begin
        m_host_tvalid = s_side_tvalid;
        s_side_tready = m_host_tready;
      end
      O_SIDE_DROP: s_side_tready = 1'b1;
      O_HDR: begin
        pk_data = ohdr[8*32'(hpos) +: DATA_W];
        pk_cnt = h_last_beat ? (OW+1)'(hrem) : (OW+1)'(KW);
        pk_last = h_last_beat && body_empty;
        pk_valid = 1'b1;
      end
      O_BODY: begin
        pk_data = s_buf_tdata;
        pk_off = OW'(lo - bpos);
        pk_cnt = b_any ? (OW+1)'(hi - lo) : '0;
        pk_last = b_last;
        pk_valid = s_buf_tvalid && (b_any || b_last);
        s_buf_tready = (b_any || b_last) ? pk_ready : 1'b1;
      end
      O_EVENT: begin
        m_host_tdata = '0;
        m_host_tkeep = '0;
        m_host_tlast = 1'b1;
        m_host_tuser = ev_tuser;
        m_host_tvalid = 1'b1;
      end
      default: ;
    endcase
  end

  // ------------------------------------------------ verdict stage
  wire is_decrypt = job.kind == aipsec_inbound_pkg::JOB_DECRYPT;
  wire is_pass = job.kind == aipsec_inbound_pkg::JOB_PASS;
  wire is_host = job.kind == aipsec_inbound_pkg::JOB_HOST || job.kind == aipsec_inbound_pkg::JOB_MIRROR;
  wire [63:0] idx_kind = 64'(job.idx_valid && job.idx_flow) << aipsec_regs_pkg::PACKET_META_INDEX_KIND_LSB;
  logic cmd_ready, cmd_valid, cmd_pop;
  cmd_t cmd_in, cmd_out;
  // A job is decided when the meta FIFO and the command FIFO have room for
  // what it makes (both report room from their counts only).
  wire d_fire = d_valid && tu_ready && cmd_ready;
  wire s_is_decrypt = s_job.kind == aipsec_inbound_pkg::JOB_DECRYPT;
  wire d_load = (!d_valid || d_fire) && s_job_valid && (!s_is_decrypt || s_tail_valid);
  assign s_job_ready = d_load;
  assign s_tail_ready = d_load && s_is_decrypt;
  wire [RAW-1:0] s_addr = RAW'(aipsec_inbound_pkg::replay_addr(s_job.replay_base, s_job.replay_window, s_job.seq));
  wire [RAW-1:0] d_addr = RAW'(aipsec_inbound_pkg::replay_addr(job.replay_base, job.replay_window, job.seq));

  // A frame passed by an inbound flow entry names the entry (index_kind flow), as outbound.
  assign tu_in = is_pass ? (meta(in_port, 1'b0, 1'b0, 1'b0, 8'd0, job.idx_valid ? job.sa_idx : 16'd0,
                                 job.frame_len, job.l3_off) | idx_kind)
                         : meta(in_port, 1'b0, 1'b0, 1'b0, 8'd0, job.sa_idx,
                                16'(v_hdr_len) + v_body_hi - v_body_lo, l3);
  assign tu_push = d_fire && (is_pass || (is_decrypt && v_reason == aipsec_regs_pkg::REASON_NONE));

  wire cmd_push = d_fire && (is_decrypt || is_pass || is_host);
  always_comb begin
    cmd_in = '0;
    cmd_in.hdr = v_hdr;
    cmd_in.hdr_len = v_hdr_len;
    cmd_in.body_lo = v_body_lo;
    cmd_in.body_hi = v_body_hi;
    cmd_in.ev_tuser = meta(in_port, 1'b0, 1'b0, 1'b1, aipsec_regs_pkg::REASON_LIFETIME_SOFT, job.sa_idx, 16'd0, 8'd0);
    if (is_decrypt) begin
      cmd_in.first = v_reason == aipsec_regs_pkg::REASON_NONE ? O_HDR : O_BODY;
      cmd_in.body_done = v_reason != aipsec_regs_pkg::REASON_NONE;
      cmd_in.mirror_copy = job.mirror_icv_fail || job.mirror_replay;
      cmd_in.fwd_copy = (job.mirror_icv_fail || job.mirror_replay) &&
                        ((v_reason == aipsec_regs_pkg::REASON_ICV_FAIL && job.mirror_icv_fail) ||
                         ((v_reason == aipsec_regs_pkg::REASON_REPLAY || v_reason == aipsec_regs_pkg::REASON_REPLAY_OLD) &&
                          job.mirror_replay));
      cmd_in.host_tuser = meta(in_port, 1'b0, 1'b1, 1'b0, v_reason, job.sa_idx, job.frame_len, l3);
      if (v_account) begin
        if (hard_hit) begin
          cmd_in.ev_pending = 2'b10;
          cmd_in.ev_tuser = meta(in_port, 1'b0, 1'b0, 1'b1, aipsec_regs_pkg::REASON_LIFETIME_EXPIRED, job.sa_idx, 16'd0, 8'd0);
        end else if (soft_hit && !soft_sent_mem[sa]) begin
          cmd_in.ev_pending = 2'b01;
        end
      end
    end else begin
      cmd_in.first = is_pass ? O_SIDE_PACK : O_SIDE_HOST;
      cmd_in.host_tuser = meta(in_port, job.kind == aipsec_inbound_pkg::JOB_HOST,
                               job.kind == aipsec_inbound_pkg::JOB_MIRROR, 1'b0, d_reason,
                               job.idx_valid ? job.sa_idx : 16'd0, job.frame_len, job.l3_off) | idx_kind;
    end
  end

  aipsec_inbound_fifo #(.WIDTH($bits(cmd_in)), .DEPTH(2)) u_cmd (
    .clk, .rst, .s_data(cmd_in), .s_valid(cmd_push), .s_ready(cmd_ready),
    .m_data(cmd_out), .m_valid(cmd_valid), .m_ready(cmd_pop), .count());

  wire pk_take = pk_valid && pk_ready;

  always_ff @(posedge clk) begin
    m_sa_cnt_valid <= 1'b0;
    m_drop_valid <= 1'b0;
    if (rst) begin
      d_valid <= 1'b0;
      fw_valid <= 1'b0;
      // The other live state of an entry is set by its SA write, which comes
      // before any packet can find the entry.
      dead_mem <= '0;
      soft_sent_mem <= '0;
    end else begin
      if (d_fire) d_valid <= 1'b0;
      if (d_load) begin
        d_valid <= 1'b1;
        job <= s_job;
        if (s_is_decrypt) tl <= s_tail;
        word_rd <= replay_mem[s_addr];
        addr_rd <= s_addr;
      end
      if (d_fire && is_decrypt) begin
        if (v_update) begin
          top_mem[sa] <= v_top;
          if (job.replay_window != 16'd0) begin
            replay_mem[d_addr] <= v_word;
            fw_valid <= 1'b1;
            fw_addr <= d_addr;
            fw_word <= v_word;
          end
        end
        if (v_reason != aipsec_regs_pkg::REASON_NONE) begin
          m_drop_valid <= 1'b1;
          m_drop_reason <= v_reason;
        end else begin
          m_sa_cnt_valid <= 1'b1;
          m_sa_cnt_index <= sa;
          m_sa_cnt_bytes <= v_ip_len;
        end
        if (v_account) begin
          pkts_mem[sa] <= pk_new;
          bytes_mem[sa] <= by_new;
          if (hard_hit) dead_mem[sa] <= 1'b1;
          else if (soft_hit && !soft_sent_mem[sa]) soft_sent_mem[sa] <= 1'b1;
        end
      end
      if (d_fire && !is_decrypt && !is_pass && job.reason != 8'd0) begin
        m_drop_valid <= 1'b1;
        m_drop_reason <= d_reason;
      end
      // An SA write resets its live state (dp_ports.md); the new epoch hides
      // the words of its old window.
      if (sa_wr) begin
        top_mem[sa_wr_index] <= sa_wr_seq;
        epoch_mem[sa_wr_index] <= epoch_mem[sa_wr_index] + 1'b1;
        dead_mem[sa_wr_index] <= 1'b0;
        soft_sent_mem[sa_wr_index] <= 1'b0;
        pkts_mem[sa_wr_index] <= '0;
        bytes_mem[sa_wr_index] <= '0;
      end
    end
  end

  // ------------------------------------------------ mover
  // The mover takes the next command in the clock its packet ends, so that
  // packets follow one another without an idle clock.
  logic mv_done;
  always_comb begin
    case (st)
      O_IDLE: mv_done = 1'b1;
      O_BODY: mv_done = s_buf_tvalid && s_buf_tready && s_buf_tlast && !mirror_copy && ev_pending == 2'b00;
      O_SIDE_PACK, O_SIDE_HOST, O_SIDE_DROP:
        mv_done = s_side_tvalid && s_side_tready && s_side_tlast && ev_pending == 2'b00;
      O_EVENT: mv_done = m_host_tready;
      default: mv_done = 1'b0;
    endcase
  end
  assign cmd_pop = mv_done && cmd_valid;

  always_ff @(posedge clk) begin
    if (rst) begin
      st <= O_IDLE;
      ev_pending <= '0;
    end else begin
      case (st)
        O_HDR: if (pk_take) begin
          hpos <= hpos + 8'(KW);
          if (h_last_beat) st <= O_BODY;
        end
        O_BODY: if (s_buf_tvalid && s_buf_tready) begin
          bpos <= bend;
          if (b_last) body_done <= 1'b1;
          if (s_buf_tlast) begin
            if (mirror_copy) st <= fwd_copy ? O_SIDE_HOST : O_SIDE_DROP;
            else st <= ev_pending != 2'b00 ? O_EVENT : O_IDLE;
          end
        end
        O_SIDE_PACK, O_SIDE_HOST, O_SIDE_DROP: if (s_side_tvalid && s_side_tready && s_side_tlast) begin
          mirror_copy <= 1'b0;
          st <= ev_pending != 2'b00 ? O_EVENT : O_IDLE;
        end
        O_EVENT: if (m_host_tready) begin
          ev_pending <= '0;
          st <= O_IDLE;
        end
        default: st <= O_IDLE;
      endcase
      if (cmd_pop) begin
        st <= cmd_out.first;
        ohdr <= {{DATA_W{1'b0}}, cmd_out.hdr};
        ohdr_len <= cmd_out.hdr_len;
        body_lo <= cmd_out.body_lo;
        body_hi <= cmd_out.body_hi;
        hpos <= '0;
        bpos <= '0;
        body_done <= cmd_out.body_done;
        mirror_copy <= cmd_out.mirror_copy;
        fwd_copy <= cmd_out.fwd_copy;
        host_tuser <= cmd_out.host_tuser;
        ev_pending <= cmd_out.ev_pending;
        ev_tuser <= cmd_out.ev_tuser;
      end
    end
  end
endmodule
