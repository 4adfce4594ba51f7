// A test fixture base: a WasiCtx built from a config, and a module (text
// format) instantiated against it through the real Linker.
#pragma once
#include <gtest/gtest.h>

#include <memory>

#include "host/wasi/wasi.h"
#include "vivarium/vivarium.h"

namespace vivarium::wasi::testing {

class WasiInstance {
 protected:
  void instantiate(const WasiConfig& cfg, const char* wat) {
    auto c = WasiCtx::create(cfg);
    ASSERT_TRUE(c.ok()) << c.error().message();
    ctx = std::move(*c);
    add_to_linker(linker, *ctx);
    auto m = Module::from_text(wat);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    auto i = linker.instantiate(store, *m);
    ASSERT_TRUE(i.ok()) << i.error().to_string();
    inst = *i;
  }

  std::unique_ptr<WasiCtx> ctx;
  Linker linker;
  Store store;
  Instance inst;
};

}  // namespace vivarium::wasi::testing
