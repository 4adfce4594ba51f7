#include "host/net/dns.h"

#include <gtest/gtest.h>

#include <future>

#include "dns_test_util.h"
#include "host/net/dns_wire.h"

namespace vivarium::net {
namespace {

using testing::AnswerBuilder;
using testing::DnsStub;

std::shared_ptr<const EgressPolicy> policy(std::vector<std::string> grants) {
  auto r = EgressPolicy::parse(grants);
  EXPECT_TRUE(r.ok());
  return std::make_shared<const EgressPolicy>(r.ok() ? *r : EgressPolicy{});
}

Resolver::Options stub_options(const DnsStub& stub, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
  Resolver::Options o;
  o.nameservers.push_back(*Nameserver::parse("127.0.0.1:" + std::to_string(stub.port())));
  o.timeout = timeout;
  return o;
}

Result<std::vector<uint8_t>> query(Resolver& r, std::vector<uint8_t> q, std::shared_ptr<const EgressPolicy> p) {
  std::promise<Result<std::vector<uint8_t>>> done;
  auto f = done.get_future();
  r.query_raw(std::move(q), std::move(p), [&](Result<std::vector<uint8_t>> res) { done.set_value(std::move(res)); });
  return f.get();
}

Result<std::vector<IpAddress>> resolve(Resolver& r, std::string name, bool v6, std::shared_ptr<const EgressPolicy> p) {
  std::promise<Result<std::vector<IpAddress>>> done;
  auto f = done.get_future();
  r.resolve(std::move(name), v6, std::move(p), [&](Result<std::vector<IpAddress>> res) { done.set_value(std::move(res)); });
  return f.get();
}

TEST(Nameserver, Parses) {
  EXPECT_EQ(Nameserver::parse("1.2.3.4")->to_string(), "1.2.3.4:53");
  EXPECT_EQ(Nameserver::parse("1.2.3.4:5353")->to_string(), "1.2.3.4:5353");
  EXPECT_EQ(Nameserver::parse("::1")->to_string(), "[::1]:53");
  EXPECT_EQ(Nameserver::parse("[::1]:99")->to_string(), "[::1]:99");
  for (const char* bad : {"", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:70000", "[::1]x", "[::1", "dns.google", "1.2.3.4:x"})
    EXPECT_FALSE(Nameserver::parse(bad).ok()) << bad;
}

TEST(Nameserver, FromResolvConf) {
  char path[] = "/tmp/viv-resolv-XXXXXX";
  int fd = mkstemp(path);
  std::string text = "# comment\nsearch example.com\nnameserver 10.0.0.53\nnameserver fe80::1%eth0\nnameserver ::1\noptions ndots:1\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  auto ns = nameservers_from_resolv_conf(path);
  unlink(path);
  ASSERT_EQ(ns.size(), 2u);
  EXPECT_EQ(ns[0].to_string(), "10.0.0.53:53");
  EXPECT_EQ(ns[1].to_string(), "[::1]:53");
  EXPECT_EQ(nameservers_from_resolv_conf("/nonexistent/resolv.conf")[0].to_string(), "127.0.0.1:53");
}

TEST(ResolverRaw, FiltersDeniedAddresses) {
  DnsStub stub;
  stub.udp = [](const std::vector<uint8_t>& q) {
    return AnswerBuilder(q).a(93, 184, 216, 34).a(10, 0, 0, 1).a(127, 0, 0, 1).a(0, 0, 0, 0).msg;
  };
  Resolver r(stub_options(stub));
  auto res = query(r, dns::build_query(42, "example.com", dns::kTypeA), policy({"example.com"}));
  ASSERT_TRUE(res.ok()) << res.error().message();
  EXPECT_EQ(testing::answer_addresses(*res), std::vector<std::string>{"93.184.216.34"});
  // An address rule admits the private one as well.
  res = query(r, dns::build_query(43, "example.com", dns::kTypeA), policy({"example.com", "10.0.0.0/8"}));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(testing::answer_addresses(*res), (std::vector<std::string>{"93.184.216.34", "10.0.0.1"}));
}

TEST(ResolverRaw, MappedAaaaCannotSmuggleLoopback) {
  DnsStub stub;
  stub.udp = [](const std::vector<uint8_t>& q) {
    return AnswerBuilder(q).aaaa("::ffff:127.0.0.1").aaaa("::1").aaaa("fd00::1").aaaa("2606:2800:220:1::1").msg;
  };
  Resolver r(stub_options(stub));
  auto res = query(r, dns::build_query(1, "a.example.com", dns::kTypeAAAA), policy({"*.example.com"}));
  ASSERT_TRUE(res.ok()) << res.error().message();
  EXPECT_EQ(testing::answer_addresses(*res), std::vector<std::string>{"2606:2800:220:1::1"});
}

TEST(ResolverRaw, DeniedNameNeverLeavesTheHost) {
  DnsStub stub;
  stub.udp = [](const std::vector<uint8_t>& q) { return AnswerBuilder(q).a(1, 1, 1, 1).msg; };
  Resolver r(stub_options(stub));
  for (auto p : {policy({}), policy({"example.com"}), std::shared_ptr<const EgressPolicy>()}) {
    auto res = query(r, dns::build_query(1, "internal.corp", dns::kTypeA), p);
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.error().code(), ErrorCode::Unsupported);
    EXPECT_NE(res.error().message().find("denied"), std::string::npos);
    EXPECT_NE(res.error().message().find("internal.corp"), std::string::npos);
  }
  EXPECT_EQ(stub.udp_queries.load(), 0);
}

TEST(ResolverRaw, MalformedQueryAndAnswer) {
  DnsStub stub;
  stub.udp = [](const std::vector<uint8_t>& q) {
    auto m = AnswerBuilder(q).a(1, 1, 1, 1).msg;
    m.resize(m.size() - 2);  // truncated RDATA
    return m;
  };
  Resolver r(stub_options(stub));
  auto bad_query = query(r, {1, 2, 3}, policy({"example.com"}));
  ASSERT_FALSE(bad_query.ok());
  EXPECT_EQ(bad_query.error().code(), ErrorCode::Malformed);
  EXPECT_NE(bad_query.error().message().find("12-byte header"), std::string::npos);
  auto bad_answer = query(r, dns::build_query(1, "example.com", dns::kTypeA), policy({"example.com"}));
  ASSERT_FALSE(bad_answer.ok());
  EXPECT_EQ(bad_answer.error().code(), ErrorCode::Malformed);
  EXPECT_NE(bad_answer.error().message().find("answer for 'example.com'"), std::string::npos) << bad_answer.error().message();
  EXPECT_NE(bad_answer.error().message().find("RDATA runs past the end"), std::string::npos);
}

TEST(ResolverRaw, IgnoresAnswersWithAnotherId) {
  DnsStub stub;
  stub.udp = [](const std::vector<uint8_t>& q) {
    auto m = AnswerBuilder(q).a(1, 1, 1, 1).msg;
    m[1] ^= 0xFF;  // wrong id: the resolver keeps waiting, then times out
    return m;
  };
  Resolver r(stub_options(stub, std::chrono::milliseconds(300)));
  auto res = query(r, dns::build_query(1, "example.com", dns::kTypeA), policy({"example.com"}));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), ErrorCode::DeadlineExceeded);
  EXPECT_NE(res.error().message().find("timed out"), std::string::npos);
}

TEST(ResolverRaw, SilentNameserverTimesOut) {
  DnsStub stub;  // no handler: never answers
  Resolver r(stub_options(stub, std::chrono::milliseconds(200)));
  auto res = query(r, dns::build_query(1, "example.com", dns::kTypeA), policy({"example.com"}));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), ErrorCode::DeadlineExceeded);
  EXPECT_NE(res.error().message().find("127.0.0.1:" + std::to_string(stub.port())), std::string::npos);
}

