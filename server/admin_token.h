// The admin API's bearer token: read from --admin-token-file (or created
// there, random, mode 0600, when the file does not exist yet), and compared
// in constant time so response timing does not reveal how much of a guess
// was right.
#pragma once
#include <string>
#include <string_view>

#include "vivarium/error.h"

namespace vivarium::server {

// The token is the file's first line, surrounding whitespace removed; an
// empty token is an error. With create_if_missing, a missing file gets a new
// random token (32 bytes, hex).
Result<std::string> load_admin_token(const std::string& path, bool create_if_missing);

// Constant time in the contents (the length may leak; tokens are long).
bool tokens_equal(std::string_view a, std::string_view b);

// True when `authorization` is "Bearer <token>" with the right token.
bool bearer_matches(std::string_view authorization, std::string_view token);

}  // namespace vivarium::server
