# Card control plane: the AXI4-Lite register file (hierarchical synthesis).
if(DEFINED AIPSEC_REGS_PKG)
  set(CTRL_SYN_DIR ${PROJECT_SOURCE_DIR}/hw/rtl/ctrl)
  aipsec_rtl_synth(NAME ctrl_regs TOP aipsec_ctrl_regs
    SOURCES ${AIPSEC_REGS_PKG} ${CTRL_SYN_DIR}/aipsec_ctrl_window.sv ${CTRL_SYN_DIR}/aipsec_ctrl_sa_counters.sv
      ${CTRL_SYN_DIR}/aipsec_ctrl_drop_counters.sv ${CTRL_SYN_DIR}/aipsec_ctrl_regs.sv
    PARAMS SA_COUNT=4096 FLOW_COUNT=4096)
endif()
