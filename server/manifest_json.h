// A Manifest as JSON: what the deployment stores persist next to the module
// bytes and what the admin API lists. Reading checks every field, so a
// damaged file or Redis value is reported by name, never half-applied.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/deployment.h"
#include "vivarium/error.h"

namespace vivarium::server {

nlohmann::json manifest_to_json(const Manifest& m);
Result<Manifest> manifest_from_json(std::string_view text);

}  // namespace vivarium::server
