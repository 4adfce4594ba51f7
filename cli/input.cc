#include "cli/input.h"

#include "vivarium/module.h"

namespace vivarium::cli {

Result<std::vector<uint8_t>> read_module_binary(const std::string& path) { return Module::read_file(path); }

}  // namespace vivarium::cli
