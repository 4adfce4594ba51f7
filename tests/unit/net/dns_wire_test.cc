#include "host/net/dns_wire.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "dns_test_util.h"

namespace vivarium::net::dns {
namespace {

using testing::AnswerBuilder;

std::string error_of(const Result<Question>& r) { return r.ok() ? "(accepted)" : r.error().message(); }
std::string error_of(const Result<std::vector<uint8_t>>& r) { return r.ok() ? "(accepted)" : r.error().message(); }

bool keep_all(const IpAddress&) { return true; }

TEST(DnsWire, ParsesAQuery) {
  auto q = parse_query(build_query(0x1234, "WWW.Example.com", kTypeAAAA));
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->id, 0x1234);
  EXPECT_EQ(q->name, "www.example.com");
  EXPECT_EQ(q->qtype, kTypeAAAA);
  EXPECT_EQ(q->qclass, kClassIN);
}

TEST(DnsWire, RejectsBadQueries) {
  std::vector<uint8_t> good = build_query(1, "example.com", kTypeA);
  auto with = [&](auto edit) {
    std::vector<uint8_t> m = good;
    edit(m);
    return error_of(parse_query(m));
  };
  EXPECT_NE(error_of(parse_query(std::vector<uint8_t>(5))).find("shorter than the 12-byte header"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m[2] |= 0x80; }).find("QR is set"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m[2] |= 0x28; }).find("opcode"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m[5] = 2; }).find("exactly one question"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m[7] = 1; }).find("answer or authority"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m[12] = 0xC0; m[13] = 0x0C; }).find("compression pointer"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m[12] = 0x40; }).find("unknown label type"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m[12] = 60; }).find("past the end"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m.resize(m.size() - 2); }).find("question runs past the end"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m.push_back(0); }).find("1 bytes after the last record"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m[13] = '.'; }).find("label contains a '.'"), std::string::npos);
  EXPECT_NE(with([](auto& m) { m[11] = 1; }).find("past the end"), std::string::npos);
  // Every error names a byte offset.
  EXPECT_NE(with([](auto& m) { m[12] = 60; }).find("at byte 12"), std::string::npos);
}

TEST(DnsWire, FiltersAddressesInEverySection) {
  std::vector<uint8_t> query = build_query(7, "example.com", kTypeA);
  AnswerBuilder b(query);
  b.a(93, 184, 216, 34).a(10, 0, 0, 1).a(127, 0, 0, 1);
  auto q = parse_query(query);
  ASSERT_TRUE(q.ok());
  auto r = filter_response(b.msg, *q, [](const IpAddress& a) { return !a.needs_address_grant(); });
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(testing::answer_addresses(*r), std::vector<std::string>{"93.184.216.34"});
  auto all = filter_response(b.msg, *q, keep_all);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(testing::answer_addresses(*all).size(), 3u);
}

TEST(DnsWire, MappedAaaaIsJudgedAsIpv4) {
  std::vector<uint8_t> query = build_query(7, "example.com", kTypeAAAA);
  AnswerBuilder b(query);
  b.aaaa("::ffff:127.0.0.1").aaaa("2606:2800:220:1::1");
  auto q = parse_query(query);
  std::vector<std::string> seen;
  auto r = filter_response(b.msg, *q, [&](const IpAddress& a) {
    seen.push_back(a.to_string());
    return !a.needs_address_grant();
  });
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(seen, (std::vector<std::string>{"127.0.0.1", "2606:2800:220:1::1"}));
  EXPECT_EQ(testing::answer_addresses(*r), std::vector<std::string>{"2606:2800:220:1::1"});
}

