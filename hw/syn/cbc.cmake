# AES-CBC encrypt (interleaved contexts) and decrypt: hierarchical synthesis.
# The AES stages inside are covered by aes.cmake's depth checks; the CBC
# input XOR and context muxes sit in front of the pipeline's first register.
set(CBC_AES_DIR ${PROJECT_SOURCE_DIR}/hw/rtl/aes)
set(CBC_ENC_SOURCES ${CBC_AES_DIR}/aes_sbox.sv ${CBC_AES_DIR}/aes_sbox_rom2.sv ${CBC_AES_DIR}/aes_key_fwd_step.sv
  ${CBC_AES_DIR}/aes_enc_round.sv ${CBC_AES_DIR}/aes_enc_stage.sv ${CBC_AES_DIR}/aes_enc_pipe.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/cbc/cbc_enc.sv)
set(CBC_DEC_SOURCES ${CBC_AES_DIR}/aes_sbox.sv ${CBC_AES_DIR}/aes_sbox_rom2.sv ${CBC_AES_DIR}/aes_inv_sbox.sv ${CBC_AES_DIR}/aes_inv_sbox_rom2.sv
  ${CBC_AES_DIR}/aes_key_fwd_step.sv ${CBC_AES_DIR}/aes_key_inv_step.sv
  ${CBC_AES_DIR}/aes_dec_round.sv ${CBC_AES_DIR}/aes_dec_stage.sv ${CBC_AES_DIR}/aes_dec_pipe.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/cbc/cbc_dec.sv)

aipsec_rtl_synth(NAME cbc_enc_c16 TOP cbc_enc SOURCES ${CBC_ENC_SOURCES} PARAMS CONTEXTS=16 IN_SET)
aipsec_rtl_synth(NAME cbc_dec_c4 TOP cbc_dec SOURCES ${CBC_DEC_SOURCES} PARAMS CONTEXTS=4 IN_SET)
