# Sources of the data path's common blocks, in an order any tool accepts
# (sub-modules before the blocks that use them). Each block's own file list:
#   aipsec_flow_table, aipsec_sa_lookup: also aipsec_key_hash.sv and aipsec_bucket_ram.sv
# The packages (aipsec_regs_pkg, aipsec_dp_pkg) come first and are not listed here.
set(AIPSEC_DP_COMMON_DIR ${CMAKE_CURRENT_LIST_DIR})
set(AIPSEC_DP_COMMON_SOURCES
  ${AIPSEC_DP_COMMON_DIR}/aipsec_key_hash.sv
  ${AIPSEC_DP_COMMON_DIR}/aipsec_bucket_ram.sv
  ${AIPSEC_DP_COMMON_DIR}/aipsec_byte_packer.sv
  ${AIPSEC_DP_COMMON_DIR}/aipsec_frame_ingress.sv
  ${AIPSEC_DP_COMMON_DIR}/aipsec_parser.sv
  ${AIPSEC_DP_COMMON_DIR}/aipsec_flow_table.sv
  ${AIPSEC_DP_COMMON_DIR}/aipsec_sa_lookup.sv)
