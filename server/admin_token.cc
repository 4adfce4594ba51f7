#include "server/admin_token.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace vivarium::server {

namespace {

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string random_token() {
  std::random_device rd;  // the kernel's CSPRNG on Linux
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    uint32_t v = rd();
    for (int j = 0; j < 8; ++j, v >>= 4) out += hex[v & 15];
  }
  return out;
}

}  // namespace

Result<std::string> load_admin_token(const std::string& path, bool create_if_missing) {
  std::ifstream in(path);
  if (!in) {
    if (errno != ENOENT || !create_if_missing)
      return Error(ErrorCode::Io, "cannot read admin token file " + path + ": " + std::strerror(errno));
    std::string token = random_token();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Error(ErrorCode::Io, "cannot create admin token file " + path + ": " + std::strerror(errno));
    std::string line = token + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) return Error(ErrorCode::Io, "cannot write admin token file " + path);
    return token;
  }
  std::string first;
  std::getline(in, first);
  std::string token = trim(first);
  if (token.empty()) return Error(ErrorCode::Usage, "admin token file " + path + " is empty");
  return token;
}

bool tokens_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  return tokens_equal(trim(authorization.substr(kScheme.size())), token);
}

}  // namespace vivarium::server
