#include "host/terrarium/program.h"

#include "host/terrarium/abi.h"
#include "host/terrarium/hostcalls.h"

namespace vivarium::terrarium {

Result<void> check_guest_module(const Module& module) {
  for (const ImportDesc& imp : module.imports()) {
    const std::string where = "import " + imp.module + "." + imp.name;
    if (imp.kind != ExternKind::Func) {
      return Error(ErrorCode::UnknownImport, where + ": a Terrarium guest imports only functions, not a " +
                                                 std::string(to_string(imp.kind)));
    }
    const std::string_view name = imp.name;
    if (imp.module != kHostcallModule || !name.starts_with(kHostcallPrefix)) {
      return Error(ErrorCode::UnknownImport, where + ": a Terrarium guest imports only env.hostcall_* functions");
    }
    const HostcallSig* sig = find_hostcall(name.substr(kHostcallPrefix.size()));
    if (sig == nullptr) return Error(ErrorCode::UnknownImport, where + ": no such hostcall in the Terrarium ABI");
    const FuncType want = sig->type();
    if (!(imp.func == want)) {
      return Error(ErrorCode::IncompatibleImport,
                   where + " has type " + imp.func.to_string() + " but the ABI's is " + want.to_string());
    }
  }
  for (const ExportDesc& exp : module.exports()) {
    if (exp.name != "run") continue;
    if (exp.kind != ExternKind::Func) {
      return Error(ErrorCode::UnknownImport, "export \"run\" is a " + std::string(to_string(exp.kind)) + ", not a function");
    }
    if (!exp.func.params.empty() || !exp.func.results.empty()) {
      return Error(ErrorCode::IncompatibleImport, "export \"run\" has type " + exp.func.to_string() + " but must be () -> ()");
    }
    return {};
  }
  return Error(ErrorCode::NotFound, "the module exports no function \"run\" (a Terrarium guest handles each request in run: () -> ())");
}

Result<std::shared_ptr<const GuestProgram>> GuestProgram::prepare(std::shared_ptr<const Module> module,
                                                                  GuestConfig config) {
  if (!module) return Error(ErrorCode::Usage, "GuestProgram::prepare: no module");
  if (!config.egress) config.egress = std::make_shared<const net::EgressPolicy>();
  VIV_TRY(check_guest_module(*module));
  auto impl = std::make_unique<Impl>();
  impl->module = std::move(module);
  impl->config = std::move(config);
  define_hostcalls(impl->linker);
  return std::shared_ptr<const GuestProgram>(new GuestProgram(std::move(impl)));
}

GuestProgram::GuestProgram(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GuestProgram::~GuestProgram() = default;
const Module& GuestProgram::module() const { return *impl_->module; }
const GuestConfig& GuestProgram::config() const { return impl_->config; }
GuestCost& GuestProgram::cost() const { return impl_->cost; }

}  // namespace vivarium::terrarium
