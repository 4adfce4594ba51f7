// Defensive reading and rewriting of DNS messages (see dns_wire.h).
#include "host/net/dns_wire.h"

#include <cstring>

namespace vivarium::net::dns {
namespace {

constexpr size_t kHeader = 12;
constexpr int kMaxPointerHops = 64;
constexpr size_t kMaxNameWire = 255;

Error malformed(size_t offset, const std::string& what) {
  Location where;
  where.offset = offset;
  return Error(ErrorCode::Malformed, "DNS message: " + what + " at byte " + std::to_string(offset), where);
}

uint16_t u16(std::span<const uint8_t> m, size_t at) { return static_cast<uint16_t>(m[at] << 8 | m[at + 1]); }

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

struct Name {
  std::vector<uint8_t> wire;  // uncompressed labels, ending with the 0 byte
  std::string text;           // dotted lower-case
  size_t next = 0;            // offset after the name where it was read
};

// Reads a possibly compressed name at `at`. Pointers must point strictly
// backwards (so they cannot loop) and only when `allow_pointers`.
Result<Name> read_name(std::span<const uint8_t> m, size_t at, bool allow_pointers) {
  Name n;
  size_t pos = at;
  bool jumped = false;
  int hops = 0;
  for (;;) {
    if (pos >= m.size()) return malformed(pos, "name runs past the end");
    uint8_t len = m[pos];
    if ((len & 0xC0) == 0xC0) {
      if (!allow_pointers) return malformed(pos, "compression pointer where none is allowed");
      if (pos + 1 >= m.size()) return malformed(pos, "truncated compression pointer");
      size_t target = static_cast<size_t>(len & 0x3F) << 8 | m[pos + 1];
      if (target >= pos) return malformed(pos, "compression pointer does not point backwards");
      if (++hops > kMaxPointerHops) return malformed(pos, "too many compression pointers");
      if (!jumped) n.next = pos + 2;
      jumped = true;
      pos = target;
      continue;
    }
    if ((len & 0xC0) != 0) return malformed(pos, "unknown label type");
    if (len == 0) {
      n.wire.push_back(0);
      if (!jumped) n.next = pos + 1;
      if (n.wire.size() > kMaxNameWire) return malformed(at, "name longer than 255 bytes");
      return n;
    }
    if (pos + 1 + len > m.size()) return malformed(pos, "label runs past the end");
    if (n.wire.size() + 1 + len + 1 > kMaxNameWire) return malformed(at, "name longer than 255 bytes");
    if (!n.text.empty()) n.text.push_back('.');
    for (size_t i = 0; i < len; ++i) {
      char c = static_cast<char>(m[pos + 1 + i]);
      if (c == '.') return malformed(pos + 1 + i, "label contains a '.'");
      n.text.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    n.wire.insert(n.wire.end(), m.begin() + pos, m.begin() + pos + 1 + len);
    pos += 1 + len;
  }
}

struct Header {
  uint16_t id, flags, qd, an, ns, ar;
};

Result<Header> read_header(std::span<const uint8_t> m) {
  if (m.size() < kHeader) return malformed(m.size(), "shorter than the 12-byte header");
  if (m.size() > kMaxMessage) return malformed(kMaxMessage, "longer than 65535 bytes");
  return Header{u16(m, 0), u16(m, 2), u16(m, 4), u16(m, 6), u16(m, 8), u16(m, 10)};
}

// One resource record's fixed part after its owner name.
struct RecordHead {
  uint16_t type, klass;
  uint32_t ttl;
  uint16_t rdlength;
  size_t rdata;  // offset of RDATA
};

Result<RecordHead> read_record_head(std::span<const uint8_t> m, size_t at) {
  if (at + 10 > m.size()) return malformed(at, "record header runs past the end");
  RecordHead h{u16(m, at), u16(m, at + 2),
               static_cast<uint32_t>(u16(m, at + 4)) << 16 | u16(m, at + 6), u16(m, at + 8), at + 10};
  if (h.rdata + h.rdlength > m.size()) return malformed(at + 8, "RDATA runs past the end");
  return h;
}

// RDATA layout of the types that embed names: bytes before the first name,
// number of names, bytes after. Other types are copied verbatim.
struct NameLayout {
  size_t fixed_before;
  int names;
  size_t fixed_after;
};

bool name_layout(uint16_t type, NameLayout& out) {
  switch (type) {
    case 2: case 5: case 12: case 39: out = {0, 1, 0}; return true;  // NS, CNAME, PTR, DNAME
    case 15: out = {2, 1, 0}; return true;                           // MX
    case 6: out = {0, 2, 20}; return true;                           // SOA
    case 33: out = {6, 1, 0}; return true;                           // SRV
    default: return false;
  }
}

// Copies RDATA, decompressing embedded names.
Result<void> copy_rdata(std::span<const uint8_t> m, const RecordHead& h, std::vector<uint8_t>& out) {
  size_t len_at = out.size();
  put16(out, 0);
  NameLayout layout;
  size_t end = h.rdata + h.rdlength;
  if (!name_layout(h.type, layout)) {
    out.insert(out.end(), m.begin() + h.rdata, m.begin() + end);
  } else {
    size_t pos = h.rdata;
    if (pos + layout.fixed_before > end) return malformed(pos, "RDATA too short for its type");
    out.insert(out.end(), m.begin() + pos, m.begin() + pos + layout.fixed_before);
    pos += layout.fixed_before;
    for (int i = 0; i < layout.names; ++i) {
      if (pos >= end) return malformed(pos, "RDATA too short for its type");
      VIV_TRY_ASSIGN(Name n, read_name(m.first(end), pos, true));
      out.insert(out.end(), n.wire.begin(), n.wire.end());
      pos = n.next;
    }
    if (pos + layout.fixed_after != end) return malformed(pos, "RDATA length does not match its type");
    out.insert(out.end(), m.begin() + pos, m.begin() + end);
  }
  size_t written = out.size() - len_at - 2;
  if (written > 0xFFFF) return malformed(h.rdata, "RDATA too long once decompressed");
  out[len_at] = static_cast<uint8_t>(written >> 8);
  out[len_at + 1] = static_cast<uint8_t>(written);
  return {};
}

}  // namespace

Result<Question> parse_query(std::span<const uint8_t> m) {
  VIV_TRY_ASSIGN(Header h, read_header(m));
  if (h.flags & 0x8000) return malformed(2, "QR is set: a response, not a query");
  if ((h.flags >> 11 & 0xF) != 0) return malformed(2, "opcode is not QUERY");
  if (h.qd != 1) return malformed(4, "a query must hold exactly one question, not " + std::to_string(h.qd));
  if (h.an != 0 || h.ns != 0) return malformed(6, "a query must not hold answer or authority records");
  VIV_TRY_ASSIGN(Name n, read_name(m, kHeader, false));
  if (n.next + 4 > m.size()) return malformed(n.next, "question runs past the end");
  Question q{h.id, n.text, u16(m, n.next), u16(m, n.next + 2)};
  size_t pos = n.next + 4;
  for (int i = 0; i < h.ar; ++i) {  // EDNS OPT and the like
    VIV_TRY_ASSIGN(Name rn, read_name(m, pos, false));
    VIV_TRY_ASSIGN(RecordHead rh, read_record_head(m, rn.next));
    pos = rh.rdata + rh.rdlength;
  }
  if (pos != m.size()) return malformed(pos, std::to_string(m.size() - pos) + " bytes after the last record");
  return q;
}

Result<std::vector<uint8_t>> filter_response(std::span<const uint8_t> m, const Question& q,
                                             const AddressFilter& keep) {
  VIV_TRY_ASSIGN(Header h, read_header(m));
  if (h.id != q.id) return malformed(0, "answer id " + std::to_string(h.id) + " does not match query id " + std::to_string(q.id));
  if (!(h.flags & 0x8000)) return malformed(2, "QR is clear: a query, not an answer");
  if (h.qd != 1) return malformed(4, "an answer must repeat exactly one question, not " + std::to_string(h.qd));
  VIV_TRY_ASSIGN(Name qn, read_name(m, kHeader, true));
  if (qn.next + 4 > m.size()) return malformed(qn.next, "question runs past the end");
  if (qn.text != q.name || u16(m, qn.next) != q.qtype || u16(m, qn.next + 2) != q.qclass)
    return malformed(kHeader, "the answer's question is not the query's");

  std::vector<uint8_t> out(m.begin(), m.begin() + kHeader);
  out.insert(out.end(), qn.wire.begin(), qn.wire.end());
  out.insert(out.end(), m.begin() + qn.next, m.begin() + qn.next + 4);
  size_t pos = qn.next + 4;
  uint16_t counts[3] = {h.an, h.ns, h.ar};
  for (int section = 0; section < 3; ++section) {
    uint16_t kept = 0;
    for (uint16_t i = 0; i < counts[section]; ++i) {
      VIV_TRY_ASSIGN(Name owner, read_name(m, pos, true));
      VIV_TRY_ASSIGN(RecordHead rh, read_record_head(m, owner.next));
      pos = rh.rdata + rh.rdlength;
      if (rh.klass == kClassIN && (rh.type == kTypeA || rh.type == kTypeAAAA)) {
        size_t want = rh.type == kTypeA ? 4 : 16;
        if (rh.rdlength != want)
          return malformed(rh.rdata - 2, (rh.type == kTypeA ? "A" : "AAAA") + std::string(" record of ") +
                                             std::to_string(rh.rdlength) + " bytes");
        IpAddress a;
        a.v6 = rh.type == kTypeAAAA;
        std::memcpy(a.bytes, m.data() + rh.rdata, want);
        if (a.v6) {  // normalize ::ffff:a.b.c.d through the one parser that does it
          auto norm = IpAddress::parse(a.to_string());
          if (norm) a = *norm;
        }
        if (!keep(a)) continue;
      }
      out.insert(out.end(), owner.wire.begin(), owner.wire.end());
      out.insert(out.end(), m.begin() + owner.next, m.begin() + owner.next + 8);  // type, class, ttl
      VIV_TRY(copy_rdata(m, rh, out));
      ++kept;
    }
    out[6 + 2 * section] = static_cast<uint8_t>(kept >> 8);
    out[7 + 2 * section] = static_cast<uint8_t>(kept);
  }
  if (pos != m.size()) return malformed(pos, std::to_string(m.size() - pos) + " bytes after the last record");
  if (out.size() > kMaxMessage) return malformed(0, "answer longer than 65535 bytes once decompressed");
  return out;
}

std::vector<uint8_t> build_query(uint16_t id, std::string_view name, uint16_t qtype) {
  std::vector<uint8_t> out;
  put16(out, id);
  put16(out, 0x0100);  // RD
  put16(out, 1);
  put16(out, 0);
  put16(out, 0);
  put16(out, 0);
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    size_t len = std::min<size_t>(dot - start, 63);
    out.push_back(static_cast<uint8_t>(len));
    out.insert(out.end(), name.begin() + start, name.begin() + start + len);
    start = dot + 1;
  }
  out.push_back(0);
  put16(out, qtype);
  put16(out, kClassIN);
  return out;
}

}  // namespace vivarium::net::dns
