#include "engine/compiler/jit.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string_view>

#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/JITLink/JITLink.h>
#include <llvm/ExecutionEngine/ObjectCache.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include "engine/compiler/native_abi.h"
#include "engine/compiler/translate.h"

namespace vivarium::engine::compiler {

constexpr uint32_t kUnknown = UINT32_MAX;  // a line-table row of no wasm instruction

struct Jit::Impl {
  std::unique_ptr<llvm::ObjectCache> capture;  // outlives the JIT that calls it
  std::unique_ptr<llvm::orc::LLJIT> lljit;
  std::string object;                          // the linked object (its line table maps traps)
  std::map<std::string, uintptr_t> sections;   // where the linker put each code section
  std::once_flag sites_once;
  std::vector<std::pair<uintptr_t, NativeModule::TrapSite>> sites;  // by address
  void read_sites();
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
    // Machine instructions of no wasm instruction get line-0 rows instead of
    // continuing the previous row, so a fault there reports no offset rather
    // than a wrong one (Jit::trap_site).
    const char* argv[] = {"vivarium", "-use-unknown-locations=Enable"};
    llvm::cl::ParseCommandLineOptions(2, argv);
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

// Records where the linker put the machine code (the fault handler's PC check).
class RangeRecorder final : public llvm::orc::ObjectLinkingLayer::Plugin {
 public:
  RangeRecorder(std::vector<NativeModule::Range>* ranges, uint32_t imported, std::map<std::string, uintptr_t>* sections)
      : ranges_(ranges), imported_(imported), sections_(sections) {}
  void modifyPassConfig(llvm::orc::MaterializationResponsibility&, llvm::jitlink::LinkGraph&,
                        llvm::jitlink::PassConfiguration& config) override {
    config.PostFixupPasses.push_back([this](llvm::jitlink::LinkGraph& g) { return record(g); });
  }
  llvm::Error notifyFailed(llvm::orc::MaterializationResponsibility&) override { return llvm::Error::success(); }
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey) override {
    return llvm::Error::success();
  }
  void notifyTransferringResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey, llvm::orc::ResourceKey) override {}

 private:
  llvm::Error record(llvm::jitlink::LinkGraph& g) {
    for (llvm::jitlink::Section& sec : g.sections()) {
      if ((static_cast<unsigned>(sec.getMemProt()) & static_cast<unsigned>(llvm::orc::MemProt::Exec)) == 0) continue;
      for (llvm::jitlink::Block* b : sec.blocks()) {
        const uintptr_t begin = b->getAddress().getValue();
        ranges_->push_back({begin, begin + b->getSize(), UINT32_MAX});
      }
      // ELF: one block per section, at the section's start.
      if (!sec.blocks().empty()) (*sections_)[sec.getName().str()] = (*sec.blocks().begin())->getAddress().getValue();
      for (llvm::jitlink::Symbol* sym : sec.symbols()) {
        if (!sym->hasName() || sym->getSize() == 0) continue;
        llvm::StringRef name = sym->getName();
        uint32_t i = 0;
        if (!name.consume_front("f") || name.getAsInteger(10, i)) continue;
        const uintptr_t begin = sym->getAddress().getValue();
        ranges_->push_back({begin, begin + sym->getSize(), imported_ + i});
      }
    }
    return llvm::Error::success();
  }
  std::vector<NativeModule::Range>* ranges_;
  uint32_t imported_;
  std::map<std::string, uintptr_t>* sections_;
};

// Keeps a copy of the object LLVM compiled (the code cache stores it).
class CaptureObject final : public llvm::ObjectCache {
 public:
  CaptureObject(std::string* out, std::string* also) : out_(out), also_(also) {}
  void notifyObjectCompiled(const llvm::Module*, llvm::MemoryBufferRef obj) override {
    out_->assign(obj.getBufferStart(), obj.getBufferSize());
    if (also_) *also_ = *out_;
  }
  std::unique_ptr<llvm::MemoryBuffer> getObject(const llvm::Module*) override { return nullptr; }

 private:
  std::string* out_;
  std::string* also_;  // optional
};

