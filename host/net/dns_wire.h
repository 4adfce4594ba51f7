// The DNS wire format (RFC 1035), read defensively: every length, count,
// label and compression pointer is checked, and every bad input is a
// Malformed error naming the byte offset. Private to host/net.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "host/net/egress_policy.h"
#include "vivarium/error.h"

namespace vivarium::net::dns {

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeAAAA = 28;
constexpr uint16_t kClassIN = 1;
constexpr size_t kMaxMessage = 65535;

struct Question {
  uint16_t id = 0;
  std::string name;  // dotted, lower-case, no final dot; "" for the root
  uint16_t qtype = 0;
  uint16_t qclass = 0;
};

// A query as a guest sends it: QR clear, opcode QUERY, exactly one question,
// no answer or authority records, names uncompressed, nothing trailing.
Result<Question> parse_query(std::span<const uint8_t> msg);

// Checks `msg` answers `q` (same id, QR set, the same one question) and
// rebuilds it without the A/AAAA records (class IN) that `keep` refuses, in
// any section. Names are written uncompressed (so removing a record cannot
// break a pointer); RDATA of unknown types is copied as is.
using AddressFilter = std::function<bool(const IpAddress&)>;
Result<std::vector<uint8_t>> filter_response(std::span<const uint8_t> msg, const Question& q,
                                             const AddressFilter& keep);

// A query for `name` (for tests and tools): id, RD set, one question.
std::vector<uint8_t> build_query(uint16_t id, std::string_view name, uint16_t qtype);

}  // namespace vivarium::net::dns
