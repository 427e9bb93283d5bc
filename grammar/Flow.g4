// The flowc language: parser grammar.
//
// Tokens come from the hand-written lexer (compiler/syntax/lexer.cpp); their
// numbers and literals are listed once in compiler/syntax/token_kinds.def, from
// which the build writes FlowLexer.tokens for this grammar to import.
//
// Written for speed with ANTLR's C++ runtime (see bench/compile):
// - Every decision is LL(1), so ANTLR generates plain `switch` code and never
//   calls adaptive prediction (which also costs a warm-up in every process).
//   Where a person would write LL(2) (a name vs. a call, `name = value` vs. a
//   positional argument, a record vs. a map, trailing commas), the grammar
//   accepts a little more and the AST builder sorts it out and reports what
//   does not fit.
// - Few rule levels: an expression is one `expr` context holding a flat list
//   of operands and operators; the AST builder applies precedence (see
//   docs/language.md, "Operators"). One context per operand, not five.
parser grammar Flow;

options { tokenVocab = FlowLexer; }

file
    : (importDecl | typeDecl | opDecl | workflowDecl)* EOF
    ;

importDecl
    : 'import' string
    ;

typeDecl
    : 'type' IDENT '=' typeExpr
    ;

// op NAME(inputs) -> (outputs) { clauses }
opDecl
    : 'op' IDENT paramList ('->' paramList)? '{' clause* '}'
    ;

// A clause is a name and a value: run "...", image "...", retry 3,
// resources { cpus = 4, mem = 8GiB }. The checker knows the clause names.
clause
    : IDENT expr
    ;

workflowDecl
    : 'workflow' IDENT paramList ('->' paramList)? block
    ;

// Lists allow a trailing comma: `(a, b,)`. Written `x (',' x?)*` to stay
// LL(1); the builder reports two commas in a row.
paramList
    : '(' (param (',' param?)*)? ')'
    ;

param
    : IDENT ':' typeExpr ('=' expr)?
    ;

// int, list[file], map[str, int], stream[bytes], Sample, { id: str }, T?
typeExpr
    : IDENT ('[' typeExpr (',' typeExpr?)* ']')? companions? '?'?
    | '{' (fieldType (',' fieldType?)*)? '}' '?'?
    ;

// file with [".fai", "^.bai", ".csi"?]: the files that travel beside a file
// (its indexes); the checker allows them on `file` only.
companions
    : 'with' '[' (companion (',' companion?)*)? ']'
    ;

companion
    : string '?'?
    ;

fieldType
    : IDENT ':' typeExpr
    ;

block
    : '{' (bindStmt | forStmt | ifStmt | returnStmt)* '}'
    ;

// x = expr, or g = op(a = 1) with { optional = true }
bindStmt
    : IDENT '=' expr ('with' expr)?
    ;

forStmt
    : 'for' IDENT 'in' expr ('with' expr)? block
    ;

// if c { } else if d { } else { }: a flat list, so a long chain cannot
// exhaust the stack; the builder checks that a plain `else` comes last.
ifStmt
    : 'if' expr block ('else' ('if' expr block | block))*
    ;

returnStmt
    : 'return' '(' (entry (',' entry?)*)? ')'
    ;

// Operands with prefix operators, postfix `.field` and `[index]`, joined by
// binary operators: - a.b[0] * c + f(x) ?? d
expr
    : ('-' | '!')* primary ('.' IDENT | '[' expr ']')*
      (('||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '??' | '+' | '-' | '*' | '/' | '%')
       ('-' | '!')* primary ('.' IDENT | '[' expr ']')*)*
    ;

primary
    : INT
    | FLOAT
    | SIZE
    | DURATION
    | 'true'
    | 'false'
    | 'none'
    | string
    | IDENT ('(' (arg (',' arg?)*)? ')')?       // a name, or a call
    | '(' expr ')'
    | '[' (expr (',' expr?)*)? ']'
    | '{' (entry (',' entry?)*)? '}'          // a record { a = 1 } or a map { "k": 1 }
    ;

// `name = value` or a value; the builder checks the name is a plain name.
arg
    : expr ('=' expr)?
    ;

// `name = value` (records, return) or `key: value` (maps).
entry
    : expr ('=' | ':') expr
    ;

string
    : STR_OPEN (STR_TEXT | INTERP_OPEN expr INTERP_CLOSE)* STR_CLOSE
    ;
