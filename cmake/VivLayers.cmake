# Layering enforced by the build (issue #11 item 4).
#
# viv_layer(TARGET FOLDER [DEPS layer...] [API] [STATIC])
#
# Makes one library per folder: an OBJECT library (the product archive
# `vivarium` gathers them, see the top-level CMakeLists.txt), or with STATIC
# an archive of its own (tools outside the product). Its sources see, through their include path,
# only their own folder, the folders of the layers they depend on (directly or
# not), and the public headers: every one of include/vivarium/ with API, else
# only the foundation ones (error.h, types.h, limits.h). The include root is a
# directory of symbolic links in the build tree (build/layers/TARGET/), not
# the source root, so an include that runs backwards -- engine/runtime
# including engine/interp -- is "file not found" at compile time. A folder
# without sources becomes an INTERFACE library (headers only).
set(VIV_FOUNDATION_HEADERS error.h types.h limits.h)

function(viv_layer target folder)
  cmake_parse_arguments(L "API;STATIC" "" "DEPS" ${ARGN})
  # The folders visible: this one and those of every dependency, transitively.
  set(folders ${folder})
  set(api ${L_API})
  foreach(dep ${L_DEPS})
    get_property(dep_folders GLOBAL PROPERTY VIV_LAYER_FOLDERS_${dep})
    list(APPEND folders ${dep_folders})
  endforeach()
  list(REMOVE_DUPLICATES folders)
  set_property(GLOBAL PROPERTY VIV_LAYER_FOLDERS_${target} ${folders})

  set(root ${CMAKE_BINARY_DIR}/layers/${target})
  file(REMOVE_RECURSE ${root})
  foreach(f ${folders})
    get_filename_component(parent ${root}/${f} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${f} ${root}/${f} SYMBOLIC)
  endforeach()
  if(api)
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/vivarium ${root}/vivarium SYMBOLIC)
  else()
    file(MAKE_DIRECTORY ${root}/vivarium)
    foreach(h ${VIV_FOUNDATION_HEADERS})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/vivarium/${h} ${root}/vivarium/${h} SYMBOLIC)
    endforeach()
  endif()

  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${folder}/*.cc)
  list(FILTER srcs EXCLUDE REGEX ".*_test\\.cc$")
  if(srcs)
    if(L_STATIC)
      add_library(${target} STATIC ${srcs})
    else()
      add_library(${target} OBJECT ${srcs})
    endif()
    target_include_directories(${target} PRIVATE ${root})
    target_compile_options(${target} PRIVATE ${VIV_WARNINGS})
    # WebAssembly rounds every float operation on its own. The interpreter's
    # fused handlers compute a*b+c as two operations, which a compiler may
    # contract into one FMA where the target has it (-march=native,
    # x86-64-v3). Off for the whole engine, so no handler can round once
    # where wasm rounds twice.
    target_compile_options(${target} PRIVATE -ffp-contract=off)
    if(L_STATIC)
      # Linking the OBJECT layers would copy their objects into this
      # archive; the product archive already holds them.
      target_link_libraries(${target} PUBLIC vivarium)
    else()
      target_link_libraries(${target} PUBLIC ${L_DEPS} Threads::Threads)
    endif()
  else()
    add_library(${target} INTERFACE)
    target_link_libraries(${target} INTERFACE ${L_DEPS})
  endif()
endfunction()
