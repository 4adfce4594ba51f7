#include "host/terrarium/outcome.h"

#include "host/terrarium/http_fields.h"

namespace vivarium::terrarium {
namespace {

Outcome error_response(Outcome::Kind kind, uint16_t status, std::string body, std::string message) {
  Outcome o;
  o.kind = kind;
  o.response.status = status;
  o.response.headers = {{"content-type", "text/plain; charset=utf-8"}};
  o.response.body = std::move(body) + "\n";
  o.message = std::move(message);
  return o;
}

}  // namespace

Outcome ok_outcome(HttpResponse response) {
  remove_framing_headers(response.headers);
  Outcome o;
  o.response = std::move(response);
  return o;
}

Outcome failure_outcome(const Error& e, const std::optional<std::string>& panic, const GuestLimits& limits,
                        std::string_view phase) {
  std::string detail = std::string(phase) + ": " + e.to_string();
  if (!e.backtrace().empty()) detail += "\n" + e.backtrace();
  if (panic) return error_response(Outcome::Kind::Panic, 500, "panic: " + *panic, "panic: " + *panic + " (" + detail + ")");
  switch (e.code()) {
    case ErrorCode::DeadlineExceeded:
      return error_response(Outcome::Kind::Timeout, 504,
                            "timeout: the request ran past its wall-time limit of " +
                                std::to_string(limits.wall_time.count()) + " ms",
                            detail);
    case ErrorCode::OutOfFuel:
      return error_response(Outcome::Kind::OutOfFuel, 500, "trap: all fuel consumed", detail);
    case ErrorCode::LimitExceeded:
      return error_response(Outcome::Kind::Limit, 500, "limit: " + e.message(), detail);
    default:
      break;
  }
  if (e.phase() == Phase::Trap || e.phase() == Phase::Exhaustion || e.phase() == Phase::Unlinkable) {
    return error_response(Outcome::Kind::Trap, 500, "trap: " + e.message(), detail);
  }
  return error_response(Outcome::Kind::Internal, 500, "internal error: " + e.message(), detail);
}

}  // namespace vivarium::terrarium
