# Depth check with blackboxes: runs the yosys script SCRIPT_FILE (which ends
# with `write_json JSON`), then lut_depth.py on that netlist, cutting paths at
# the cells of the types in CUT (comma-separated) and requiring no logic
# beside the types in REGISTERED. Writes "CORE N" to OUT; fails when N >
# MAX_DEPTH. `ltp -noff` cannot be used here: it counts a blackbox cell as one
# combinational level from every input to every output.
execute_process(COMMAND ${YOSYS} -q -l ${OUT}.log -s ${SCRIPT_FILE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "yosys failed (${rc}):\n${err}")
endif()
execute_process(COMMAND ${PYTHON} ${LUT_DEPTH} --json ${JSON} --top ${TOP}
    --cut "${CUT}" --registered "${REGISTERED}" --max ${MAX_DEPTH} --out ${OUT} --core ${CORE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}${err}")
file(REMOVE ${JSON})
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "depth check failed")
endif()
