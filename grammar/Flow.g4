// The flowc language: parser grammar.
//
// Tokens come from the hand-written lexer (compiler/syntax/lexer.cpp); their
// numbers and literals are listed once in compiler/syntax/token_kinds.def, from
// which the build writes FlowLexer.tokens for this grammar to import.
//
// The grammar is kept LL(1)/LL(2) so ANTLR's SLL prediction decides at once:
// binary expressions are a flat list `unary (op unary)*` and the AST builder
// applies precedence (see docs/language.md, "Operators"). That is both faster
// than one rule per precedence level and immune to deep left recursion.
parser grammar Flow;

options { tokenVocab = FlowLexer; }

file
    : decl* EOF
    ;

decl
    : importDecl
    | typeDecl
    | opDecl
    | workflowDecl
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

paramList
    : '(' (param (',' param)* ','?)? ')'
    ;

param
    : IDENT ':' typeExpr ('=' expr)?
    ;

// int, list[file], map[str, int], stream[bytes], Sample, { id: str }, T?
typeExpr
    : IDENT ('[' typeExpr (',' typeExpr)* ','? ']')? '?'?     # namedType
    | '{' (fieldType (',' fieldType)* ','?)? '}' '?'?         # recordType
    ;

fieldType
    : IDENT ':' typeExpr
    ;

block
    : '{' stmt* '}'
    ;

stmt
    : bindStmt
    | forStmt
    | ifStmt
    | returnStmt
    ;

// x = expr, or g = op(a = 1) with { optional = true }
bindStmt
    : IDENT '=' expr ('with' expr)?
    ;

forStmt
    : 'for' IDENT 'in' expr ('with' expr)? block
    ;

// else-if chains are a flat list, so a long chain cannot exhaust the stack
ifStmt
    : 'if' expr block ('else' 'if' expr block)* ('else' block)?
    ;

returnStmt
    : 'return' '(' (fieldInit (',' fieldInit)* ','?)? ')'
    ;

expr
    : unary (binaryOp unary)*
    ;

binaryOp
    : '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '??'
    | '+' | '-' | '*' | '/' | '%'
    ;

unary
    : ('-' | '!')* postfix
    ;

postfix
    : primary postfixOp*
    ;

postfixOp
    : '.' IDENT           # memberOp
    | '[' expr ']'        # indexOp
    ;

primary
    : INT                                              # intLit
    | FLOAT                                            # floatLit
    | SIZE                                             # sizeLit
    | DURATION                                         # durationLit
    | ('true' | 'false')                               # boolLit
    | 'none'                                           # noneLit
    | string                                           # stringLit
    | IDENT '(' (arg (',' arg)* ','?)? ')'             # callExpr
    | IDENT                                            # nameExpr
    | '(' expr ')'                                     # parenExpr
    | '[' (expr (',' expr)* ','?)? ']'                 # listExpr
    | '{' fieldInit (',' fieldInit)* ','? '}'          # recordExpr
    | '{' (mapEntry (',' mapEntry)* ','?)? '}'         # mapExpr
    ;

arg
    : (IDENT '=')? expr
    ;

fieldInit
    : IDENT '=' expr
    ;

mapEntry
    : expr ':' expr
    ;

string
    : STR_OPEN stringPart* STR_CLOSE
    ;

stringPart
    : STR_TEXT                                         # textPart
    | INTERP_OPEN expr INTERP_CLOSE                    # interpPart
    ;