// The host CPU with its features (the code cache's key names them), in
// the small code model, position independent: calls between compiled functions are direct
// `call rel32` and helpers go through the linker's PLT stubs. (LLVM's JIT
// default, the large model, makes every call an indirect call through a
// 64-bit immediate, with the callee-saved registers to hold them.)
llvm::Expected<llvm::orc::JITTargetMachineBuilder> host_target() {
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (jtmb) {
    // No AVX-512: with it, x86 turns a select of a loaded value into a
    // masked load, which suppresses the fault of a masked-off lane, so an
    // out-of-bounds load left to the guard pages would not trap (found by
    // the differential fuzzer).
    jtmb->getFeatures().AddFeature("avx512f", false);
    jtmb->setCodeModel(llvm::CodeModel::Small);
    jtmb->setRelocationModel(llvm::Reloc::PIC_);  // constants RIP-relative: code lands anywhere
  }
  return jtmb;
}

// An LLJIT for the host CPU whose linker records code ranges and which knows
// the helpers; `capture` (optional) receives each compiled object.
Result<std::unique_ptr<llvm::orc::LLJIT>> make_lljit(std::vector<NativeModule::Range>* ranges, uint32_t imported,
                                                     std::map<std::string, uintptr_t>* sections,
                                                     llvm::ObjectCache* capture) {
  init_llvm();
  auto jtmb = host_target();
  if (!jtmb) return llvm_error(jtmb.takeError(), "cannot target this CPU");
  llvm::orc::LLJITBuilder builder;
  builder.setJITTargetMachineBuilder(std::move(*jtmb))
      .setObjectLinkingLayerCreator([&](llvm::orc::ExecutionSession& es, const llvm::Triple&) {
        auto layer = std::make_unique<llvm::orc::ObjectLinkingLayer>(es);
        layer->addPlugin(std::make_unique<RangeRecorder>(ranges, imported, sections));
        return llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>>(std::move(layer));
      });
  if (capture) {
    builder.setCompileFunctionCreator([capture](llvm::orc::JITTargetMachineBuilder b)
                                          -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
      auto tm = b.createTargetMachine();
      if (!tm) return tm.takeError();
      return std::make_unique<llvm::orc::TMOwningSimpleCompiler>(std::move(*tm), capture);
    });
  }
  auto lljit = builder.create();
  if (!lljit) return llvm_error(lljit.takeError(), "cannot create the JIT");
  llvm::orc::JITDylib& jd = (*lljit)->getMainJITDylib();
  if (auto e = jd.define(llvm::orc::absoluteSymbols(helper_symbols(**lljit)))) {
    return llvm_error(std::move(e), "cannot define the runtime helpers");
  }
  return std::move(*lljit);
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

Result<std::unique_ptr<Jit>> Jit::create(std::unique_ptr<llvm::LLVMContext> ctx, std::unique_ptr<llvm::Module> m,
                                         std::vector<NativeModule::Range>* ranges, uint32_t num_imported_funcs,
                                         std::string* object_out) {
  init_llvm();
  auto jtmb = host_target();
  if (!jtmb) return llvm_error(jtmb.takeError(), "cannot target this CPU");
  auto tm = jtmb->createTargetMachine();
  if (!tm) return llvm_error(tm.takeError(), "cannot create the target machine");
  m->setDataLayout((*tm)->createDataLayout());
  m->setTargetTriple((*tm)->getTargetTriple().str());
  // VIVARIUM_NATIVE_DUMP=1 prints the IR before optimization, =opt after it
  // (debugging the tier).
  const char* dump = std::getenv("VIVARIUM_NATIVE_DUMP");
  if (dump && std::string_view(dump) != "opt") m->print(llvm::errs(), nullptr);
  if (llvm::verifyModule(*m, &llvm::errs())) return Error(ErrorCode::Internal, "native tier produced invalid LLVM IR");
  optimize(*m, tm->get());
  locate_folded_loads(*m);
  if (dump && std::string_view(dump) == "opt") m->print(llvm::errs(), nullptr);

  auto impl = std::make_unique<Impl>();
  impl->capture = std::make_unique<CaptureObject>(&impl->object, object_out);
  VIV_TRY_ASSIGN(impl->lljit, make_lljit(ranges, num_imported_funcs, &impl->sections, impl->capture.get()));
  if (auto e = impl->lljit->addIRModule(llvm::orc::ThreadSafeModule(std::move(m), std::move(ctx)))) {
    return llvm_error(std::move(e), "cannot add the module to the JIT");
  }
  return std::unique_ptr<Jit>(new Jit(std::move(impl)));
}

