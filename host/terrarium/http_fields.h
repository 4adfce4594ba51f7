// Header lists as the guest sees them, and the syntax checks applied to what
// a guest passes for methods, URLs and header fields: anything that could
// split a message (CR, LF, NUL) or is not a token is refused.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "host/terrarium/guest_runner.h"

namespace vivarium::terrarium {

// Distinct header names, lower-cased, in order of first appearance.
std::vector<std::string> header_names(const Headers& h);
// Every value of `name` (case-insensitive), in arrival order.
std::vector<std::string> header_values(const Headers& h, std::string_view name);
// Replaces every field named `name` by one field per value (none: removed).
void set_header(Headers& h, std::string_view name, const std::vector<std::string>& values);
void remove_header(Headers& h, std::string_view name);

// Headers that frame a message or manage its connection (content-length,
// transfer-encoding, connection, ...): the host computes them, so what a
// guest sets for them is dropped.
bool is_framing_header(std::string_view name);
void remove_framing_headers(Headers& h);

bool is_token(std::string_view s);         // RFC 9110 token: methods, field names
bool is_field_value(std::string_view s);   // no CR, LF or NUL
// An absolute http:// or https:// URL with a host, no whitespace or controls.
bool is_outbound_url(std::string_view s);
// The origin-form target of an absolute URL ("/" when it has no path).
std::string origin_form(std::string_view url);

}  // namespace vivarium::terrarium
