#include "tools/script/runner.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "tools/script/expect.h"
#include "tools/script/spectest.h"
#include "engine/text/wat.h"
#include "vivarium/vivarium.h"

namespace vivarium::engine::script {

using namespace vivarium;

namespace {

// Whether an engine message satisfies a script's expected text. The spec's
// reference interpreter sometimes appends detail ("uninitialized element 2");
// an engine that stops before the detail ("uninitialized element") matches,
// as does one that says more.
bool message_matches(const std::string& actual, const std::string& expected) {
  if (actual.find(expected) != std::string::npos) return true;
  return !actual.empty() && expected.compare(0, actual.size(), actual) == 0 && expected[actual.size()] == ' ';
}

// "invalid: type mismatch (at offset 0x1c, code section)" — the phase first,
// because that is what the assertion kinds are about.
std::string error_str(const Error& e) { return std::string(phase_name(e.phase())) + ": " + e.to_string(); }

const char* command_name(Command::Kind k) {
  switch (k) {
    case Command::Module: return "module";
    case Command::Register: return "register";
    case Command::PerformAction: return "action";
    case Command::AssertReturn: return "assert_return";
    case Command::AssertTrap: return "assert_trap";
    case Command::AssertExhaustion: return "assert_exhaustion";
    case Command::AssertInvalid: return "assert_invalid";
    case Command::AssertMalformed: return "assert_malformed";
    case Command::AssertUnlinkable: return "assert_unlinkable";
    case Command::AssertUninstantiable: return "assert_uninstantiable";
  }
  return "?";
}

class Runner {
 public:
  Runner(const Script& script, const RunnerOptions& opts) : script_(script), opts_(opts) {
    Result<void> r = define_spectest(linker_, store_, opts.spectest_output);
    if (!r.ok()) setup_error_ = r.error();
  }

  ScriptReport run() {
    ScriptReport report;
    report.file = script_.file;
    if (setup_error_) {
      Outcome o{0, false, "spectest", "cannot create the spectest module: " + error_str(*setup_error_)};
      if (opts_.on_outcome) opts_.on_outcome(o);
      report.outcomes.push_back(std::move(o));
      return report;
    }
    for (const Command& cmd : script_.commands) {
      if (opts_.on_command_start) opts_.on_command_start(cmd.line);
      Outcome o;
      o.line = cmd.line;
      o.command = describe_command(cmd);
      std::string why = run_command(cmd);
      o.passed = why.empty();
      o.detail = std::move(why);
      if (opts_.on_outcome) opts_.on_outcome(o);
      report.outcomes.push_back(std::move(o));
    }
    return report;
  }

 private:
  // Returns "" when the command passed, else what went wrong.
  std::string run_command(const Command& cmd) {
    if (cmd.form != Command::None) emit_module(cmd);
    switch (cmd.kind) {
      case Command::Module: return define_module(cmd);
      case Command::Register: return register_instance(cmd);
      case Command::PerformAction: {
        auto r = perform(cmd.action);
        return r.ok() ? "" : "got " + error_str(r.error());
      }
      case Command::AssertReturn: return assert_return(cmd);
      case Command::AssertTrap:
        if (!cmd.has_action) return expect_instantiation_error(cmd, Phase::Trap);
        return expect_action_error(cmd, Phase::Trap);
      case Command::AssertExhaustion: return expect_action_error(cmd, Phase::Exhaustion);
      case Command::AssertInvalid: return expect_compile_error(cmd, Phase::Invalid);
      case Command::AssertMalformed: return expect_compile_error(cmd, Phase::Malformed);
      case Command::AssertUnlinkable: return expect_instantiation_error(cmd, Phase::Unlinkable);
      case Command::AssertUninstantiable: return expect_instantiation_error(cmd, Phase::Trap);
    }
    return "unknown command";
  }

  // ---- modules ----------------------------------------------------------------

  // The module's binary; a text parse failure comes back as its Error.
  Result<std::vector<uint8_t>> module_binary(const Command& cmd) {
    switch (cmd.form) {
      case Command::Text:
        if (cmd.encode_failed) return cmd.encode_error;
        return cmd.binary;
      case Command::Binary: return cmd.binary;
      case Command::Quote: return vivarium::engine::wat_to_binary(cmd.quote, script_.file);
      case Command::None: break;
    }
    return Error(ErrorCode::Internal, "command carries no module");
  }

  Result<Module> compile(const Command& cmd) {
    VIV_TRY_ASSIGN(std::vector<uint8_t> bytes, module_binary(cmd));
    CompileOptions co;
    co.file = script_.file;
    co.tier = opts_.tier;
    return Module::compile(bytes, co);
  }

