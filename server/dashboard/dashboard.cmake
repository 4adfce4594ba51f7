# The dashboard's files, embedded into vivarium_server at build time
# (included by server/CMakeLists.txt after vivarium_server is declared).
set(viv_dash_dir ${CMAKE_CURRENT_LIST_DIR})
set(viv_dash_names index.html dashboard.js dashboard.css)
list(TRANSFORM viv_dash_names PREPEND ${viv_dash_dir}/ OUTPUT_VARIABLE viv_dash_files)
string(REPLACE ";" "," viv_dash_arg "${viv_dash_files}")
set(viv_dash_cc ${CMAKE_CURRENT_BINARY_DIR}/dashboard_assets.cc)
add_custom_command(OUTPUT ${viv_dash_cc}
  COMMAND ${CMAKE_COMMAND} -DOUT=${viv_dash_cc} -DFILES=${viv_dash_arg} -P ${viv_dash_dir}/embed_assets.cmake
  DEPENDS ${viv_dash_files} ${viv_dash_dir}/embed_assets.cmake
  COMMENT "Embedding the dashboard's static files" VERBATIM)
target_sources(vivarium_server PRIVATE ${viv_dash_dir}/dashboard_routes.cc ${viv_dash_cc})