Result<std::unique_ptr<Jit>> Jit::load(const std::string& object, std::vector<NativeModule::Range>* ranges,
                                       uint32_t num_imported_funcs) {
  auto impl = std::make_unique<Impl>();
  impl->object = object;
  VIV_TRY_ASSIGN(impl->lljit, make_lljit(ranges, num_imported_funcs, &impl->sections, nullptr));
  if (auto e = impl->lljit->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(object, "cached.o"))) {
    return llvm_error(std::move(e), "cannot load the cached object");
  }
  return std::unique_ptr<Jit>(new Jit(std::move(impl)));
}

// The line table (translate_ops.h, ModuleTranslator::subprogram): per row, a
// section-relative address, the file (the function index) and the line (the
// wasm offset), up to the next row; rows at line 0 (code of no particular
// instruction) and the ends of sequences are kept as "unknown".
void Jit::Impl::read_sites() {
  auto obj = llvm::object::ObjectFile::createObjectFile(llvm::MemoryBufferRef(object, "jit.o"));
  if (!obj) {
    llvm::consumeError(obj.takeError());
    return;
  }
  std::map<uint64_t, uintptr_t> base;  // section index -> linked address
  for (const llvm::object::SectionRef& s : (*obj)->sections()) {
    auto name = s.getName();
    if (!name) {
      llvm::consumeError(name.takeError());
      continue;
    }
    if (auto it = sections.find(name->str()); it != sections.end()) base[s.getIndex()] = it->second;
  }
  auto dwarf = llvm::DWARFContext::create(**obj);
  for (const auto& cu : dwarf->compile_units()) {
    const llvm::DWARFDebugLine::LineTable* table = dwarf->getLineTableForUnit(cu.get());
    if (!table) continue;
    for (const llvm::DWARFDebugLine::Row& row : table->Rows) {
      auto b = base.find(row.Address.SectionIndex);
      if (b == base.end()) continue;
      std::string file;
      uint32_t func = kUnknown;
      if (row.EndSequence || row.Line == 0 ||
          !table->getFileNameByIndex(row.File, "", llvm::DILineInfoSpecifier::FileLineInfoKind::RawValue, file) ||
          llvm::StringRef(file).getAsInteger(10, func)) {
        func = kUnknown;
      }
      sites.push_back({b->second + row.Address.Address, {func, row.Line}});
    }
  }
  // Each sequence (one per code section) is in address order already; rows
  // at one address keep their order (the last one holds).
  auto by_address = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(sites.begin(), sites.end(), by_address)) std::sort(sites.begin(), sites.end(), by_address);
}

std::optional<NativeModule::TrapSite> Jit::trap_site(uintptr_t pc) {
  std::call_once(impl_->sites_once, [this] { impl_->read_sites(); });
  auto it = std::upper_bound(impl_->sites.begin(), impl_->sites.end(), pc,
                             [](uintptr_t p, const auto& s) { return p < s.first; });
  if (it == impl_->sites.begin()) return std::nullopt;
  --it;  // the row whose range holds pc
  if (it->second.func_index == kUnknown) return std::nullopt;
  return it->second;
}

std::vector<void*> Jit::lookup_all(const std::vector<std::string>& names) {
  std::vector<void*> out(names.size(), nullptr);
  llvm::orc::LLJIT& j = *impl_->lljit;
  std::vector<llvm::orc::SymbolStringPtr> interned;
  interned.reserve(names.size());
  llvm::orc::SymbolLookupSet set;
  for (const std::string& n : names) {
    interned.push_back(j.mangleAndIntern(n));
    set.add(interned.back());
  }
  auto found = j.getExecutionSession().lookup(
      llvm::orc::makeJITDylibSearchOrder(&j.getMainJITDylib(), llvm::orc::JITDylibLookupFlags::MatchAllSymbols),
      std::move(set));
  if (!found) {
    llvm::consumeError(found.takeError());
    return out;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    auto it = found->find(interned[i]);
    if (it != found->end()) out[i] = it->second.getAddress().toPtr<void*>();
  }
  return out;
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
