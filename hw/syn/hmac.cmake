# HMAC-SHA1 / HMAC-SHA-256 core: hierarchical synthesis of two parameter sets
# (64-bit input with 2 contexts; 512-bit input with 8 contexts).
set(HMAC_SYN_SOURCES
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_k_rom.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_round_s1.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_round_s2.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_ring.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/sha/sha_block_asm.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/hmac/hmac_sha_core.sv
  ${PROJECT_SOURCE_DIR}/hw/rtl/hmac/hmac_sha_core_x8.sv)

# The defaults are PAIRS=1, DATA_W=64; the 512-bit configuration is the
# fixed wrapper hmac_sha_core_x8 (a chparam'd top is renamed by yosys and
# then not found by `stat -top`).
aipsec_rtl_synth(NAME hmac_sha_core_p1_w64 TOP hmac_sha_core SOURCES ${HMAC_SYN_SOURCES})
aipsec_rtl_synth(NAME hmac_sha_core_p4_w512 TOP hmac_sha_core_x8 SOURCES ${HMAC_SYN_SOURCES} IN_SET)

# The control logic around the compression rounds and the block assembly
# (key-state store, inner/outer sequencing, ring loading, tag output) has no
# depth test yet: flattened with sha_round_s1, sha_round_s2 and sha_block_asm
# as blackboxes (aipsec_rtl_depth's BLACKBOX form) it measures 8 LUT levels
# in hmac_sha_core_x8, over the limit of 6, and 6 levels sit in front of
# sha_round_s1 (see "Logic depth of the control logic" in
# docs/hw/crypto-cores.md). The test is to be added, unchanged limit, once
# the tag output and the ring load select are cut by a register:
#   aipsec_rtl_depth(NAME hmac_sha_core_control_w512 TOP hmac_sha_core_x8
#     SOURCES ${HMAC_SYN_SOURCES} BLACKBOX sha_round_s1 sha_round_s2 sha_block_asm
#     REGISTERED sha_round_s1 sha_round_s2 CORE hmac_sha_core_p4_w512)
