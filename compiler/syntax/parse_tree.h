// The parse tree the AST builder reads: one node per grammar rule applied
// (grammar/Flow.g4), its children in input order, each a token or a node.
//
// Flat and compact (two arrays of integers, no object per node) so that
// making and freeing it costs little next to lexing. The hand-written LL(1)
// parser makes it for a valid file; for a file with syntax errors, ANTLR's
// recovering parse tree is copied into it, so one AST builder serves both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace flowc::syntax {

// The grammar's rules, numbered as ANTLR numbers them (parser.cpp checks).
enum class Rule : uint8_t {
  File,
  ImportDecl,
  TypeDecl,
  OpDecl,
  Clause,
  WorkflowDecl,
  ParamList,
  Param,
  TypeExpr,
  Companions,
  Companion,
  FieldType,
  Block,
  BindStmt,
  ForStmt,
  IfStmt,
  ReturnStmt,
  Expr,
  Primary,
  Arg,
  Entry,
  String,
};

class ParseTree {
 public:
  using NodeId = uint32_t;
  // A token index that names no token of the file: one that error recovery
  // made up, or a rule that ended before its first token.
  static constexpr uint32_t kNoToken = 0x7FFFFFFF;

  struct Node {
    Rule rule;
    uint32_t start = kNoToken;  // index of its first token
    uint32_t stop = kNoToken;   // index of its last token (kNoToken, or below start, if it took none)
    uint32_t first = 0;         // its children: children_[first, first + count)
    uint32_t count = 0;
  };

  // A child: a node or a token index.
  struct Child {
    uint32_t bits;
    bool is_node() const { return bits & kNodeBit; }
    uint32_t index() const { return bits & ~kNodeBit; }
  };

  const Node& node(NodeId id) const { return nodes_[id]; }
  Child child(const Node& n, uint32_t i) const { return Child{children_[n.first + i]}; }
  NodeId root() const { return root_; }
  bool empty() const { return nodes_.empty(); }

  // Building, in input order: open a node, add its tokens and (by opening
  // and closing them in turn) its child nodes, close it.
  void reserve(std::size_t tokens);
  void open(Rule rule, uint32_t start_token);
  void token(uint32_t index) { pending_.push_back(index & ~kNodeBit); }
  void close(uint32_t stop_token);
  void clear();

 private:
  static constexpr uint32_t kNodeBit = 0x80000000u;

  std::vector<Node> nodes_;
  std::vector<uint32_t> children_;
  // While building: the children of the open nodes, innermost last, and
  // where each open node's children begin in it.
  std::vector<uint32_t> pending_;
  std::vector<std::pair<NodeId, uint32_t>> open_;
  NodeId root_ = 0;
};

}  // namespace flowc::syntax
