#include "vivarium/error.h"

#include <cstdio>

namespace vivarium {

const Error::Payload& Error::empty() {
  static const Payload kEmpty;
  return kEmpty;
}

std::string Error::to_string() const {
  std::string out;
  const Location& w = where();
  if (!w.file.empty()) out += w.file;
  if (w.line != 0) {
    out += (out.empty() ? "" : ":") + std::to_string(w.line) + ":" + std::to_string(w.column);
  }
  std::string detail;
  if (w.offset != Location::kNone) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "offset 0x%llx", static_cast<unsigned long long>(w.offset));
    detail += buf;
  }
  if (!w.section.empty()) detail += (detail.empty() ? "" : ", ") + w.section + " section";
  if (!w.function.empty()) detail += (detail.empty() ? "" : ", ") + std::string("function ") + w.function;
  if (!detail.empty()) out += (out.empty() ? "at " : ": at ") + detail;
  if (!message().empty()) out += (out.empty() ? "" : ": ") + message();
  return out;
}

const char* trap_message(ErrorCode c) {
  switch (c) {
    case ErrorCode::Unreachable: return "unreachable";
    case ErrorCode::MemoryOutOfBounds: return "out of bounds memory access";
    case ErrorCode::TableOutOfBounds: return "out of bounds table access";
    case ErrorCode::UndefinedElement: return "undefined element";
    case ErrorCode::UninitializedElement: return "uninitialized element";
    case ErrorCode::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case ErrorCode::IntegerDivideByZero: return "integer divide by zero";
    case ErrorCode::IntegerOverflow: return "integer overflow";
    case ErrorCode::InvalidConversion: return "invalid conversion to integer";
    case ErrorCode::CallStackExhausted: return "call stack exhausted";
    case ErrorCode::OutOfFuel: return "all fuel consumed";
    case ErrorCode::DeadlineExceeded: return "deadline exceeded";
    default: return "trap";
  }
}

}  // namespace vivarium
