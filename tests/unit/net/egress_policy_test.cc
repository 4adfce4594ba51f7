#include "host/net/egress_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>

namespace vivarium::net {
namespace {

IpAddress ip(const char* s) {
  auto r = IpAddress::parse(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : IpAddress{};
}

EgressPolicy policy(std::vector<std::string> grants) {
  auto r = EgressPolicy::parse(grants);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : EgressPolicy{};
}

std::string parse_error(std::string grant) {
  auto r = EgressPolicy::parse({grant});
  return r.ok() ? "(accepted)" : r.error().message();
}

TEST(IpAddress, ParsesStrictForms) {
  EXPECT_EQ(ip("1.2.3.4").to_string(), "1.2.3.4");
  EXPECT_EQ(ip("[::1]").to_string(), "::1");
  EXPECT_TRUE(ip("2001:db8::1").v6);
  for (const char* bad : {"", "127.1", "0177.0.0.1", "2130706433", "0x7f000001", "1.2.3.4.5", "256.1.1.1",
                          "fe80::1%eth0", "::1]", "example.com", " 1.2.3.4", "[1.2.3.4]"}) {
    auto r = IpAddress::parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_NE(r.error().message().find("not an IP address"), std::string::npos) << r.error().message();
  }
}

TEST(IpAddress, MappedIpv6IsNormalizedToIpv4) {
  IpAddress a = ip("::ffff:127.0.0.1");
  EXPECT_FALSE(a.v6);
  EXPECT_EQ(a.to_string(), "127.0.0.1");
  EXPECT_TRUE(a.is_loopback());
  EXPECT_EQ(ip("[::ffff:7f00:1]"), ip("127.0.0.1"));

  sockaddr_in6 s6{};
  s6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "::ffff:10.1.2.3", &s6.sin6_addr);
  IpAddress b = IpAddress::from_sockaddr(&s6);
  EXPECT_FALSE(b.v6);
  EXPECT_EQ(b.to_string(), "10.1.2.3");
}

TEST(IpAddress, UnknownSockaddrFamilyIsUnspecified) {
  sockaddr_storage ss{};
  ss.ss_family = AF_UNIX;
  IpAddress a = IpAddress::from_sockaddr(&ss);
  EXPECT_TRUE(a.is_unspecified());
  EXPECT_FALSE(EgressPolicy::allow_all().allows_address(a, 80));
  EXPECT_TRUE(IpAddress::from_sockaddr(nullptr).is_unspecified());
}

TEST(IpAddress, Classification) {
  for (const char* s : {"127.0.0.1", "127.255.0.9", "::1"}) {
    EXPECT_TRUE(ip(s).is_loopback()) << s;
    EXPECT_TRUE(ip(s).needs_address_grant()) << s;
  }
  for (const char* s : {"10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                        "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
                        "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::", "64:ff9b::a00:1", "2002:a00:1::",
                        "2001::1", "2001:db8::1", "::10.0.0.1"}) {
    EXPECT_TRUE(ip(s).is_private()) << s;
    EXPECT_FALSE(ip(s).is_loopback()) << s;
  }
  for (const char* s : {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1",
                        "2a00:1450::1"}) {
    EXPECT_FALSE(ip(s).needs_address_grant()) << s;
  }
}

TEST(EgressPolicy, DeniesByDefault) {
  EgressPolicy p;
  EXPECT_FALSE(p.allows_name("example.com", 443));
  EXPECT_FALSE(p.allows_address(ip("93.184.216.34"), 443));
  EXPECT_FALSE(p.allows("example.com", ip("93.184.216.34"), 443));
  EXPECT_EQ(p.to_string(), "(deny all)");
  EXPECT_TRUE(p.empty());
}

TEST(EgressPolicy, ParsesGoodGrants) {
  EgressPolicy p = policy({"Example.COM.", "*.api.example.org:443", "10.0.0.0/8:80,8000-8100", "127.0.0.1",
                           "[::1]:8080", "fd00::/8", "[2001:db8::]/32:53", "[fe80::/10]"});
  EXPECT_EQ(p.to_string(),
            "example.com, *.api.example.org:443, 10.0.0.0/8:80,8000-8100, 127.0.0.1, [::1]:8080, [fd00::]/8, "
            "[2001:db8::]/32:53, [fe80::]/10");
}

TEST(EgressPolicy, RejectsBadGrantsClearly) {
  struct Case {
    const char* grant;
    const char* why;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "empty grant"},
           {"example.com:", "empty port list"},
           {"example.com:0", "port 0"},
           {"example.com:65536", "above 65535"},
           {"example.com:90-80", "ends before it starts"},
           {"example.com:80,,443", "empty entry"},
           {"example.com:http", "bad port"},
           {":80", "no host"},
           {"10.0.0.0/33", "above 32"},
           {"10.0.0.0/", "empty prefix"},
           {"10.1.0.0/8", "bits set below"},
           {"[::1]/129", "above 128"},
           {"[::1", "without ']'"},
           {"[::1]x", "expected ':PORTS'"},
           {"127.1", "not a dotted-quad"},
           {"0177.0.0.1", "not a dotted-quad"},
           {"2130706433", "not a dotted-quad"},
           {"0x7f.1", "not a dotted-quad"},
           {"*", "whole first label"},
           {"*.com", "at least two labels"},
           {"a*.example.com", "whole first label"},
           {"*.*.example.com", "whole first label"},
           {"exa mple.com", "not a host name"},
           {"-bad.example.com", "not a host name"},
           {"a..b", "not a host name"},
           {"example.123", "not a host name"},
           {"fe80::1%eth0", "not an IP address"},
           {"[::ffff:10.0.0.0]/8", "at least 96"},
       }) {
    std::string msg = parse_error(c.grant);
    EXPECT_NE(msg.find(c.why), std::string::npos) << "grant '" << c.grant << "' gave: " << msg;
    if (msg != "(accepted)") EXPECT_NE(msg.find("'" + std::string(c.grant) + "'"), std::string::npos) << msg;
  }
}

