// Module-level decoding (spec 5.5): header, the sequence of sections and
// their order, and the checks that span sections (function/code and data
// count agreement). Section contents are read in sections.cc.
#include "engine/decoder/decoder.h"

#include <cstring>
#include <string>

#include "engine/decoder/decode_state.h"

namespace vivarium::engine {
namespace {

using decoder::DecodeState;

enum SectionId : uint8_t {
  kCustom = 0, kType = 1, kImport = 2, kFunction = 3, kTable = 4, kMemory = 5, kGlobal = 6,
  kExport = 7, kStart = 8, kElement = 9, kCode = 10, kData = 11, kDataCount = 12,
};
constexpr uint8_t kMaxSectionId = kDataCount;

const char* section_name(uint8_t id) {
  static constexpr const char* kNames[] = {"custom", "type",    "import", "function", "table",
                                           "memory", "global",  "export", "start",    "element",
                                           "code",   "data",    "datacount"};
  return id <= kMaxSectionId ? kNames[id] : "unknown";
}

// Position of each known section in the required order (spec 5.5.2): data
// count sits between element and code, although its id is the largest.
constexpr int order_of(uint8_t id) {
  constexpr int kOrder[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  return kOrder[id];
}

using SectionReader = Result<void> (*)(DecodeState&);
constexpr SectionReader kReaders[] = {
    nullptr,
    decoder::read_type_section,
    decoder::read_import_section,
    decoder::read_function_section,
    decoder::read_table_section,
    decoder::read_memory_section,
    decoder::read_global_section,
    decoder::read_export_section,
    decoder::read_start_section,
    decoder::read_element_section,
    decoder::read_code_section,
    decoder::read_data_section,
    decoder::read_data_count_section,
};

Error at(uint64_t off, ErrorCode code, const char* msg) { return Reader::error_at(off, code, msg); }

// Errors raised inside a section name that section; running out of input
// there is what the spec suite calls the end "of section or function".
Error in_section(Error e, std::string section) {
  if (e.code() == ErrorCode::UnexpectedEnd && e.message() == "unexpected end")
    e = Error(e.code(), "unexpected end of section or function", e.where());
  e.where().section = std::move(section);
  return e;
}

Result<void> read_header(Reader& r) {
  static constexpr uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6D};
  static constexpr uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};
  if (r.remaining() < 4) return at(r.offset(), ErrorCode::UnexpectedEnd, "unexpected end");
  if (std::memcmp(r.pos(), kMagic, 4) != 0) return at(0, ErrorCode::BadMagic, "magic header not detected");
  r.skip_to(r.pos() + 4);
  if (r.remaining() < 4) return at(r.offset(), ErrorCode::UnexpectedEnd, "unexpected end");
  if (std::memcmp(r.pos(), kVersion, 4) != 0) return at(4, ErrorCode::BadVersion, "unknown binary version");
  r.skip_to(r.pos() + 4);
  return {};
}

// A custom section is read within its declared size (unlike the known
// sections) because its contents are opaque: only the name is checked.
Result<void> read_custom_section(DecodeState& s, const uint8_t* end, vivarium::SectionInfo& info) {
  Reader& outer = s.r();
  Reader r(std::span<const uint8_t>(outer.pos(), static_cast<size_t>(end - outer.pos())), outer.offset());
  VIV_TRY_ASSIGN(std::string_view name, r.name());
  info.name = "custom:" + std::string(name);
  if (name == "name") decoder::read_name_section(s.m, std::span<const uint8_t>(r.pos(), r.remaining()), r.offset());
  outer.skip_to(end);
  return {};
}

Result<void> decode_into(DecodeState& s) {
  Reader& r = s.r();
  VIV_TRY(read_header(r));

  int last_order = 0;  // order_of the last known section seen
  while (!r.at_end()) {
    const uint64_t id_at = r.offset();
    VIV_TRY_ASSIGN(uint8_t id, r.u8());
    if (id > kMaxSectionId) return at(id_at, ErrorCode::BadSection, "malformed section id");
    const char* name = section_name(id);
    auto size_r = r.u32();
    if (!size_r.ok()) return in_section(std::move(size_r).error(), name);
    const uint32_t size = size_r.value();
    if (size > r.remaining())
      return in_section(r.error(ErrorCode::UnexpectedEnd, "length out of bounds"), name);
    const uint8_t* end = r.pos() + size;

    vivarium::SectionInfo info;
    info.name = name;
    info.id = id;
    info.offset = r.offset();
    info.size = size;

    if (id == kCustom) {
      auto res = read_custom_section(s, end, info);
      if (!res.ok()) return in_section(std::move(res).error(), name);
    } else {
      // Each known section at most once, in order; anything else after a
      // later section is content the format does not allow there.
      if (order_of(id) <= last_order)
        return at(id_at, ErrorCode::BadSection, "unexpected content after last section");
      last_order = order_of(id);
      auto res = kReaders[id](s);
      if (!res.ok()) return in_section(std::move(res).error(), name);
      if (r.pos() != end)
        return in_section(at(info.offset, ErrorCode::BadSection, "section size mismatch"), name);
    }
    s.m.sections.push_back(std::move(info));
  }

  // Checks across sections, made once all are read (as the reference
  // interpreter does, so a later section's own error takes precedence).
  const uint64_t eof = r.offset();
  if (s.m.funcs.size() != s.code_count.value_or(0))
    return in_section(at(eof, ErrorCode::Malformed, "function and code section have inconsistent lengths"), "code");
  if (s.m.data_count && *s.m.data_count != s.m.datas.size())
    return in_section(at(eof, ErrorCode::Malformed, "data count and data section have inconsistent lengths"),
                      "datacount");
  if (!s.m.data_count && s.uses_data_index)
    return in_section(at(eof, ErrorCode::Malformed, "data count section required"), "code");
  return {};
}

}  // namespace

Result<std::unique_ptr<ModuleIR>> decode(std::span<const uint8_t> bytes) {
  return decode(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

Result<std::unique_ptr<ModuleIR>> decode(std::vector<uint8_t>&& bytes) {
  // Spans into the module are 32-bit, as are all sizes in the binary format.
  if (bytes.size() > UINT32_MAX) return Reader::error_at(0, ErrorCode::Malformed, "module too large");
  auto m = std::make_unique<ModuleIR>();
  m->bytes = std::move(bytes);
  DecodeState s(*m);
  VIV_TRY(decode_into(s));
  return m;
}

}  // namespace vivarium::engine
