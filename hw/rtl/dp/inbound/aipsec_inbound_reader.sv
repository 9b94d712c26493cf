// Inbound reader: takes each frame's job in order and that frame's beats.
// A frame for decryption goes to the GCM input as the AAD block (SPI ||
// [seq_hi ||] seq_lo, RFC 4106 section 5) followed by the ciphertext (the
// byte ranges the packer packs densely), with its GCM parameters and the
// received ICV in their own FIFOs; any other frame, and a copy of a frame
// whose ICV failure is to be mirrored, goes whole to the side FIFO. The job
// moves on to the output stage in the same order. Jobs are taken into a
// one-entry register ahead of their frames, so that a frame starts in the
// clock after the previous one's last beat.
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

  typedef enum logic [1:0] {S_IDLE, S_AAD, S_BODY} state_t;
  state_t state;
  /* verilator lint_off UNUSEDSIGNAL */  // the job carries fields for other stages
  aipsec_inbound_pkg::job_t job;
  /* verilator lint_on UNUSEDSIGNAL */
  logic        decrypt, copy;       // this frame: to gcm_core, to the side FIFO
  logic [15:0] bpos;                // frame offset of the current beat
  logic [127:0] tag;
  logic        tag_done;

  wire [15:0] ct_start = 16'(job.esp_off) + 16'd16;
  wire [15:0] ct_end = ct_start + job.text_len;
  wire [15:0] icv_end = ct_end + 16'(job.icv_len);
  wire [15:0] bend = bpos + 16'(KW);

  // ---- job intake (the next job, with its GCM parameters sent)
  logic        n_valid;
  /* verilator lint_off UNUSEDSIGNAL */
  aipsec_inbound_pkg::job_t n_job;
  /* verilator lint_on UNUSEDSIGNAL */
  wire is_decrypt = s_job.kind == aipsec_inbound_pkg::JOB_DECRYPT;
  wire job_take = !n_valid && s_job_valid && m_job_ready && (!is_decrypt || m_par_ready);
  assign s_job_ready = job_take;
  assign m_job = s_job;
  assign m_job_valid = !n_valid && s_job_valid && (!is_decrypt || m_par_ready);
  wire n_decrypt = n_job.kind == aipsec_inbound_pkg::JOB_DECRYPT;

  always_comb begin
    for (int i = 0; i < 32; i = i + 1) m_par_key[8*i +: 8] = s_job.key[255 - 8*i -: 8];
    m_par_key_256 = s_job.key_256;
    for (int i = 0; i < 4; i = i + 1) m_par_nonce[8*i +: 8] = s_job.salt[31 - 8*i -: 8];
    for (int i = 0; i < 8; i = i + 1)
      m_par_nonce[32 + 8*i +: 8] = s_job.hdr[8*((32'(s_job.esp_off) + 8 + i) % aipsec_dp_pkg::HDR_BYTES) +: 8];
    m_par_aad_len = s_job.esn ? 16'd12 : 16'd8;
    m_par_tag_len = s_job.icv_len;
  end
  assign m_par_valid = !n_valid && s_job_valid && is_decrypt && m_job_ready;

  // ---- per beat: the ciphertext range and the ICV bytes it holds
  logic [15:0] lo, hi;
  logic        ct_any, ct_last;
  logic [127:0] tag_next;
  logic        tag_complete;
  always_comb begin
    lo = ct_start > bpos ? ct_start : bpos;
    hi = ct_end < bend ? ct_end : bend;
    ct_any = lo < hi;
    ct_last = ct_end > bpos && ct_end <= bend;
    tag_next = tag;
    for (int k = 0; k < 16; k = k + 1) begin
      if (ct_end + 16'(k) >= bpos && ct_end + 16'(k) < bend && k < 32'(job.icv_len))
        tag_next[8*k +: 8] = s_frame_tdata[8*(32'(16'(ct_end + 16'(k) - bpos)) % KW) +: 8];
    end
    tag_complete = !tag_done && icv_end <= bend;
  end

  wire to_ct = decrypt && (ct_any || ct_last);
  wire to_side = copy;
  wire to_tag = decrypt && tag_complete;
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
      m_ct_off = OW'(lo - bpos);
      m_ct_cnt = ct_any ? (OW+1)'(hi - lo) : '0;
      m_ct_last = ct_last;
      m_ct_valid = body && to_ct && (!to_side || m_side_tready) && (!to_tag || m_tag_ready);
    end
  end

  // The FSM starts the next frame in S_IDLE, or at once after a last beat.
  wire start = n_valid && (state == S_IDLE || (state == S_BODY && beat_go && s_frame_tlast));

  always_ff @(posedge clk) begin
    if (rst) begin
      state <= S_IDLE;
      n_valid <= 1'b0;
    end else begin
      if (job_take) begin
        n_valid <= 1'b1;
        n_job <= s_job;
      end
      case (state)
        S_AAD: if (m_ct_ready) state <= S_BODY;
        S_BODY: if (beat_go) begin
          bpos <= bend;
          tag <= tag_next;
          if (to_tag) tag_done <= 1'b1;
          if (s_frame_tlast) state <= S_IDLE;
        end
        default: state <= S_IDLE;
      endcase
      if (start) begin
        n_valid <= 1'b0;
        job <= n_job;
        decrypt <= n_decrypt;
        copy <= n_decrypt ? (n_job.mirror_icv_fail || n_job.mirror_replay) :
                (n_job.kind != aipsec_inbound_pkg::JOB_DROP);
        bpos <= '0;
        tag <= '0;
        tag_done <= 1'b0;
        state <= n_decrypt ? S_AAD : S_BODY;
      end
    end
  end
endmodule