TEST(EgressPolicy, NamesAndWildcards) {
  EgressPolicy p = policy({"example.com:443", "*.svc.example.net"});
  EXPECT_TRUE(p.allows_name("example.com", 443));
  EXPECT_TRUE(p.allows_name("EXAMPLE.com.", 443));
  EXPECT_TRUE(p.allows_name("example.com", 0));  // a DNS look-up: any port of the rule
  EXPECT_FALSE(p.allows_name("example.com", 80));
  EXPECT_FALSE(p.allows_name("www.example.com", 443));
  EXPECT_FALSE(p.allows_name("example.com.evil.org", 443));
  EXPECT_FALSE(p.allows_name("evilexample.com", 443));

  EXPECT_TRUE(p.allows_name("a.svc.example.net", 1));
  EXPECT_TRUE(p.allows_name("a.b.svc.example.net", 65535));
  EXPECT_FALSE(p.allows_name("svc.example.net", 80));       // the wildcard is below, not at
  EXPECT_FALSE(p.allows_name("xsvc.example.net", 80));
  EXPECT_FALSE(p.allows_name(".svc.example.net", 80));
  EXPECT_FALSE(p.allows_name("a..svc.example.net", 80));
  EXPECT_FALSE(p.allows_name("a.svc.example.net..", 80));
  EXPECT_FALSE(p.allows_name(std::string("a\0.svc.example.net", 18), 80));
  EXPECT_FALSE(p.allows_name("a/b.svc.example.net", 80));
  EXPECT_FALSE(p.allows_name("", 80));
}

TEST(EgressPolicy, NumericHostsAreNeverNames) {
  // A lenient URL parser reads these as 127.0.0.1; as names they are refused.
  EgressPolicy p = policy({"*.example.com", "example.com"});
  for (const char* s : {"2130706433", "0x7f000001", "0177.0.0.1", "127.1", "1.2.3.4.5"})
    EXPECT_FALSE(p.allows_name(s, 80)) << s;
}

TEST(EgressPolicy, NameRulesNeverAdmitPrivateAddresses) {
  EgressPolicy p = policy({"example.com", "*.example.com"});
  EXPECT_TRUE(p.allows("example.com", ip("93.184.216.34"), 443));
  EXPECT_TRUE(p.allows("a.example.com", ip("2606:2800:220:1::1"), 443));
  // DNS rebinding: the granted name answers with a private or loopback address.
  for (const char* s : {"127.0.0.1", "10.0.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                        "::1", "::", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1",
                        "2002:7f00:1::", "::127.0.0.1", "224.0.0.1", "ff02::1"})
    EXPECT_FALSE(p.allows("example.com", ip(s), 443)) << s;
  // The address is not the name's: a name rule does not grant other hosts.
  EXPECT_FALSE(p.allows("other.org", ip("93.184.216.34"), 443));
  // An IP literal as the "name" does not borrow a name rule.
  EXPECT_FALSE(p.allows("93.184.216.34", ip("93.184.216.34"), 443));
}

TEST(EgressPolicy, AddressRules) {
  EgressPolicy p = policy({"127.0.0.1:8080", "10.0.0.0/8:80-90", "[::1]", "192.168.1.0/24"});
  EXPECT_TRUE(p.allows_address(ip("127.0.0.1"), 8080));
  EXPECT_FALSE(p.allows_address(ip("127.0.0.1"), 8081));
  EXPECT_FALSE(p.allows_address(ip("127.0.0.2"), 8080));
  EXPECT_TRUE(p.allows_address(ip("::ffff:127.0.0.1"), 8080));  // mapped form of a granted address
  EXPECT_TRUE(p.allows_address(ip("10.200.3.4"), 85));
  EXPECT_FALSE(p.allows_address(ip("10.200.3.4"), 91));
  EXPECT_TRUE(p.allows_address(ip("::1"), 1));
  EXPECT_FALSE(p.allows_address(ip("::2"), 1));
  EXPECT_TRUE(p.allows_address(ip("192.168.1.77"), 22));
  EXPECT_FALSE(p.allows_address(ip("192.168.2.77"), 22));
  // allows_name on an IP literal judges the address.
  EXPECT_TRUE(p.allows_name("127.0.0.1", 8080));
  EXPECT_TRUE(p.allows_name("[::1]", 99));
  EXPECT_FALSE(p.allows_name("127.0.0.1", 9));
  // Address rules admit through any name.
  EXPECT_TRUE(p.allows("whatever.internal", ip("10.1.1.1"), 80));
}

