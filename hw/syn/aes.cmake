# AES encrypt/decrypt pipelines: hierarchical synthesis and per-stage depth.
set(AES_SYN_DIR ${PROJECT_SOURCE_DIR}/hw/rtl/aes)
set(AES_ENC_SOURCES ${AES_SYN_DIR}/aes_sbox.sv ${AES_SYN_DIR}/aes_sbox_rom2.sv ${AES_SYN_DIR}/aes_key_fwd_step.sv
  ${AES_SYN_DIR}/aes_enc_round.sv ${AES_SYN_DIR}/aes_enc_stage.sv ${AES_SYN_DIR}/aes_enc_pipe.sv)
set(AES_DEC_SOURCES ${AES_SYN_DIR}/aes_sbox.sv ${AES_SYN_DIR}/aes_sbox_rom2.sv ${AES_SYN_DIR}/aes_inv_sbox.sv ${AES_SYN_DIR}/aes_inv_sbox_rom2.sv
  ${AES_SYN_DIR}/aes_key_fwd_step.sv ${AES_SYN_DIR}/aes_key_inv_step.sv
  ${AES_SYN_DIR}/aes_dec_round.sv ${AES_SYN_DIR}/aes_dec_stage.sv ${AES_SYN_DIR}/aes_dec_pipe.sv)

# The pipelines are synthesized inside gcm_core and the CBC cores at every
# scale; their standalone tests run at full scale only (time budget at ci).
foreach(lanes 1 4)
  aipsec_rtl_synth(NAME aes_enc_pipe_x${lanes} TOP aes_enc_pipe SOURCES ${AES_ENC_SOURCES}
    PARAMS LANES=${lanes} FULL_SCALE_ONLY)
  aipsec_rtl_synth(NAME aes_dec_pipe_x${lanes} TOP aes_dec_pipe SOURCES ${AES_DEC_SOURCES}
    PARAMS LANES=${lanes} FULL_SCALE_ONLY)
endforeach()

# Round 10 is the deepest encryption stage (full or final round by key size,
# plus a key-schedule step); round 9 and round 13 (pass-through for AES-128)
# cover the decryption stages.
aipsec_rtl_depth(NAME aes_enc_stage10 TOP aes_enc_stage SOURCES ${AES_ENC_SOURCES}
  PARAMS STAGE=10 LANES=1 CORE aes_enc_pipe_x1)
aipsec_rtl_depth(NAME aes_dec_stage20 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
  PARAMS STAGE=20 LANES=1 CORE aes_dec_pipe_x1)
if(AIPSEC_RTL_CI_SCALE STREQUAL "full")
  aipsec_rtl_depth(NAME aes_enc_stage5 TOP aes_enc_stage SOURCES ${AES_ENC_SOURCES}
    PARAMS STAGE=5 LANES=1 CORE aes_enc_pipe_x1)
  aipsec_rtl_depth(NAME aes_enc_stage14 TOP aes_enc_stage SOURCES ${AES_ENC_SOURCES}
    PARAMS STAGE=14 LANES=1 CORE aes_enc_pipe_x1)
  aipsec_rtl_depth(NAME aes_dec_stage13 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
    PARAMS STAGE=13 LANES=1 CORE aes_dec_pipe_x1)
  aipsec_rtl_depth(NAME aes_dec_stage16 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
    PARAMS STAGE=16 LANES=1 CORE aes_dec_pipe_x1)
  aipsec_rtl_depth(NAME aes_dec_stage28 TOP aes_dec_stage SOURCES ${AES_DEC_SOURCES}
    PARAMS STAGE=28 LANES=1 CORE aes_dec_pipe_x1)
endif()