  std::string define_module(const Command& cmd) {
    // Until this module is defined, actions without a name must not silently
    // run against the previous one.
    current_ = Instance();
    if (!cmd.module_id.empty()) named_.erase(cmd.module_id);
    auto m = compile(cmd);
    if (!m.ok()) return "module failed to compile: " + error_str(m.error());
    auto inst = linker_.instantiate(store_, m.value());
    if (!inst.ok()) return "module failed to instantiate: " + error_str(inst.error());
    current_ = inst.value();
    if (!cmd.module_id.empty()) named_[cmd.module_id] = current_;
    return "";
  }

  std::string register_instance(const Command& cmd) {
    auto inst = instance_for(cmd.module_id);
    if (!inst.ok()) return inst.error().message();
    linker_.define_instance(cmd.register_name, inst.value());
    return "";
  }

  std::string expect_compile_error(const Command& cmd, Phase want) {
    auto bytes = module_binary(cmd);
    if (!bytes.ok()) {
      // A text module the parser rejects is malformed by definition; for any
      // other assertion the module should have parsed.
      if (want == Phase::Malformed) {
        if (message_matches(bytes.error().message(), cmd.message)) return "";
        return "expected malformed (\"" + cmd.message + "\"), got " + error_str(bytes.error());
      }
      return "expected " + std::string(phase_name(want)) + " (\"" + cmd.message + "\"), but the text did not parse: " +
             error_str(bytes.error());
    }
    CompileOptions co;
    co.file = script_.file;
    co.tier = opts_.tier;
    auto m = Module::compile(bytes.value(), co);
    if (m.ok()) return "expected " + std::string(phase_name(want)) + " (\"" + cmd.message + "\"), but the module compiled";
    if (m.error().phase() != want || !message_matches(m.error().message(), cmd.message)) {
      return "expected " + std::string(phase_name(want)) + " (\"" + cmd.message + "\"), got " + error_str(m.error());
    }
    return "";
  }

  std::string expect_instantiation_error(const Command& cmd, Phase want) {
    auto m = compile(cmd);
    if (!m.ok()) return "module failed to compile: " + error_str(m.error());
    auto inst = linker_.instantiate(store_, m.value());
    std::string wanted = std::string(phase_name(want)) + " (\"" + cmd.message + "\")";
    if (inst.ok()) return "expected " + wanted + ", but the module instantiated";
    if (inst.error().phase() != want) return "expected " + wanted + ", got " + error_str(inst.error());
    // Traps must say what the spec says; link errors are engine-worded.
    if (want == Phase::Trap && !message_matches(inst.error().message(), cmd.message)) {
      return "expected " + wanted + ", got " + error_str(inst.error());
    }
    return "";
  }

  // ---- actions ------------------------------------------------------------------

  Result<Instance> instance_for(const std::string& id) {
    if (id.empty()) {
      if (!current_.valid()) return Error(ErrorCode::NotFound, "no module is defined (or the last one failed)");
      return current_;
    }
    auto it = named_.find(id);
    if (it == named_.end()) return Error(ErrorCode::NotFound, "unknown module " + id);
    return it->second;
  }

  Ref extern_ref(uint32_t id) {
    auto& slot = externs_[id];
    if (!slot) slot = std::make_unique<uint32_t>(id);
    return Ref{slot.get()};
  }

  Result<std::vector<Value>> perform(const Action& a) {
    VIV_TRY_ASSIGN(Instance inst, instance_for(a.module_id));
    if (a.kind == Action::Get) {
      auto g = inst.global(a.field);
      if (!g) return Error(ErrorCode::NotFound, "no exported global \"" + a.field + "\"");
      return std::vector<Value>{g->get()};
    }
    auto f = inst.func(a.field);
    if (!f) return Error(ErrorCode::NotFound, "no exported function \"" + a.field + "\"");
    std::vector<Value> args;
    args.reserve(a.args.size());
    for (const ScriptArg& arg : a.args) {
      args.push_back(arg.is_extern ? Value::externref(extern_ref(arg.extern_id)) : arg.value);
    }
    return f->call(args);
  }

  std::string value_str(const Value& v) {
    if (v.type() == ValType::ExternRef && !v.ref().is_null()) {
      for (const auto& [id, p] : externs_) {
        if (p.get() == v.ref().ptr) return "ref.extern " + std::to_string(id);
      }
    }
    return v.to_string();
  }