TEST(EgressPolicy, BroadNetworksMeanThePublicInternet) {
  EgressPolicy p = policy({"0.0.0.0/0", "[::]/0"});
  EXPECT_TRUE(p.allows_address(ip("8.8.8.8"), 53));
  EXPECT_TRUE(p.allows_address(ip("2a00:1450::1"), 443));
  for (const char* s : {"127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "::1", "fd00::1",
                        "fe80::1", "::ffff:192.168.0.1", "0.0.0.0", "::"})
    EXPECT_FALSE(p.allows_address(ip(s), 80)) << s;
  // 10.0.0.0/7 is wider than 10.0.0.0/8: it does not grant the private range.
  EXPECT_FALSE(policy({"10.0.0.0/7"}).allows_address(ip("10.0.0.1"), 80));
  EXPECT_TRUE(policy({"10.0.0.0/8"}).allows_address(ip("10.0.0.1"), 80));
}

TEST(EgressPolicy, UnspecifiedIsNeverAdmitted) {
  // connect(0.0.0.0) and connect(::) reach the local host.
  EXPECT_FALSE(policy({"0.0.0.0"}).allows_address(ip("0.0.0.0"), 80));
  EXPECT_FALSE(policy({"0.0.0.0/8"}).allows_address(ip("0.1.2.3"), 80));
  EXPECT_FALSE(policy({"[::]"}).allows_address(ip("::"), 80));
  EXPECT_FALSE(policy({"[::ffff:0.0.0.0]"}).allows_address(ip("::ffff:0.0.0.0"), 80));
  EXPECT_FALSE(EgressPolicy::allow_all().allows_address(ip("0.0.0.0"), 80));
}

TEST(EgressPolicy, Bind) {
  EgressPolicy p = policy({"127.0.0.1:8080", "0.0.0.0:9000", "10.0.0.0/8", "[::]:9001"});
  EXPECT_TRUE(p.allows_bind(ip("127.0.0.1"), 8080));
  EXPECT_FALSE(p.allows_bind(ip("127.0.0.1"), 8081));
  EXPECT_TRUE(p.allows_bind(ip("0.0.0.0"), 9000));
  EXPECT_FALSE(p.allows_bind(ip("0.0.0.0"), 8080));
  EXPECT_TRUE(p.allows_bind(ip("10.1.1.1"), 1));
  EXPECT_TRUE(p.allows_bind(ip("::"), 9001));
  EXPECT_FALSE(p.allows_bind(ip("::"), 9000));
  // A network rule does not grant the wildcard it happens to contain.
  EXPECT_FALSE(policy({"0.0.0.0/0"}).allows_bind(ip("0.0.0.0"), 80));
  EXPECT_TRUE(policy({"0.0.0.0/0"}).allows_bind(ip("127.0.0.1"), 80));
  EXPECT_FALSE(EgressPolicy().allows_bind(ip("127.0.0.1"), 80));
}

TEST(EgressPolicy, MappedGrantsAreNormalized) {
  EgressPolicy p = policy({"[::ffff:10.0.0.0]/104", "[::ffff:127.0.0.1]:80"});
  EXPECT_EQ(p.to_string(), "10.0.0.0/8, 127.0.0.1:80");
  EXPECT_TRUE(p.allows_address(ip("10.9.9.9"), 1));
  EXPECT_TRUE(p.allows_address(ip("127.0.0.1"), 80));
}

TEST(EgressPolicy, CopiesShareRules) {
  EgressPolicy p = policy({"example.com"});
  EgressPolicy q = p;
  EXPECT_TRUE(q.allows_name("example.com", 1));
  EgressPolicy r = std::move(q);
  EXPECT_TRUE(r.allows_name("example.com", 1));
}

}  // namespace
}  // namespace vivarium::net

namespace vivarium::net {
namespace {

// Random grants from an alphabet of the characters that matter: parsing never
// crashes, and an accepted grant prints to a form that parses to itself.
TEST(EgressPolicy, RandomGrantsParseOrFailCleanlyAndRoundTrip) {
  const std::string alphabet = "0123456789abcdefx.:/[]*,-%_ fF";
  uint32_t state = 99;
  auto rnd = [&] { return state = state * 1664525u + 1013904223u; };
  int accepted = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string g;
    size_t len = 1 + rnd() % 24;
    for (size_t k = 0; k < len; ++k) g.push_back(alphabet[rnd() % alphabet.size()]);
    auto p = EgressPolicy::parse({g});
    if (!p.ok()) {
      EXPECT_NE(p.error().message().find("egress grant"), std::string::npos) << g;
      continue;
    }
    ++accepted;
    std::string text = p->to_string();
    auto again = EgressPolicy::parse({text});
    ASSERT_TRUE(again.ok()) << g << " printed as " << text << ": " << again.error().message();
    EXPECT_EQ(again->to_string(), text) << g;
  }
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace vivarium::net