TEST(DnsWire, DecompressesNamesSoRemovalKeepsPointersValid) {
  // CNAME example.com -> cdn.example.com (compressed), then A records owned
  // by the CNAME target through a pointer into the CNAME's RDATA.
  std::vector<uint8_t> query = build_query(9, "example.com", kTypeA);
  AnswerBuilder b(query);
  b.a(10, 0, 0, 1);  // removed: everything after it moves
  size_t cname_rdata = b.msg.size() + 12;
  b.record(5, {3, 'c', 'd', 'n', 0xC0, 0x0C});
  b.record(1, {1, 1, 1, 1}, {static_cast<uint8_t>(0xC0 | cname_rdata >> 8), static_cast<uint8_t>(cname_rdata)});
  auto q = parse_query(query);
  auto r = filter_response(b.msg, *q, [](const IpAddress& a) { return !a.needs_address_grant(); });
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(testing::answer_addresses(*r), std::vector<std::string>{"1.1.1.1"});
  // The rewritten answer has no pointers at all: reading it strictly works.
  auto again = filter_response(*r, *q, keep_all);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(*again, *r);
  const std::string cdn = "\3cdn\7example\3com";
  EXPECT_NE(std::string(r->begin(), r->end()).find(cdn), std::string::npos);
}

TEST(DnsWire, RejectsBadAnswers) {
  std::vector<uint8_t> query = build_query(5, "example.com", kTypeA);
  auto q = parse_query(query);
  ASSERT_TRUE(q.ok());
  auto check = [&](std::vector<uint8_t> m, const char* why) {
    std::string e = error_of(filter_response(m, *q, keep_all));
    EXPECT_NE(e.find(why), std::string::npos) << "got: " << e;
  };
  AnswerBuilder good(query);
  good.a(1, 2, 3, 4);
  { auto m = good.msg; m[1] = 6; check(m, "does not match query id"); }
  { auto m = good.msg; m[2] &= 0x7F; check(m, "QR is clear"); }
  { auto m = good.msg; m[5] = 0; check(m, "exactly one question"); }
  { auto m = good.msg; m[13] = 'X'; check(m, "not the query's"); }
  { auto m = good.msg; m.resize(m.size() - 1); check(m, "RDATA runs past the end"); }
  { auto m = good.msg; m.push_back(0); check(m, "after the last record"); }
  { auto m = good.msg; m[7] = 2; check(m, "past the end"); }
  { AnswerBuilder b(query); b.record(1, {1, 2, 3, 4, 5}); check(b.msg, "A record of 5 bytes"); }
  { AnswerBuilder b(query); b.record(28, {1, 2, 3, 4}); check(b.msg, "AAAA record of 4 bytes"); }
  // A pointer to itself, forward, and a chain that loops.
  { AnswerBuilder b(query); size_t at = b.msg.size(); b.record(1, {1, 2, 3, 4}, {static_cast<uint8_t>(0xC0 | at >> 8), static_cast<uint8_t>(at)}); check(b.msg, "does not point backwards"); }
  { AnswerBuilder b(query); b.record(1, {1, 2, 3, 4}, {0xC0, 0xFF}); check(b.msg, "does not point backwards"); }
  { AnswerBuilder b(query); b.record(5, {0xC0}); check(b.msg, "truncated compression pointer"); }
  { AnswerBuilder b(query); b.record(15, {0}); check(b.msg, "too short"); }
  { AnswerBuilder b(query); b.record(5, {0, 1, 2}); check(b.msg, "does not match its type"); }
  // A name longer than 255 bytes through repeated labels.
  {
    std::vector<uint8_t> owner;
    for (int i = 0; i < 5; ++i) {
      owner.push_back(63);
      owner.insert(owner.end(), 63, 'a');
    }
    owner.push_back(0);
    AnswerBuilder b(query);
    b.record(1, {1, 2, 3, 4}, owner);
    check(b.msg, "longer than 255 bytes");
  }
  check(std::vector<uint8_t>(70000, 0), "longer than 65535");
}

