// Errors are values: a code numbered by phase, the message the spec uses, and
// where it happened. Nothing in Vivarium throws across its API.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace vivarium {

// The high byte of a code is its phase; ErrorCode::X >> 8 == Phase.
enum class Phase : uint8_t {
  Malformed = 0x01,   // binary or text cannot be read (assert_malformed)
  Invalid = 0x02,     // decoded but fails validation (assert_invalid)
  Unlinkable = 0x03,  // imports do not match (assert_unlinkable)
  Trap = 0x04,        // execution trapped (assert_trap / assert_uninstantiable)
  Exhaustion = 0x05,  // a resource limit ran out (assert_exhaustion, fuel, deadline)
  Host = 0x06,        // I/O, usage or host-side failure
};

enum class ErrorCode : uint16_t {
  // 0x01xx: malformed binary or text.
  UnexpectedEnd = 0x0100,      // "unexpected end" / "length out of bounds"
  BadMagic = 0x0101,           // "magic header not detected"
  BadVersion = 0x0102,         // "unknown binary version"
  BadLeb = 0x0103,             // "integer representation too long" / "integer too large"
  BadSection = 0x0104,         // "malformed section id", "section size mismatch", ...
  BadUtf8 = 0x0105,            // "malformed UTF-8 encoding"
  BadOpcode = 0x0106,          // "illegal opcode"
  BadType = 0x0107,            // "malformed value type" / "malformed reference type" ...
  Malformed = 0x0108,          // any other malformed-binary condition (message says which)
  TextSyntax = 0x0110,         // text format: "unexpected token", "unknown operator", ...
  // 0x02xx: validation.
  TypeMismatch = 0x0200,       // "type mismatch"
  UnknownIndex = 0x0201,       // "unknown function 3", "unknown local", ...
  Invalid = 0x0202,            // any other validation rule (message says which)
  // 0x03xx: linking.
  UnknownImport = 0x0300,      // "unknown import"
  IncompatibleImport = 0x0301, // "incompatible import type"
  // 0x04xx: traps.
  Unreachable = 0x0400,        // "unreachable"
  MemoryOutOfBounds = 0x0401,  // "out of bounds memory access"
  TableOutOfBounds = 0x0402,   // "out of bounds table access"
  UndefinedElement = 0x0403,   // "undefined element"
  UninitializedElement = 0x0404,  // "uninitialized element"
  IndirectCallTypeMismatch = 0x0405,  // "indirect call type mismatch"
  IntegerDivideByZero = 0x0406,       // "integer divide by zero"
  IntegerOverflow = 0x0407,           // "integer overflow"
  InvalidConversion = 0x0408,         // "invalid conversion to integer"
  NullReference = 0x0409,             // "null reference" (host-side use of null)
  HostTrap = 0x040A,                  // a host function asked to trap (message is its own)
  Exit = 0x040B,                      // guest called proc_exit; the exit code is in Error::value
  // 0x05xx: exhaustion.
  CallStackExhausted = 0x0500,  // "call stack exhausted"
  OutOfFuel = 0x0501,           // "all fuel consumed"
  DeadlineExceeded = 0x0502,    // "deadline exceeded" / interrupted
  LimitExceeded = 0x0503,       // a configured memory/table/instance limit
  // 0x06xx: host.
  Io = 0x0600,
  Usage = 0x0601,
  NotFound = 0x0602,
  Unsupported = 0x0603,
  Internal = 0x06FF,
};

constexpr Phase phase_of(ErrorCode c) { return static_cast<Phase>(static_cast<uint16_t>(c) >> 8); }

// Stable lower-case names of the phases ("malformed", "invalid", "unlinkable",
// "trap", "exhaustion", "host") and the codes' enumerator names ("BadMagic"):
// what bindings and tools show, so every surface spells them the same way.
const char* phase_name(Phase p);
const char* code_name(ErrorCode c);

// Where an error happened. Every field is optional; to_string() prints those set.
struct Location {
  static constexpr uint64_t kNone = ~uint64_t{0};
  std::string file;        // path of the module or script, when known
  uint64_t offset = kNone; // byte offset in the binary
  uint32_t line = 0;       // 1-based, text format only
  uint32_t column = 0;     // 1-based, text format only
  std::string section;     // e.g. "code", "import"
  std::string function;    // "$name" from the name section, or "func[12]"
};

class Error {
 public:
  Error() = default;
  Error(ErrorCode code, std::string message, Location where = {})
      : p_(std::make_unique<Payload>(Payload{code, std::move(message), std::move(where), 0, {}})) {}
  Error(const Error& o) : p_(o.p_ ? std::make_unique<Payload>(*o.p_) : nullptr) {}
  Error& operator=(const Error& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<Payload>(*o.p_) : nullptr;
    return *this;
  }
  Error(Error&&) noexcept = default;
  Error& operator=(Error&&) noexcept = default;
  ~Error() = default;

  ErrorCode code() const { return p_ ? p_->code : ErrorCode::Internal; }
  Phase phase() const { return phase_of(code()); }
  const std::string& message() const { return p_ ? p_->message : empty().message; }
  const Location& where() const { return p_ ? p_->where : empty().where; }
  Location& where() { return payload().where; }
  // Extra integer payload: the exit code for ErrorCode::Exit.
  int64_t value() const { return p_ ? p_->value : 0; }
  Error& with_value(int64_t v) { payload().value = v; return *this; }
  // Backtrace of guest frames (innermost first), filled in for traps.
  const std::string& backtrace() const { return p_ ? p_->backtrace : empty().backtrace; }
  Error& with_backtrace(std::string bt) { payload().backtrace = std::move(bt); return *this; }

  // "file:line:col: message" or "file: at offset 0x1a (code section, function $f): message"
  std::string to_string() const;

 private:
  struct Payload {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    Location where;
    int64_t value = 0;
    std::string backtrace;
  };
  // One pointer, null until something is set: Result<void> holds an Error, and
  // the validator and the lowering return one per instruction, so a success
  // must not construct and destroy strings (an inline payload of five strings
  // cost ~50 instructions a Result there).
  Payload& payload() {
    if (!p_) p_ = std::make_unique<Payload>();
    return *p_;
  }
  static const Payload& empty();
  std::unique_ptr<Payload> p_;
};

// The spec's message for a trap or exhaustion code ("out of bounds memory
// access", "call stack exhausted", ...); "trap" for any other code.
const char* trap_message(ErrorCode code);

// Result<T>: either a T or an Error. A small std::expected for C++20.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error& error() & { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return err_; }
  Error& error() & { return err_; }
  Error&& error() && { return std::move(err_); }

 private:
  Error err_;
  bool ok_ = true;
};

}  // namespace vivarium

// Propagate an error: VIV_TRY(expr) for Result<void>, VIV_TRY_ASSIGN(x, expr) otherwise.
#define VIV_CONCAT_(a, b) a##b
#define VIV_CONCAT(a, b) VIV_CONCAT_(a, b)
#define VIV_TRY(expr)                                          \
  do {                                                         \
    auto viv_try_r_ = (expr);                                  \
    if (!viv_try_r_.ok()) return std::move(viv_try_r_).error(); \
  } while (0)
#define VIV_TRY_ASSIGN(lhs, expr) VIV_TRY_ASSIGN_(VIV_CONCAT(viv_try_, __LINE__), lhs, expr)
#define VIV_TRY_ASSIGN_(tmp, lhs, expr)          \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return std::move(tmp).error();  \
  lhs = std::move(tmp).value()
