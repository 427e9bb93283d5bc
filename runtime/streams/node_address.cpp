// This node's address as other nodes see it: an interface, the hostname, or
// the only network there is.
#include "runtime/streams/node_address.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <vector>

#include <fmt/format.h>

namespace flowc::runtime::streams {
namespace {

std::string text_of(const in_addr& a) {
  char buf[INET_ADDRSTRLEN] = {0};
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

bool is_loopback(const in_addr& a) { return (ntohl(a.s_addr) >> 24) == 127; }

// name -> IPv4 address of every interface that is up, not loopback.
std::vector<std::pair<std::string, std::string>> interfaces() {
  std::vector<std::pair<std::string, std::string>> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owner(list, ::freeifaddrs);
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    out.emplace_back(i->ifa_name, text_of(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr));
  }
  return out;
}

std::string by_hostname(std::string* host) {
  char name[256] = {0};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  *host = name;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(name, nullptr, &hints, &found) != 0) return "";
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
  for (addrinfo* a = found; a; a = a->ai_next) {
    const in_addr& addr = reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr;
    if (!is_loopback(addr)) return text_of(addr);
  }
  return "";
}

}  // namespace

std::string node_address(std::string* error) {
  auto up = interfaces();
  if (const char* want = std::getenv("FLOWC_STREAM_INTERFACE"); want && *want) {
    for (const auto& [name, addr] : up) {
      if (name == want) return addr;
    }
    std::set<std::string> names;
    for (const auto& [name, addr] : up) names.insert(name);
    *error = fmt::format(
        "FLOWC_STREAM_INTERFACE names `{}`, which has no IPv4 address that is up on this node; it has: "
        "{}",
        want, names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", ")));
    return "";
  }
  std::string host;
  if (std::string addr = by_hostname(&host); !addr.empty()) return addr;
  if (up.size() == 1) return up.front().second;
  std::vector<std::string> seen;
  for (const auto& [name, addr] : up) seen.push_back(name + " " + addr);
  *error = fmt::format(
      "cannot tell which address of this node (`{}`) other nodes reach for its streams: its name "
      "resolves to no address but loopback, and it has {} networks ({}); set FLOWC_STREAM_INTERFACE "
      "to the interface to use (as for MPI)",
      host, up.size(), seen.empty() ? std::string("none") : fmt::format("{}", fmt::join(seen, "; ")));
  return "";
}

}  // namespace flowc::runtime::streams