TEST(DnsWire, TooManyPointerHops) {
  // A TXT record (copied verbatim) whose RDATA is a chain of 100 pointers,
  // each to the one before; then an A record owned by the last of them.
  std::vector<uint8_t> query = build_query(5, "example.com", kTypeA);
  auto q = parse_query(query);
  AnswerBuilder b(query);
  size_t base = b.msg.size() + 12;  // RDATA of the record added next
  std::vector<uint8_t> chain;
  for (int i = 0; i < 100; ++i) {
    size_t target = i == 0 ? 12 : base + 2 * (i - 1);
    chain.push_back(static_cast<uint8_t>(0xC0 | target >> 8));
    chain.push_back(static_cast<uint8_t>(target));
  }
  b.record(16, chain);
  size_t last = base + 2 * 99;
  b.record(1, {1, 2, 3, 4}, {static_cast<uint8_t>(0xC0 | last >> 8), static_cast<uint8_t>(last)});
  EXPECT_NE(error_of(filter_response(b.msg, *q, keep_all)).find("too many compression pointers"), std::string::npos);
}

}  // namespace
}  // namespace vivarium::net::dns

namespace vivarium::net::dns {
namespace {

// Mutated answers (bit flips, truncation, inserted bytes) from a fixed seed:
// each is either rejected with an error or rewritten into an answer that
// reads back unchanged; nothing crashes (the ASan build runs this too).
TEST(DnsWire, MutatedAnswersNeverCrashAndRewritesAreStable) {
  std::vector<uint8_t> query = build_query(0x4242, "www.example.com", kTypeA);
  auto q = parse_query(query);
  ASSERT_TRUE(q.ok());
  AnswerBuilder b(query);
  b.record(5, {3, 'c', 'd', 'n', 0xC0, 0x10}).a(93, 184, 216, 34).a(10, 0, 0, 1).aaaa("::ffff:127.0.0.1");
  b.record(15, {0, 10, 4, 'm', 'a', 'i', 'l', 0xC0, 0x0C});
  b.record(6, {0xC0, 0x0C, 0xC0, 0x0C, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5});
  uint32_t state = 12345;
  auto rnd = [&] { return state = state * 1664525u + 1013904223u; };
  auto keep = [](const IpAddress& a) { return !a.needs_address_grant(); };
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> m = b.msg;
    int edits = 1 + rnd() % 4;
    for (int e = 0; e < edits; ++e) {
      switch (rnd() % 4) {
        case 0: if (m.size() > 4) m[4 + rnd() % (m.size() - 4)] ^= static_cast<uint8_t>(1u << (rnd() % 8)); break;
        case 1: if (m.size() > 12) m.resize(12 + rnd() % (m.size() - 12)); break;
        case 2: m.insert(m.begin() + static_cast<long>(rnd() % (m.size() + 1)), static_cast<uint8_t>(rnd())); break;
        case 3: if (m.size() > 12) m[12 + rnd() % (m.size() - 12)] = static_cast<uint8_t>(0xC0 | (rnd() & 1)); break;
      }
    }
    auto r = filter_response(m, *q, keep);
    if (!r.ok()) {
      EXPECT_FALSE(r.error().message().empty());
      continue;
    }
    ++accepted;
    auto again = filter_response(*r, *q, keep);
    ASSERT_TRUE(again.ok()) << "rewrite of mutation " << i << " does not read back: " << again.error().message();
    EXPECT_EQ(*again, *r) << i;
    for (const std::string& addr : testing::answer_addresses(*r)) {
      auto ip = IpAddress::parse(addr);
      ASSERT_TRUE(ip.ok());
      EXPECT_FALSE(ip->needs_address_grant()) << addr << " survived the filter in mutation " << i;
    }
  }
  EXPECT_GT(accepted, 0);
}

TEST(DnsWire, MutatedQueriesNeverCrash) {
  std::vector<uint8_t> base = build_query(1, "a.b.example.com", kTypeAAAA);
  uint32_t state = 777;
  auto rnd = [&] { return state = state * 1664525u + 1013904223u; };
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> m = base;
    m[rnd() % m.size()] = static_cast<uint8_t>(rnd());
    if (rnd() % 3 == 0) m.resize(rnd() % (m.size() + 1));
    auto r = parse_query(m);
    if (r.ok()) EXPECT_LE(r->name.size(), 253u);
  }
}

}  // namespace
}  // namespace vivarium::net::dns
