// What the admin listener serves besides the admin API: the dashboard's
// static files (GET /dashboard/..., no token: they hold no secret; the page
// asks for the token) and /invoke/NAME/PATH, which hands an authorized
// request to the data plane as if it had arrived at NAME.localhost -- the
// dashboard's "test request", from the admin origin.
#pragma once
#include <string_view>
#include <vector>

#include "server/http_server.h"

namespace vivarium::server::dashboard {

struct Asset {
  std::string_view name;  // "index.html"
  std::string_view body;
};
// The files of server/dashboard/, embedded at build time (dashboard_assets.cc).
const std::vector<Asset>& assets();

// True when it took the request (and answered or passed it on); false: the
// admin API's. `edge` is the data plane's handler.
bool handle(boost::asio::any_io_executor ex, IncomingRequest& req, Respond& respond, std::string_view admin_token,
            const Handler& edge);

}  // namespace vivarium::server::dashboard
