# The WebSocket socket gateway (`vivarium serve --gateway`), part of
# vivarium_server (included by server/CMakeLists.txt).
target_sources(vivarium_server PRIVATE ${CMAKE_CURRENT_LIST_DIR}/gateway.cc ${CMAKE_CURRENT_LIST_DIR}/gateway_tokens.cc
  ${CMAKE_CURRENT_LIST_DIR}/gateway_session.cc ${CMAKE_CURRENT_LIST_DIR}/gateway_tcp.cc ${CMAKE_CURRENT_LIST_DIR}/gateway_udp.cc
  ${CMAKE_CURRENT_LIST_DIR}/gateway_resolve.cc ${CMAKE_CURRENT_LIST_DIR}/gateway_listen.cc)
