# SPDX-License-Identifier: GPL-2.0
#
# Install and export rules for kvmpfn.
#
# Include from the top-level CMakeLists.txt once the targets exist:
#
#   include(cmake/kvmpfnInstall.cmake)
#
# Requirements on the top level:
#   - project(kvmpfn VERSION x.y.z ...): PROJECT_VERSION versions the package.
#   - Target kvmpfn declares its public headers as
#       target_include_directories(kvmpfn PUBLIC
#           $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/libkvmpfn/include>
#           $<INSTALL_INTERFACE:include>)
#     A plain source path there makes install(EXPORT) fail, since the
#     installed package must not point into the source tree.
#   - kvmpfn links no other in-tree library target: a static library
#     exports its link dependencies, so install(EXPORT) would demand those
#     targets be installed too.  Fold OBJECT libraries in with
#     target_sources(kvmpfn PRIVATE $<TARGET_OBJECTS:name>) instead.
#   - kvmpfn-sim, if defined, is installed and exported too.
#
# Installs:
#   <libdir>/libkvmpfn.a, <includedir>/kvmpfn/*.h, <bindir>/kvmpfn-sim
#   <libdir>/cmake/kvmpfn/  kvmpfnConfig.cmake, kvmpfnConfigVersion.cmake,
#                           kvmpfnTargets*.cmake (targets kvmpfn::kvmpfn,
#                           kvmpfn::kvmpfn-sim)
#   <libdir>/pkgconfig/kvmpfn.pc
#
# scripts/check-install.sh verifies the result from a build directory.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Keep this file's variables out of the including scope.
block()

set(targets kvmpfn)
if(TARGET kvmpfn-sim)
	list(APPEND targets kvmpfn-sim)
endif()

install(TARGETS ${targets}
	EXPORT kvmpfnTargets
	ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
	LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
	RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(DIRECTORY ${PROJECT_SOURCE_DIR}/libkvmpfn/include/kvmpfn
	DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
	FILES_MATCHING PATTERN "*.h")

# ---- CMake package: find_package(kvmpfn) ---------------------------------

set(cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/kvmpfn)

install(EXPORT kvmpfnTargets
	NAMESPACE kvmpfn::
	DESTINATION ${cmake_dir})

configure_package_config_file(
	${CMAKE_CURRENT_LIST_DIR}/kvmpfnConfig.cmake.in
	${PROJECT_BINARY_DIR}/kvmpfnConfig.cmake
	INSTALL_DESTINATION ${cmake_dir})
write_basic_package_version_file(
	${PROJECT_BINARY_DIR}/kvmpfnConfigVersion.cmake
	VERSION ${PROJECT_VERSION}
	COMPATIBILITY SameMajorVersion)
install(FILES
	${PROJECT_BINARY_DIR}/kvmpfnConfig.cmake
	${PROJECT_BINARY_DIR}/kvmpfnConfigVersion.cmake
	DESTINATION ${cmake_dir})

# ---- pkg-config: kvmpfn.pc -----------------------------------------------

# The prefix is written relative to the .pc file itself (${pcfiledir}), not
# as CMAKE_INSTALL_PREFIX: `cmake --install --prefix DIR` picks the prefix
# after configure time, and the installed tree may be moved.
set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${pc_dir}")
	set(KVMPFN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
	# One ".." per component: lib/pkgconfig -> ../..
	string(REGEX REPLACE "[^/]+" ".." up "${pc_dir}")
	set(KVMPFN_PC_PREFIX "\${pcfiledir}/${up}")
endif()
# ${prefix}/DIR, or DIR itself where it was given as an absolute path.
foreach(dir LIBDIR INCLUDEDIR)
	set(KVMPFN_PC_${dir} "\${prefix}")
	cmake_path(APPEND KVMPFN_PC_${dir} "${CMAKE_INSTALL_${dir}}")
endforeach()

configure_file(${CMAKE_CURRENT_LIST_DIR}/kvmpfn.pc.in
	${PROJECT_BINARY_DIR}/kvmpfn.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kvmpfn.pc DESTINATION ${pc_dir})

endblock()