  std::string values_str(const std::vector<Value>& vs) {
    std::string s = "(";
    for (size_t i = 0; i < vs.size(); ++i) s += (i ? " " : "") + value_str(vs[i]);
    return s + ")";
  }

  std::string assert_return(const Command& cmd) {
    auto r = perform(cmd.action);
    std::string want = "(";
    for (size_t i = 0; i < cmd.expected.size(); ++i) want += (i ? " " : "") + describe(cmd.expected[i]);
    want += ")";
    if (!r.ok()) return "expected " + want + ", got " + error_str(r.error());
    const std::vector<Value>& got = r.value();
    bool ok = got.size() == cmd.expected.size();
    ExternResolver resolve = [this](uint32_t id) { return extern_ref(id); };
    for (size_t i = 0; ok && i < got.size(); ++i) ok = matches(cmd.expected[i], got[i], resolve);
    return ok ? "" : "expected " + want + ", got " + values_str(got);
  }

  std::string expect_action_error(const Command& cmd, Phase want) {
    auto r = perform(cmd.action);
    std::string wanted = std::string(phase_name(want)) + " (\"" + cmd.message + "\")";
    if (r.ok()) return "expected " + wanted + ", got " + values_str(r.value());
    const Error& e = r.error();
    if (e.phase() != want || !message_matches(e.message(), cmd.message)) {
      return "expected " + wanted + ", got " + error_str(e);
    }
    return "";
  }

  // ---- reporting ----------------------------------------------------------------

  std::string describe_command(const Command& cmd) {
    std::string s = command_name(cmd.kind);
    if (cmd.kind == Command::Register) return s + " \"" + cmd.register_name + "\"" + (cmd.module_id.empty() ? "" : " " + cmd.module_id);
    bool acts = cmd.kind == Command::PerformAction || cmd.kind == Command::AssertReturn ||
                cmd.kind == Command::AssertExhaustion || (cmd.kind == Command::AssertTrap && cmd.has_action);
    if (acts) {
      const Action& a = cmd.action;
      s += a.kind == Action::Get ? " (get " : " (invoke ";
      if (!a.module_id.empty()) s += a.module_id + " ";
      s += "\"" + a.field + "\"";
      for (const ScriptArg& arg : a.args) {
        s += " " + (arg.is_extern ? "ref.extern " + std::to_string(arg.extern_id) : arg.value.to_string());
      }
      return s + ")";
    }
    if (!cmd.module_id.empty()) s += " " + cmd.module_id;
    if (cmd.form == Command::Binary) s += " (binary)";
    if (cmd.form == Command::Quote) s += " (quote)";
    return s;
  }

  void emit_module(const Command& cmd) {
    if (opts_.emit_modules_dir.empty()) return;
    std::vector<uint8_t> bytes;
    if (cmd.form == Command::Binary || (cmd.form == Command::Text && !cmd.encode_failed)) {
      bytes = cmd.binary;
    } else if (cmd.form == Command::Quote) {
      auto b = vivarium::engine::wat_to_binary(cmd.quote, script_.file);
      if (!b.ok()) return;
      bytes = std::move(b).value();
    } else {
      return;
    }
    std::string stem = std::filesystem::path(script_.file).stem().string();
    std::filesystem::path out =
        std::filesystem::path(opts_.emit_modules_dir) / (stem + "-" + std::to_string(cmd.line) + ".wasm");
    std::ofstream f(out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }

  const Script& script_;
  const RunnerOptions& opts_;
  Store store_;
  Linker linker_;
  std::optional<Error> setup_error_;
  Instance current_;
  std::map<std::string, Instance> named_;
  // ref.extern N is represented by the address of a runner-owned box holding N.
  std::map<uint32_t, std::unique_ptr<uint32_t>> externs_;
};

}  // namespace

ScriptReport run_script(const Script& script, const RunnerOptions& opts) { return Runner(script, opts).run(); }

ScriptReport run_wast_file(const std::string& path, const RunnerOptions& opts) {
  ScriptReport report;
  report.file = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Outcome o{0, false, "read", "cannot open " + path};
    if (opts.on_outcome) opts.on_outcome(o);
    report.outcomes.push_back(std::move(o));
    return report;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto script = vivarium::engine::parse_wast(ss.str(), path);
  if (!script.ok()) {
    Outcome o{script.error().where().line, false, "parse", error_str(script.error())};
    if (opts.on_outcome) opts.on_outcome(o);
    report.outcomes.push_back(std::move(o));
    return report;
  }
  return run_script(script.value(), opts);
}

}  // namespace vivarium::engine::script
