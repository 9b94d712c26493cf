# Runs the yosys script SCRIPT_FILE, then ltp; reads "Longest topological path ... (length=N)" from
# its ltp output, writes "CORE N" to OUT and fails when N > MAX_DEPTH.
execute_process(COMMAND ${YOSYS} -q -s ${SCRIPT_FILE} -p "tee -q -o ${OUT}.ltp ltp -noff"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "yosys failed (${rc}):\n${err}")
endif()
file(READ ${OUT}.ltp ltp)
string(REGEX MATCH "length=([0-9]+)" m "${ltp}")
if(NOT m)
  message(FATAL_ERROR "no ltp result in yosys output")
endif()
set(depth ${CMAKE_MATCH_1})
file(WRITE ${OUT} "${CORE} ${depth}\n")
message(STATUS "LUT levels: ${depth} (limit ${MAX_DEPTH})")
if(depth GREATER MAX_DEPTH)
  message(FATAL_ERROR "logic depth ${depth} LUT levels exceeds ${MAX_DEPTH}")
endif()
