// Which address of this node other nodes reach, for stream endpoints that
// must be reachable across nodes (tasks placed by a batch system). Asked by
// the stream bridge, on the node where the task runs.
#pragma once

#include <string>

namespace flowc::runtime::streams {

// The node's address, in this order:
//   1. FLOWC_STREAM_INTERFACE names a network interface (ib0, eth0): its
//      IPv4 address (a site with several networks chooses the fast one);
//   2. the node's hostname, resolved (/etc/hosts, DNS), unless it resolves
//      only to loopback (Debian maps its own name to 127.0.1.1);
//   3. the IPv4 address of the only interface that is up and not loopback.
// Nothing fits: "" and *error says why and what to set.
std::string node_address(std::string* error);

}  // namespace flowc::runtime::streams
