// Sends one DNS query to nameservers and returns the first answer whose id
// matches: UDP first, TCP when the answer is truncated (TC). Private to host/net.
#pragma once
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "host/net/dns.h"
#include "vivarium/error.h"

namespace vivarium::net::dns {

// Tries each nameserver in turn within `budget` in all. The answer is not
// yet checked beyond its id (filter_response does that).
Result<std::vector<uint8_t>> exchange(std::span<const uint8_t> query, const std::vector<Nameserver>& servers,
                                      std::chrono::milliseconds budget);

}  // namespace vivarium::net::dns
