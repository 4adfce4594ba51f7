#include "vivarium/error.h"

#include <cstdio>

namespace vivarium {

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::Malformed: return "malformed";
    case Phase::Invalid: return "invalid";
    case Phase::Unlinkable: return "unlinkable";
    case Phase::Trap: return "trap";
    case Phase::Exhaustion: return "exhaustion";
    case Phase::Host: return "host";
  }
  return "host";  // not reached: every phase is named above (-Wswitch checks)
}

const char* code_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::UnexpectedEnd: return "UnexpectedEnd";
    case ErrorCode::BadMagic: return "BadMagic";
    case ErrorCode::BadVersion: return "BadVersion";
    case ErrorCode::BadLeb: return "BadLeb";
    case ErrorCode::BadSection: return "BadSection";
    case ErrorCode::BadUtf8: return "BadUtf8";
    case ErrorCode::BadOpcode: return "BadOpcode";
    case ErrorCode::BadType: return "BadType";
    case ErrorCode::Malformed: return "Malformed";
    case ErrorCode::TextSyntax: return "TextSyntax";
    case ErrorCode::TypeMismatch: return "TypeMismatch";
    case ErrorCode::UnknownIndex: return "UnknownIndex";
    case ErrorCode::Invalid: return "Invalid";
    case ErrorCode::UnknownImport: return "UnknownImport";
    case ErrorCode::IncompatibleImport: return "IncompatibleImport";
    case ErrorCode::Unreachable: return "Unreachable";
    case ErrorCode::MemoryOutOfBounds: return "MemoryOutOfBounds";
    case ErrorCode::TableOutOfBounds: return "TableOutOfBounds";
    case ErrorCode::UndefinedElement: return "UndefinedElement";
    case ErrorCode::UninitializedElement: return "UninitializedElement";
    case ErrorCode::IndirectCallTypeMismatch: return "IndirectCallTypeMismatch";
    case ErrorCode::IntegerDivideByZero: return "IntegerDivideByZero";
    case ErrorCode::IntegerOverflow: return "IntegerOverflow";
    case ErrorCode::InvalidConversion: return "InvalidConversion";
    case ErrorCode::NullReference: return "NullReference";
    case ErrorCode::HostTrap: return "HostTrap";
    case ErrorCode::Exit: return "Exit";
    case ErrorCode::CallStackExhausted: return "CallStackExhausted";
    case ErrorCode::OutOfFuel: return "OutOfFuel";
    case ErrorCode::DeadlineExceeded: return "DeadlineExceeded";
    case ErrorCode::LimitExceeded: return "LimitExceeded";
    case ErrorCode::Io: return "Io";
    case ErrorCode::Usage: return "Usage";
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::Unsupported: return "Unsupported";
    case ErrorCode::Internal: return "Internal";
  }
  return "Internal";  // not reached: every code is named above (-Wswitch checks)
}

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
