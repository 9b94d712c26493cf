# Install the host library with its public headers, a CMake package
# (find_package(aipsec)) and a pkg-config file (pkg-config aipsec).
include(CMakePackageConfigHelpers)
install(TARGETS aipsec EXPORT aipsecTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/host/include/aipsec DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT aipsecTargets NAMESPACE aipsec:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aipsec)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/aipsecConfig.cmake.in
  ${PROJECT_BINARY_DIR}/aipsecConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aipsec)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/aipsecConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/aipsecConfig.cmake ${PROJECT_BINARY_DIR}/aipsecConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aipsec)
configure_file(${PROJECT_SOURCE_DIR}/cmake/aipsec.pc.in ${PROJECT_BINARY_DIR}/aipsec.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/aipsec.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