TEST(ResolverRaw, TruncatedAnswerRetriesOverTcp) {
  DnsStub stub;
  stub.udp = [](const std::vector<uint8_t>& q) { return AnswerBuilder(q, 0x8380).msg; };  // TC set, no records
  stub.tcp = [](const std::vector<uint8_t>& q) { return AnswerBuilder(q).a(8, 8, 8, 8).a(192, 168, 0, 1).msg; };
  Resolver r(stub_options(stub));
  auto res = query(r, dns::build_query(77, "example.com", dns::kTypeA), policy({"example.com"}));
  ASSERT_TRUE(res.ok()) << res.error().message();
  EXPECT_EQ(stub.tcp_queries.load(), 1);
  EXPECT_EQ(testing::answer_addresses(*res), std::vector<std::string>{"8.8.8.8"});
}

TEST(ResolverRaw, FallsThroughToTheNextNameserver) {
  DnsStub dead, alive;
  alive.udp = [](const std::vector<uint8_t>& q) { return AnswerBuilder(q).a(9, 9, 9, 9).msg; };
  Resolver::Options o;
  o.nameservers = {*Nameserver::parse("127.0.0.1:" + std::to_string(dead.port())),
                   *Nameserver::parse("127.0.0.1:" + std::to_string(alive.port()))};
  o.timeout = std::chrono::milliseconds(1000);
  Resolver r(o);
  auto res = query(r, dns::build_query(3, "example.com", dns::kTypeA), policy({"example.com"}));
  ASSERT_TRUE(res.ok()) << res.error().message();
  EXPECT_EQ(testing::answer_addresses(*res), std::vector<std::string>{"9.9.9.9"});
}

