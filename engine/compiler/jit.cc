#include "engine/compiler/jit.h"

#include <cstdlib>
#include <mutex>

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include "engine/compiler/native_abi.h"

namespace vivarium::engine::compiler {

struct Jit::Impl {
  std::unique_ptr<llvm::orc::LLJIT> lljit;
};

Jit::Jit(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Jit::~Jit() = default;

namespace {

Error llvm_error(llvm::Error e, const char* what) {
  return Error(ErrorCode::Internal, std::string(what) + ": " + llvm::toString(std::move(e)));
}

void init_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

// The helpers' addresses, given to the JIT by name (compiled code never goes
// through the dynamic linker, which a static vivarium binary does not have).
llvm::orc::SymbolMap helper_symbols(llvm::orc::LLJIT& j) {
  llvm::orc::SymbolMap m;
  auto add = [&](const char* name, auto* fn) {
    m[j.mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(reinterpret_cast<void*>(fn)),
                                  llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  };
  add("viv_native_trap", &viv_native_trap);
  add("viv_native_check", &viv_native_check);
  add("viv_native_call", &viv_native_call);
  add("viv_native_indirect", &viv_native_indirect);
  add("viv_native_call_ref", &viv_native_call_ref);
  add("viv_native_memory_grow", &viv_native_memory_grow);
  add("viv_native_memory_fill", &viv_native_memory_fill);
  add("viv_native_memory_copy", &viv_native_memory_copy);
  add("viv_native_memory_init", &viv_native_memory_init);
  add("viv_native_data_drop", &viv_native_data_drop);
  add("viv_native_table_get", &viv_native_table_get);
  add("viv_native_table_set", &viv_native_table_set);
  add("viv_native_table_size", &viv_native_table_size);
  add("viv_native_table_grow", &viv_native_table_grow);
  add("viv_native_table_fill", &viv_native_table_fill);
  add("viv_native_table_copy", &viv_native_table_copy);
  add("viv_native_table_init", &viv_native_table_init);
  add("viv_native_elem_drop", &viv_native_elem_drop);
  add("viv_native_ref_func", &viv_native_ref_func);
  return m;
}

void optimize(llvm::Module& m, llvm::TargetMachine* tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  mpm.run(m, mam);
}

}  // namespace

Result<std::unique_ptr<Jit>> Jit::create(std::unique_ptr<llvm::LLVMContext> ctx, std::unique_ptr<llvm::Module> m) {
  init_llvm();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) return llvm_error(jtmb.takeError(), "cannot target this CPU");
  auto tm = jtmb->createTargetMachine();
  if (!tm) return llvm_error(tm.takeError(), "cannot create the target machine");
  m->setDataLayout((*tm)->createDataLayout());
  m->setTargetTriple((*tm)->getTargetTriple().str());
  // VIVARIUM_NATIVE_DUMP=1 prints the IR before optimization (debugging the tier).
  if (std::getenv("VIVARIUM_NATIVE_DUMP")) m->print(llvm::errs(), nullptr);
  if (llvm::verifyModule(*m, &llvm::errs())) return Error(ErrorCode::Internal, "native tier produced invalid LLVM IR");
  optimize(*m, tm->get());

  auto lljit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!lljit) return llvm_error(lljit.takeError(), "cannot create the JIT");
  auto impl = std::make_unique<Impl>();
  impl->lljit = std::move(*lljit);
  llvm::orc::JITDylib& jd = impl->lljit->getMainJITDylib();
  if (auto e = jd.define(llvm::orc::absoluteSymbols(helper_symbols(*impl->lljit)))) {
    return llvm_error(std::move(e), "cannot define the runtime helpers");
  }
  if (auto e = impl->lljit->addIRModule(llvm::orc::ThreadSafeModule(std::move(m), std::move(ctx)))) {
    return llvm_error(std::move(e), "cannot add the module to the JIT");
  }
  return std::unique_ptr<Jit>(new Jit(std::move(impl)));
}

void* Jit::lookup(const std::string& name) {
  auto a = impl_->lljit->lookup(name);
  if (!a) {
    llvm::consumeError(a.takeError());
    return nullptr;
  }
  return a->toPtr<void*>();
}

}  // namespace vivarium::engine::compiler
