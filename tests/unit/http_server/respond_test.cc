#include <gtest/gtest.h>

#include "server/http_server.h"

namespace vivarium::server {
namespace {

TEST(Respond, FromACallableDeliversOnceAndKeepsTheDeployment) {
  std::vector<uint16_t> got;
  {
    Respond r = [&](terrarium::HttpResponse resp) { got.push_back(resp.status); };
    r.set_deployment("hello");
    EXPECT_EQ(r.deployment(), "hello");
    Respond copy = r;
    terrarium::HttpResponse ok;
    ok.status = 201;
    copy(ok);
    r(ok);  // the first call wins
  }
  EXPECT_EQ(got, std::vector<uint16_t>{201});
}

TEST(Respond, DroppedWithoutACallGives500) {
  std::vector<uint16_t> got;
  std::string body;
  {
    Respond r = [&](terrarium::HttpResponse resp) {
      got.push_back(resp.status);
      body = resp.body;
    };
  }
  EXPECT_EQ(got, std::vector<uint16_t>{500});
  EXPECT_NE(body.find("without a response"), std::string::npos);
  Respond empty;
  EXPECT_FALSE(empty);
  empty(terrarium::HttpResponse{});  // a no-op, not a crash
}

}  // namespace
}  // namespace vivarium::server