TEST(ResolverLookup, LocalhostNeedsAnAddressGrant) {
  Resolver r;
  // "localhost" comes from /etc/hosts: loopback, so a name rule alone is not enough.
  auto denied = resolve(r, "localhost", false, policy({"localhost"}));
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.error().message().find("denied: every address of 'localhost'"), std::string::npos)
      << denied.error().message();
  auto ok = resolve(r, "localhost", false, policy({"localhost", "127.0.0.1"}));
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].to_string(), "127.0.0.1");
  auto literal = resolve(r, "127.0.0.1", false, policy({"127.0.0.1"}));
  ASSERT_TRUE(literal.ok()) << literal.error().message();
}

TEST(ResolverLookup, DeniedNameIsNotLookedUp) {
  Resolver r;
  auto res = resolve(r, "example.com", false, policy({"example.org"}));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code(), ErrorCode::Unsupported);
  EXPECT_NE(res.error().message().find("'example.com'"), std::string::npos);
  auto bad = resolve(r, "exa mple.com", false, EgressPolicy::allow_all().empty() ? nullptr : std::make_shared<const EgressPolicy>(EgressPolicy::allow_all()));
  EXPECT_FALSE(bad.ok());
}

TEST(Resolver, ShutdownRunsPendingCallbacksWithAnError) {
  DnsStub stub;  // silent: each query waits its whole timeout
  std::atomic<int> ok{0}, failed{0};
  {
    Resolver::Options o = stub_options(stub, std::chrono::milliseconds(200));
    o.threads = 1;
    Resolver r(o);
    for (int i = 0; i < 20; ++i)
      r.query_raw(dns::build_query(static_cast<uint16_t>(i), "example.com", dns::kTypeA), policy({"example.com"}),
                  [&](Result<std::vector<uint8_t>> res) { (res.ok() ? ok : failed)++; });
  }
  EXPECT_EQ(ok.load() + failed.load(), 20);
  EXPECT_EQ(failed.load(), 20);
}

}  // namespace
}  // namespace vivarium::net
