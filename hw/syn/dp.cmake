# The card data path's common blocks: LUT depth of each (docs/hw/datapath.md,
# logic depth). Their FIFOs and tables stay memory cells (MEMORIES): on the
# FPGA they are block or distributed RAM, not flip-flops behind multiplexers.
if(DEFINED AIPSEC_REGS_PKG)
  set(DP_SYN_DIR ${PROJECT_SOURCE_DIR}/hw/rtl/dp)
  set(DP_SYN_PKGS ${AIPSEC_REGS_PKG} ${DP_SYN_DIR}/aipsec_dp_pkg.sv)
  set(DP_SYN_TABLE ${DP_SYN_DIR}/common/aipsec_key_hash.sv ${DP_SYN_DIR}/common/aipsec_bucket_ram.sv)
  foreach(w 128 512)
    aipsec_rtl_depth(NAME dp_frame_ingress_w${w} TOP aipsec_frame_ingress MEMORIES
      SOURCES ${DP_SYN_PKGS} ${DP_SYN_DIR}/common/aipsec_frame_ingress.sv PARAMS DATA_W=${w})
    aipsec_rtl_depth(NAME dp_byte_packer_w${w} TOP aipsec_byte_packer MEMORIES
      SOURCES ${DP_SYN_PKGS} ${DP_SYN_DIR}/common/aipsec_byte_packer.sv PARAMS DATA_W=${w})
  endforeach()
  aipsec_rtl_depth(NAME dp_parser TOP aipsec_parser
    SOURCES ${DP_SYN_PKGS} ${DP_SYN_DIR}/common/aipsec_parser.sv)
  aipsec_rtl_depth(NAME dp_flow_table TOP aipsec_flow_table MEMORIES
    SOURCES ${DP_SYN_PKGS} ${DP_SYN_TABLE} ${DP_SYN_DIR}/common/aipsec_flow_table.sv)
  aipsec_rtl_depth(NAME dp_sa_lookup TOP aipsec_sa_lookup MEMORIES
    SOURCES ${DP_SYN_PKGS} ${DP_SYN_TABLE} ${DP_SYN_DIR}/common/aipsec_sa_lookup.sv)
  # Inbound engine stages around gcm_core (widest bus: every lane loop is longest).
  aipsec_rtl_depth(NAME dp_inbound_tail TOP aipsec_inbound_tail PARAMS DATA_W=512
    SOURCES ${DP_SYN_PKGS} ${DP_SYN_DIR}/inbound/aipsec_inbound_pkg.sv ${DP_SYN_DIR}/inbound/aipsec_inbound_tail.sv)
  aipsec_rtl_depth(NAME dp_inbound_reader TOP aipsec_inbound_reader PARAMS DATA_W=512
    SOURCES ${DP_SYN_PKGS} ${DP_SYN_DIR}/inbound/aipsec_inbound_pkg.sv ${DP_SYN_DIR}/inbound/aipsec_inbound_reader.sv)
  # The output stage (verdict pipeline and mover) with its byte packer and
  # FIFOs flattened in, so that paths through their combinational ready and
  # valid outputs are measured whole. About 5 minutes.
  aipsec_rtl_depth(NAME dp_inbound_out TOP aipsec_inbound_out MEMORIES PARAMS DATA_W=512 TIMEOUT 1800
    SOURCES ${DP_SYN_PKGS} ${DP_SYN_DIR}/inbound/aipsec_inbound_pkg.sv ${DP_SYN_DIR}/common/aipsec_byte_packer.sv
      ${DP_SYN_DIR}/inbound/aipsec_inbound_fifo.sv ${DP_SYN_DIR}/inbound/aipsec_inbound_out.sv)
  # Outbound decision stage with its header builder and event FIFO flattened
  # in (the builder is also checked on its own). About 4 minutes.
  set(DP_SYN_OB ${DP_SYN_PKGS} ${DP_SYN_DIR}/outbound/aipsec_ob_pkg.sv
    ${DP_SYN_DIR}/outbound/aipsec_ob_fifo.sv ${DP_SYN_DIR}/outbound/aipsec_ob_hdr_build.sv)
  aipsec_rtl_depth(NAME dp_ob_hdr_build TOP aipsec_ob_hdr_build SOURCES ${DP_SYN_OB})
  aipsec_rtl_depth(NAME dp_ob_decide TOP aipsec_ob_decide MEMORIES TIMEOUT 1800
    SOURCES ${DP_SYN_OB} ${DP_SYN_DIR}/outbound/aipsec_ob_decide.sv)
  # The encapsulation engine with its FIFOs, arbiter and byte packers flattened
  # in, so that paths through their combinational ready and valid outputs are
  # measured whole; the GCM core a blackbox (its own check: every output
  # straight from a register). About 2 minutes.
  aipsec_rtl_depth(NAME dp_ob_encap TOP aipsec_ob_encap PARAMS DATA_W=512 MEMORIES BLACKBOX gcm_core
    SOURCES ${DP_SYN_OB} ${DP_SYN_DIR}/outbound/aipsec_ob_arb.sv ${DP_SYN_DIR}/common/aipsec_byte_packer.sv
            ${PROJECT_SOURCE_DIR}/hw/rtl/gcm/gcm_core.sv ${DP_SYN_DIR}/outbound/aipsec_ob_encap.sv)
endif()
