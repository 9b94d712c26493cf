# intel-ipsec-mb (Debian libipsec-mb-dev) ships no CMake or pkg-config file.
find_path(IPSecMB_INCLUDE_DIR NAMES intel-ipsec-mb.h)
find_library(IPSecMB_LIBRARY NAMES IPSec_MB)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(IPSecMB DEFAULT_MSG IPSecMB_LIBRARY IPSecMB_INCLUDE_DIR)
if(IPSecMB_FOUND AND NOT TARGET IPSecMB::IPSecMB)
  add_library(IPSecMB::IPSecMB UNKNOWN IMPORTED)
  set_target_properties(IPSecMB::IPSecMB PROPERTIES
    IMPORTED_LOCATION "${IPSecMB_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${IPSecMB_INCLUDE_DIR}")
endif()
