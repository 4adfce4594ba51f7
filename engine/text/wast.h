// WAST scripts (the spec test-suite format): commands over modules.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vivarium/error.h"
#include "vivarium/types.h"

namespace vivarium::engine {

// One expected result of assert_return.
struct ExpectedLane {
  enum Kind : uint8_t { Exact, NanCanonical, NanArithmetic } kind = Exact;
  uint64_t bits = 0;  // the lane's bits when Exact
};

struct Expected {
  enum Kind : uint8_t {
    Exact,          // `value` must match bit for bit (floats by bits)
    NanCanonical,   // f32/f64 canonical NaN (either sign)
    NanArithmetic,  // f32/f64 NaN with the quiet bit set
    V128Lanes,      // v128 compared lane by lane (lanes may be NaN patterns)
    RefNull,        // null of `type`
    RefExtern,      // externref whose host value is `extern_id` (ref.extern N)
    RefFunc,        // any non-null funcref
  } kind = Exact;
  vivarium::ValType type = vivarium::ValType::I32;
  vivarium::Value value;          // Exact
  uint32_t extern_id = 0;         // RefExtern
  uint8_t lane_bits = 0;          // V128Lanes: 8, 16, 32, 64
  bool lane_float = false;        // V128Lanes: f32x4 / f64x2
  std::vector<ExpectedLane> lanes;
};

// An argument to invoke. (ref.extern N) is kept symbolic: the runner maps N
// to a host reference of its own.
struct ScriptArg {
  vivarium::Value value;
  bool is_extern = false;  // value is externref N when true (N in extern_id)
  uint32_t extern_id = 0;
};

struct Action {
  enum Kind : uint8_t { Invoke, Get } kind = Invoke;
  std::string module_id;  // "$M" or empty for the latest module
  std::string field;
  std::vector<ScriptArg> args;
};

struct Command {
  enum Kind : uint8_t {
    Module,                // define (and instantiate) a module
    Register,              // register "name" $M?
    PerformAction,         // bare (invoke ...) / (get ...)
    AssertReturn,
    AssertTrap,            // action or module
    AssertExhaustion,
    AssertInvalid,
    AssertMalformed,
    AssertUnlinkable,
    AssertUninstantiable,
  } kind = Module;
  uint32_t line = 0;
  uint32_t column = 0;

  // Module-carrying commands.
  enum ModuleForm : uint8_t { None, Text, Binary, Quote } form = None;
  std::string module_id;             // "$M" or empty
  std::vector<uint8_t> binary;       // Text (already encoded) and Binary forms
  std::string quote;                 // Quote: text to parse when the command runs
  // A Text module whose encoding failed: the error is kept here and reported
  // when the command runs (so one bad module does not lose the whole script).
  bool encode_failed = false;
  vivarium::Error encode_error;

  std::string register_name;         // Register
  Action action;                     // PerformAction, AssertReturn/Trap/Exhaustion with an action
  bool has_action = false;           // AssertTrap on an action vs. on a module
  std::vector<Expected> expected;    // AssertReturn
  std::string message;               // expected failure text for assert_*
};

struct Script {
  std::string file;
  std::vector<Command> commands;
};

// Parses a whole script. A syntax error in the script itself (outside a
// quoted module) is an Error with line:column.
vivarium::Result<Script> parse_wast(std::string_view text, std::string file = {});

}  // namespace vivarium::engine
