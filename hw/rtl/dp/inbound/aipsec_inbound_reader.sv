// Inbound reader: takes each frame's job in order and that frame's beats.
// A frame for decryption goes to the GCM input as the AAD block (SPI ||
// [seq_hi ||] seq_lo, RFC 4106 section 5) followed by the ciphertext (the
// byte ranges the packer packs densely), with its GCM parameters and the
// received ICV in their own FIFOs; any other frame, and a copy of a frame
// whose ICV failure is to be mirrored, goes whole to the side FIFO. The job
// moves on to the output stage in the same order. Jobs are taken (and their
// GCM parameters sent) into a two-entry queue ahead of their frames, so that
// a frame starts in the clock after the previous one's last beat.
//
// Pipelined to at most 6 LUT levels per stage: the queue's first entry
// forms the frame's byte offsets (ciphertext start, end, ICV end) one adder
// at a time; the FSM keeps them relative to the current beat (minus the bus
// width per beat), and what a beat needs (ciphertext range in it, last
// ciphertext beat, ICV bytes in it, ICV complete) is compared with constants
// one clock ahead, for the beat and for the one after it, and chosen when the
// beat goes. The ICV bytes are read as one rotation of the beat by the
// frame's constant ciphertext end modulo the bus width.
`default_nettype none

module aipsec_inbound_reader #(
  parameter int DATA_W = 128
) (
  input  wire logic              clk,
  input  wire logic              rst,

  input  wire aipsec_inbound_pkg::job_t s_job,
  input  wire logic              s_job_valid,
  output      logic              s_job_ready,

  input  wire logic [DATA_W-1:0] s_frame_tdata,
  input  wire logic [KW-1:0]     s_frame_tkeep,
  input  wire logic              s_frame_tlast,
  input  wire logic              s_frame_tvalid,
  output      logic              s_frame_tready,

  output      aipsec_inbound_pkg::job_t m_job,
  output      logic              m_job_valid,
  input  wire logic              m_job_ready,

  output      logic [DATA_W-1:0] m_side_tdata,
  output      logic [KW-1:0]     m_side_tkeep,
  output      logic              m_side_tlast,
  output      logic              m_side_tvalid,
  input  wire logic              m_side_tready,

  output      logic [DATA_W-1:0] m_ct_data,      // to the packer in front of gcm_core
  output      logic [OW-1:0]     m_ct_off,
  output      logic [OW:0]       m_ct_cnt,
  output      logic              m_ct_last,
  output      logic              m_ct_valid,
  input  wire logic              m_ct_ready,

  output      logic [255:0]      m_par_key,      // gcm_core per-packet parameters
  output      logic              m_par_key_256,
  output      logic [95:0]       m_par_nonce,
  output      logic [15:0]       m_par_aad_len,
  output      logic [4:0]        m_par_tag_len,
  output      logic              m_par_valid,
  input  wire logic              m_par_ready,

  output      logic [127:0]      m_tag,          // received ICV, byte 0 in [7:0]
  output      logic              m_tag_valid,
  input  wire logic              m_tag_ready
);
  localparam int KW = DATA_W / 8;
  localparam int OW = $clog2(KW);
  localparam int HB = aipsec_dp_pkg::HDR_BYTES;
  localparam int HW = $clog2(HB);
  localparam int HBITS = HB * 8;

  typedef enum logic [1:0] {S_IDLE, S_AAD, S_BODY} state_t;
  state_t state;

  // What the FSM needs of a job.
  typedef struct packed {
    logic          decrypt;
    logic          copy;
    logic [31:0]   spi;
    logic [63:0]   seq;
    logic          esn;
    logic [15:0]   text_len;
    logic [4:0]    icv_len;
  } fjob_t;

  // ---- job intake: the job and its GCM parameters go out as it is taken
  // into the queue (entry 1, then entry 2, which the FSM starts from).
  logic        n1_valid, n2_valid;
  fjob_t       n1_job, n2_job;
  logic [15:0] n1_cs, n1_cis;        // ciphertext start; + ICV length
  logic [15:0] n2_cs, n2_ce, n2_ie;  // ciphertext start, end, ICV end
  wire [5:0] icv16 = 6'(s_job.icv_len) + 6'd16;
  wire is_decrypt = s_job.kind == aipsec_inbound_pkg::JOB_DECRYPT;
  wire job_take = !n1_valid && s_job_valid && m_job_ready && (!is_decrypt || m_par_ready);
  assign s_job_ready = job_take;
  assign m_job = s_job;
  assign m_job_valid = !n1_valid && s_job_valid && (!is_decrypt || m_par_ready);

  logic [HB*8-1:0] hdr_rot;          // hdr from byte esp_off on (wrapping)
  always_comb begin
    hdr_rot = HBITS'({s_job.hdr, s_job.hdr} >> (8 * HW'(s_job.esp_off)));
    for (int i = 0; i < 32; i = i + 1) m_par_key[8*i +: 8] = s_job.key[255 - 8*i -: 8];
    m_par_key_256 = s_job.key_256;
    for (int i = 0; i < 4; i = i + 1) m_par_nonce[8*i +: 8] = s_job.salt[31 - 8*i -: 8];
    for (int i = 0; i < 8; i = i + 1) m_par_nonce[32 + 8*i +: 8] = hdr_rot[8*(8 + i) +: 8];
    m_par_aad_len = s_job.esn ? 16'd12 : 16'd8;
    m_par_tag_len = s_job.icv_len;
  end
  assign m_par_valid = !n1_valid && s_job_valid && is_decrypt && m_job_ready;

  // ---- per beat (registered one clock ahead): the ciphertext range and the
  // ICV bytes it holds, from the offsets relative to the beat (bpos).
  logic        decrypt, copy;        // this frame: to gcm_core, to the side FIFO
  /* verilator lint_off UNUSEDSIGNAL */  // the FSM's copy of the flags (taken from the queue)
  fjob_t       job;
  /* verilator lint_on UNUSEDSIGNAL */
  logic signed [16:0] rs, re, ri;    // ciphertext start, end, ICV end - bpos
  logic [OW-1:0] ce_lane, cs_neg;    // ciphertext end mod KW; -start mod KW
  logic        cs_lt_ce;             // ciphertext start < end
  logic        f_sb, f_ea, f_any, f_last, f_icv;
  logic [15:0] f_tmask;
  logic [127:0] tag;
  logic        tag_done;

  // Flags of the beat at bpos + off for offsets r* relative to bpos.
  function automatic logic [20:0] beat_flags(input logic signed [16:0] s, input logic signed [16:0] e,
                                             input logic signed [16:0] i, input int off,
                                             input logic [4:0] icv_len, input logic lt);
    logic sb, ea, any, last, icv;
    logic [15:0] tm;
    sb = s <= 17'(off);                                     // start at or before the beat
    ea = e >= 17'(KW + off);                                // end at or after its end
    any = lt && s < 17'(KW + off) && e > 17'(off);          // lo < hi
    last = e > 17'(off) && e <= 17'(KW + off);
    icv = i <= 17'(KW + off);
    for (int k = 0; k < 16; k = k + 1)
      tm[k] = e >= 17'(off - k) && e < 17'(KW + off - k) && k < 32'(icv_len);
    beat_flags = {sb, ea, any, last, icv, tm};
  endfunction

  wire [20:0] fl_now = beat_flags(rs, re, ri, 0, job.icv_len, cs_lt_ce);
  wire [20:0] fl_next = beat_flags(rs, re, ri, KW, job.icv_len, cs_lt_ce);

  logic [127:0] tag_next;
  logic [127:0] icv_bytes;           // beat byte (ce_lane + k) mod KW at byte k
  always_comb begin
    icv_bytes = 128'({s_frame_tdata, s_frame_tdata} >> (8 * ce_lane));
    for (int k = 0; k < 16; k = k + 1)
      tag_next[8*k +: 8] = f_tmask[k] ? icv_bytes[8*k +: 8] : tag[8*k +: 8];
  end

  wire to_ct = decrypt && (f_any || f_last);
  wire to_side = copy;
  wire to_tag = decrypt && !tag_done && f_icv;
  wire body = state == S_BODY && s_frame_tvalid;
  wire beat_go = body && (!to_ct || m_ct_ready) && (!to_side || m_side_tready) && (!to_tag || m_tag_ready);

  assign s_frame_tready = state == S_BODY && (!to_ct || m_ct_ready) && (!to_side || m_side_tready) &&
                          (!to_tag || m_tag_ready);

  assign m_side_tdata = s_frame_tdata;
  assign m_side_tkeep = s_frame_tkeep;
  assign m_side_tlast = s_frame_tlast;
  assign m_side_tvalid = body && to_side && (!to_ct || m_ct_ready) && (!to_tag || m_tag_ready);

  assign m_tag = tag_next;
  assign m_tag_valid = body && to_tag && (!to_ct || m_ct_ready) && (!to_side || m_side_tready);

  // The AAD block, then the ciphertext ranges.
  logic [127:0] aad;
  always_comb begin
    aad = '0;
    for (int i = 0; i < 4; i = i + 1) aad[8*i +: 8] = job.spi[31 - 8*i -: 8];
    for (int i = 0; i < 4; i = i + 1) begin
      if (job.esn) begin
        aad[32 + 8*i +: 8] = job.seq[63 - 8*i -: 8];
        aad[64 + 8*i +: 8] = job.seq[31 - 8*i -: 8];
      end else begin
        aad[32 + 8*i +: 8] = job.seq[31 - 8*i -: 8];
      end
    end
  end

  always_comb begin
    if (state == S_AAD) begin
      m_ct_data = '0;
      m_ct_data[127:0] = aad;
      m_ct_off = '0;
      m_ct_cnt = (OW+1)'(16);
      m_ct_last = 1'b0;
      m_ct_valid = 1'b1;
    end else begin
      m_ct_data = s_frame_tdata;
      m_ct_off = f_sb ? '0 : OW'(rs);
      // hi - lo: the range is the whole beat, its head, its tail or inside it
      if (!f_any) m_ct_cnt = '0;
      else if (f_sb) m_ct_cnt = f_ea ? (OW+1)'(KW) : (OW+1)'(ce_lane);
      else m_ct_cnt = f_ea ? (OW+1)'(cs_neg) : (OW+1)'(job.text_len);
      m_ct_last = f_last;
      m_ct_valid = body && to_ct && (!to_side || m_side_tready) && (!to_tag || m_tag_ready);
    end
  end

  // The FSM starts the next frame in S_IDLE, or at once after a last beat.
  wire start = n2_valid && (state == S_IDLE || (state == S_BODY && beat_go && s_frame_tlast));
  wire n1_move = n1_valid && (!n2_valid || start);

  always_ff @(posedge clk) begin
    if (rst) begin
      state <= S_IDLE;
      n1_valid <= 1'b0;
      n2_valid <= 1'b0;
    end else begin
      if (job_take) n1_valid <= 1'b1;
      else if (n1_move) n1_valid <= 1'b0;
      if (n1_move) n2_valid <= 1'b1;
      else if (start) n2_valid <= 1'b0;
      case (state)
        S_AAD: if (m_ct_ready) state <= S_BODY;
        S_BODY: if (beat_go && s_frame_tlast) state <= S_IDLE;
        default: state <= S_IDLE;
      endcase
      if (start) state <= n2_job.decrypt ? S_AAD : S_BODY;
    end
    if (job_take) begin
      n1_job.decrypt <= is_decrypt;
      n1_job.copy <= is_decrypt ? (s_job.mirror_icv_fail || s_job.mirror_replay) :
                     (s_job.kind != aipsec_inbound_pkg::JOB_DROP);
      n1_job.spi <= s_job.spi;
      n1_job.seq <= s_job.seq;
      n1_job.esn <= s_job.esn;
      n1_job.text_len <= s_job.text_len;
      n1_job.icv_len <= s_job.icv_len;
      n1_cs <= 16'(s_job.esp_off) + 16'd16;
      n1_cis <= 16'(s_job.esp_off) + 16'(icv16);
    end
    if (n1_move) begin
      n2_job <= n1_job;
      n2_cs <= n1_cs;
      n2_ce <= n1_cs + n1_job.text_len;
      n2_ie <= n1_cis + n1_job.text_len;
    end
    // the flags of the beat at bpos (in S_AAD: of the first beat)
    {f_sb, f_ea, f_any, f_last, f_icv, f_tmask} <= beat_go ? fl_next : fl_now;
    if (beat_go) begin
      rs <= rs - 17'(KW);
      re <= re - 17'(KW);
      ri <= ri - 17'(KW);
      tag <= tag_next;
      if (to_tag) tag_done <= 1'b1;
    end
    if (start) begin
      job <= n2_job;
      decrypt <= n2_job.decrypt;
      copy <= n2_job.copy;
      rs <= {1'b0, n2_cs};
      re <= {1'b0, n2_ce};
      ri <= {1'b0, n2_ie};
      ce_lane <= OW'(n2_ce);
      cs_neg <= OW'(-n2_cs);
      cs_lt_ce <= n2_cs < n2_ce;
      tag <= '0;
      tag_done <= 1'b0;
    end
  end
endmodule
