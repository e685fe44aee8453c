# SPDX-License-Identifier: MIT
# `cmake --install`: the public headers, the static libraries a user of include/hebllm/ links,
# the CMake package (find_package(hebllm) -> hebllm::hebllm), the pkg-config file hebllm.pc and
# the CLI (docs/install.md). Included from the top-level CMakeLists.txt after the targets exist.
# Components: hebllm_dev (headers, libraries, CMake package, hebllm.pc) and hebllm_cli (bin/hebllm).
option(HEBLLM_INSTALL "Generate the install rules (headers, libraries, CMake package, hebllm.pc)"
       ${hebllm_top_level})
if(NOT HEBLLM_INSTALL)
  return()
endif()

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(hebllm_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/hebllm)

# The libraries in link order (each before the ones it uses): what `hebllm` links, and what
# hebllm.pc's Libs names. hebllm_flags is exported because the static libraries link it
# privately ($<LINK_ONLY:...>: only its link options, the sanitizers, reach a user).
set(hebllm_install_libs hebllm_lang hebllm_io hebllm_backends)
if(HEBLLM_HAVE_CUDA)
  list(APPEND hebllm_install_libs hebllm_backend_cuda hebllm_backend_cuda_device)
endif()
list(APPEND hebllm_install_libs hebllm_backend_cpu hebllm_backend_reference hebllm_core)

install(TARGETS hebllm hebllm_flags ${hebllm_install_libs}
  EXPORT hebllmTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT hebllm_dev
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT hebllm_dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})  # $<INSTALL_INTERFACE:include> on each
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hebllm
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT hebllm_dev
  FILES_MATCHING PATTERN "*.hpp")
if(TARGET hebllm_cli)
  install(TARGETS hebllm_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT hebllm_cli)
endif()

# --- CMake package: lib/cmake/hebllm/hebllm{Config,ConfigVersion,Targets}.cmake ---
# The pkg-config modules the static libraries link (PkgConfig::<PREFIX> in the exported link
# interface); hebllmConfig.cmake recreates these imported targets in the user's project.
set(HEBLLM_PKG_MODULES "TOMLPP=tomlplusplus" "XXHASH=libxxhash" "SENTENCEPIECE=sentencepiece")
install(EXPORT hebllmTargets NAMESPACE hebllm:: DESTINATION ${hebllm_cmake_dir}
        COMPONENT hebllm_dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/hebllmConfig.cmake.in
  ${PROJECT_BINARY_DIR}/hebllmConfig.cmake INSTALL_DESTINATION ${hebllm_cmake_dir})
# 0.x: a minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hebllmConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hebllmConfig.cmake ${PROJECT_BINARY_DIR}/hebllmConfigVersion.cmake
        DESTINATION ${hebllm_cmake_dir} COMPONENT hebllm_dev)

# --- pkg-config: lib/pkgconfig/hebllm.pc ---
# Static libraries only, so Libs names every library a link needs: hebllm's own, then the
# pkg-config modules' link flags, OpenMP, the sanitizers and the CUDA runtime where built.
set(HEBLLM_PC_LIBS "")
foreach(hebllm_lib IN LISTS hebllm_install_libs)
  string(APPEND HEBLLM_PC_LIBS " -l${hebllm_lib}")
endforeach()
set(HEBLLM_PC_REQUIRES "")
foreach(hebllm_entry IN LISTS HEBLLM_PKG_MODULES)
  string(REGEX REPLACE "^[^=]*=" "" hebllm_entry "${hebllm_entry}")
  list(APPEND HEBLLM_PC_REQUIRES ${hebllm_entry})
endforeach()
execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --libs ${HEBLLM_PC_REQUIRES}
  OUTPUT_VARIABLE hebllm_pc_dep_libs OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
string(APPEND HEBLLM_PC_LIBS " ${hebllm_pc_dep_libs}")
list(JOIN HEBLLM_PC_REQUIRES " " HEBLLM_PC_REQUIRES)
string(APPEND HEBLLM_PC_LIBS " ${OpenMP_CXX_FLAGS}")
if(HEBLLM_SANITIZE)
  string(APPEND HEBLLM_PC_LIBS " -fsanitize=${HEBLLM_SANITIZE}")
endif()
if(HEBLLM_HAVE_CUDA)
  string(APPEND HEBLLM_PC_LIBS " -L${CUDAToolkit_LIBRARY_DIR} -lcudart_static -ldl -lrt -lpthread")
endif()
string(STRIP "${HEBLLM_PC_LIBS}" HEBLLM_PC_LIBS)
foreach(hebllm_dir IN ITEMS LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${hebllm_dir}}")
    set(HEBLLM_PC_${hebllm_dir} "${CMAKE_INSTALL_${hebllm_dir}}")
  else()
    set(HEBLLM_PC_${hebllm_dir} "\${prefix}/${CMAKE_INSTALL_${hebllm_dir}}")
  endif()
endforeach()
# The prefix is the one given at install time (`cmake --install build --prefix P`), not the
# configured CMAKE_INSTALL_PREFIX: the first pass fills everything else and keeps
# @HEBLLM_PC_PREFIX@ for the second, which runs in the install script.
set(HEBLLM_PC_PREFIX "@HEBLLM_PC_PREFIX@")
configure_file(${CMAKE_CURRENT_LIST_DIR}/hebllm.pc.in ${PROJECT_BINARY_DIR}/hebllm.pc.in @ONLY)
install(CODE "set(HEBLLM_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${PROJECT_BINARY_DIR}/hebllm.pc.in\" \"${PROJECT_BINARY_DIR}/hebllm.pc\" @ONLY)"
  COMPONENT hebllm_dev)
install(FILES ${PROJECT_BINARY_DIR}/hebllm.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT hebllm_dev)
