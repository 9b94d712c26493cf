# AES-CBC encrypt (interleaved contexts) and decrypt: hierarchical synthesis.
# The AES stages inside are covered by aes.cmake's depth checks; the CBC
# input XOR and context selects end at an input register of the pipeline.
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

# Everything around the AES pipelines (context interleaving, chaining XOR,
# IV, input and output registers, the pipeline's own control): the whole
# core flattened with the AES stages (checked in aes.cmake) as blackboxes.
# No logic may sit in front of a stage (but for its clock enable, which
# only enables flip-flops inside): the context selects are registered before
# the pipeline, so they do not add to stage 0's depth.
aipsec_rtl_depth(NAME cbc_enc_control TOP cbc_enc SOURCES ${CBC_ENC_SOURCES} PARAMS CONTEXTS=16
  BLACKBOX aes_enc_stage FED_BY_REGISTERS aes_enc_stage EXCEPT ce=2 CORE cbc_enc_c16)
aipsec_rtl_depth(NAME cbc_dec_control TOP cbc_dec SOURCES ${CBC_DEC_SOURCES} PARAMS CONTEXTS=4
  BLACKBOX aes_dec_stage FED_BY_REGISTERS aes_dec_stage EXCEPT ce=2 CORE cbc_dec_c4)
