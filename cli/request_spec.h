// The declarative request file of a project (tests/requests.txt), which
// `vivarium test` runs against a local server. Line-based, one directive a
// line; '#' starts a comment line. Values take the escapes \n \r \t \\.
//
//   deploy --allow-host 127.0.0.1     extra `vivarium deploy` flags (top)
//   request GET /hello?name=x         starts a case: method and target
//   header x-token: abc               a request header
//   body {"a": 1}                     the request body
//   expect status 200
//   expect header content-type: text/plain
//   expect body Hello, x!\n           the exact body
//   expect contains Hello             a substring of the body
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "cli/local_server.h"
#include "vivarium/error.h"

namespace vivarium::cli {

struct RequestCase {
  int line = 0;  // of its `request` directive
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
  int expect_status = 0;  // 0: not checked
  std::vector<std::pair<std::string, std::string>> expect_headers;
  bool check_body = false;
  std::string expect_body;
  std::vector<std::string> expect_contains;
};

struct RequestSpec {
  std::vector<std::string> deploy_flags;
  std::vector<RequestCase> cases;
};

// Errors carry the file and line.
Result<RequestSpec> parse_request_spec(const std::string& text, const std::string& file);

// What a reply got wrong, one line each; empty when it passes.
std::vector<std::string> check_reply(const RequestCase& c, const HttpReply& reply);

}  // namespace vivarium::cli
