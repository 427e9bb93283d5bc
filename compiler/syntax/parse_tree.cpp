// Building the flat parse tree.
#include "compiler/syntax/parse_tree.h"

namespace flowc::syntax {

void ParseTree::reserve(std::size_t tokens) {
  // Real files have about 0.75 nodes per token, and every token and node
  // is a child once: reserved so they never grow (pages never touched cost
  // nothing).
  nodes_.reserve(tokens + 16);
  children_.reserve(2 * tokens + 16);
  pending_.reserve(256);
}

void ParseTree::open(Rule rule, uint32_t start_token) {
  NodeId id = static_cast<NodeId>(nodes_.size());
  nodes_.push_back(Node{rule, start_token, kNoToken, 0, 0});
  open_.emplace_back(id, static_cast<uint32_t>(pending_.size()));
}

void ParseTree::close(uint32_t stop_token) {
  auto [id, from] = open_.back();
  open_.pop_back();
  Node& n = nodes_[id];
  n.stop = stop_token;
  n.first = static_cast<uint32_t>(children_.size());
  n.count = static_cast<uint32_t>(pending_.size() - from);
  children_.insert(children_.end(), pending_.begin() + from, pending_.end());
  pending_.resize(from);
  if (open_.empty()) {
    root_ = id;
  } else {
    pending_.push_back(id | kNodeBit);
  }
}

void ParseTree::clear() {
  nodes_.clear();
  children_.clear();
  pending_.clear();
  open_.clear();
  root_ = 0;
}

}  // namespace flowc::syntax
