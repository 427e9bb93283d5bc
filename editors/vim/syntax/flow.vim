" Vim syntax file for flowc's .flow workflow language.
" The same categories as the VS Code grammar (editors/vscode/syntaxes): run
" commands are shell text with each ${...} highlighted as a flow expression.
if exists('b:current_syntax')
  finish
endif

syn case match

" ---- keywords -----------------------------------------------------------------
syn keyword flowInclude     import
syn keyword flowConditional if else
syn keyword flowRepeat      for in
syn keyword flowStatement   return with
syn keyword flowBoolean     true false
syn keyword flowConstant    none
syn keyword flowStorage     op workflow type nextgroup=flowDefName skipwhite
syn match   flowDefName     "\h\w*" contained
syn keyword flowBuiltinType int float bool str file dir size duration bytes list map stream
" The clauses of an op, where a clause can stand (not `image = ...`).
syn match   flowClause "^\s*\zs\%(image\|resources\|mpi\|retry\|timeout\|cache\|executor\|network\|env\|streams\|shell\)\>\ze\s*[^=.(\[ \t]"
syn match   flowClause "^\s*\zsrun\>\ze\s*\"" nextgroup=flowRun,flowRunLine skipwhite
syn match   flowClause "{\s*\zsrun\>\ze\s*\"" nextgroup=flowRun,flowRunLine skipwhite

" ---- names --------------------------------------------------------------------
" A user type: written with a capital, by convention, or named by `type`.
syn match   flowUserType "\<\u\w*\>"
syn match   flowCall     "\<\h\w*\ze\s*("
syn keyword flowBuiltin  basename ceil cross defined file_size flatten floor glob keys len max min prefix range
syn keyword flowBuiltin  read_bool read_float read_int read_lines read_string round select_all select_first sep split
syn keyword flowBuiltin  sub sum values write_lines zip
" `contains` is an argument of :syn keyword, so it is a match.
syn match   flowBuiltin  "\<contains\ze\s*("
" `name:` declares a parameter or a record field; `name =` after ( or , is a
" keyword argument (or a record field); at the start of a line, a binding.
syn match   flowParam    "\<\h\w*\ze\s*:[^:]"
syn match   flowKwArg    "\%([(,{]\s*\)\@<=\h\w*\ze\s*=[^=]"
syn match   flowBinding  "^\s*\zs\h\w*\ze\s*=[^=]"
syn match   flowField    "\.\@<=\h\w*"
syn match   flowLoopVar  "\%(\<for\s\+\)\@<=\h\w*"

" ---- numbers ------------------------------------------------------------------
syn match   flowNumber "\<\d[0-9_]*\%(\.\d\+\)\=\%([eE][-+]\=\d\+\)\=\>"
syn match   flowNumber "\<\d[0-9_]*\%(\.\d\+\)\=\%(KiB\|MiB\|GiB\|TiB\|PiB\|KB\|MB\|GB\|TB\|PB\|B\|ms\|min\|s\|m\|h\|d\)\>" contains=flowUnit
syn match   flowUnit   "\d\@<=\%(KiB\|MiB\|GiB\|TiB\|PiB\|KB\|MB\|GB\|TB\|PB\|B\|ms\|min\|s\|m\|h\|d\)\>" contained

" ---- operators ----------------------------------------------------------------
syn match   flowOperator "->\|??\|&&\|||\|==\|!=\|<=\|>=\|[<>!?+*/%=-]"

" ---- comments ---------------------------------------------------------------
syn keyword flowTodo contained TODO FIXME XXX NOTE
syn match   flowComment    "//.*$" contains=flowTodo,@Spell
syn match   flowDocComment "///.*$" contains=flowTodo,@Spell
syn region  flowBlockComment start="/\*" end="\*/" contains=flowTodo,@Spell

" ---- strings and interpolation -------------------------------------------------
syn match   flowEscape       "\\\%([ntr0\\\"$]\|u{\x\+}\)" contained
syn match   flowDollarEscape "\$\${" contained
syn cluster flowExpr contains=flowString,flowTriple,flowNumber,flowBoolean,flowConstant,flowCall,flowBuiltin,flowField,flowOperator,flowKwArg,flowBraces
syn region  flowBraces  start="{" end="}" contained transparent contains=@flowExpr
syn region  flowInterp  matchgroup=flowInterpDelim start="\${" end="}" contained contains=@flowExpr
syn region  flowString  start=+"+ skip=+\\\\\|\\"+ end=+"+ contains=flowEscape,flowDollarEscape,flowInterp
syn region  flowTriple  start=+"""+ end=+"""+ contains=flowDollarEscape,flowInterp

" ---- run commands: shell text around flow interpolations ------------------------
" They follow the `run` keyword (nextgroup), so a plain string is never one.
syn region  flowRun matchgroup=flowRunQuote start=+"""+ end=+"""+ contained contains=@flowShell
syn region  flowRunLine matchgroup=flowRunQuote start=+"\%(""\)\@!+ end=+"+ oneline contained contains=flowInterp,flowDollarEscape,flowShellSingle,flowShellVar,flowShellOperator
syn cluster flowShell contains=flowInterp,flowDollarEscape,flowShellComment,flowShellSingle,flowShellDouble,flowShellVar,flowShellOperator,flowShellKeyword
syn match   flowShellComment  "\%(^\|\s\)\zs#.*$" contained contains=flowInterp
syn region  flowShellSingle   start=+'+ end=+'+ contained contains=flowInterp,flowDollarEscape
syn region  flowShellDouble   start=+\\\@<!"+ skip=+\\\\\|\\"+ end=+"+ contained contains=flowInterp,flowDollarEscape,flowShellVar
syn match   flowShellVar      "\$\%(\h\w*\|[0-9@*#?$!-]\)" contained
syn match   flowShellOperator "<<-\=\|&&\|||\|[|&;<>]\|\$((\|))\|\$(" contained
syn keyword flowShellKeyword  contained if then elif fi do done while until case esac function

" ---- links to the standard groups ------------------------------------------------
hi def link flowTodo          Todo
hi def link flowComment       Comment
hi def link flowDocComment    SpecialComment
hi def link flowBlockComment  Comment
hi def link flowInclude       Include
hi def link flowConditional   Conditional
hi def link flowRepeat        Repeat
hi def link flowStatement     Statement
hi def link flowBoolean       Boolean
hi def link flowConstant      Constant
hi def link flowStorage       StorageClass
hi def link flowDefName       Function
hi def link flowBuiltinType   Type
hi def link flowUserType      Type
hi def link flowClause        Keyword
hi def link flowCall          Function
hi def link flowBuiltin       Function
hi def link flowParam         Identifier
hi def link flowKwArg         Identifier
hi def link flowBinding       Identifier
hi def link flowLoopVar       Identifier
hi def link flowField         NONE
hi def link flowNumber        Number
hi def link flowUnit          Special
hi def link flowOperator      Operator
hi def link flowEscape        SpecialChar
hi def link flowDollarEscape  SpecialChar
hi def link flowInterpDelim   Delimiter
hi def link flowString        String
hi def link flowTriple        String
hi def link flowRunQuote      String
hi def link flowShellComment  Comment
hi def link flowShellSingle   String
hi def link flowShellDouble   String
hi def link flowShellVar      PreProc
hi def link flowShellOperator Operator
hi def link flowShellKeyword  Keyword

" Triple-quoted strings and run blocks span lines: parse from the top (.flow
" files are small) so a block is never mistaken for code.
syn sync fromstart

let b:current_syntax = 'flow'
