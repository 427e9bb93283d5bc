// editors/vim in a real Vim, headless: each file is opened through ftdetect
// (so the filetype must come out `flow`) and the syntax stack is read at
// chosen tokens with synstack(). node vim_test.mjs [VIM]
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './tokenize.mjs';

const vim = process.argv[2] || 'vim';

// [file, a text on the line, the token, which occurrence on that line, the
//  innermost group, and optionally a group that must enclose it]
const checks = [
  ['tests/editors/grammar/all_constructs.flow', [
    ['// Every construct', 'Every', 0, 'flowComment'],
    ['/// A sample', 'sample', 0, 'flowDocComment'],
    ['over two lines', 'lines', 0, 'flowBlockComment'],
    ['import "', 'import', 0, 'flowInclude'],
    ['type Sample', 'type', 0, 'flowStorage'],
    ['type Sample', 'Sample', 0, 'flowDefName'],
    ['type Sample', 'str', 0, 'flowBuiltinType'],
    ['type Sample', 'reads', 0, 'flowParam'],
    ['op align(', 'op', 0, 'flowStorage'],
    ['op align(', 'align', 0, 'flowDefName'],
    ['op align(', 'sample', 0, 'flowParam'],
    ['op align(', 'Sample', 0, 'flowUserType'],
    ['op align(', 'int', 0, 'flowBuiltinType'],
    ['workflow screen(', 'screen', 0, 'flowDefName'],
    ['a = align(', 'a', 0, 'flowBinding'],
    ['a = align(', 'align', 0, 'flowCall'],
    ['a = align(', 'threads', 0, 'flowKwArg'],
    ['a = align(', 'with', 0, 'flowStatement'],
    ['best = select_all(', 'select_all', 0, 'flowBuiltin'],
    ['for s in samples', 'for', 0, 'flowRepeat'],
    ['for s in samples', 's', 0, 'flowLoopVar'],
    ['} else if', 'else', 0, 'flowConditional'],
    ['if (a.reads', 'reads', 0, 'flowField'],
    ['if (a.reads', '??', 0, 'flowOperator'],
    ['if (a.reads', 'none', 0, 'flowConstant'],
    ['mem = 8GiB', '8', 0, 'flowNumber'],
    ['mem = 8GiB', 'GiB', 0, 'flowUnit'],
    ['time = 2h', 'h }', 0, 'flowUnit'],
    ['timeout 90m', 'timeout', 0, 'flowClause'],
    ['shell "bash"', 'shell', 0, 'flowClause'],
    ['timeout 90m', '90', 0, 'flowNumber'],
    ['network false', 'false', 0, 'flowBoolean'],
    ['text = "tab', '\\t', 0, 'flowEscape', 'flowString'],
    ['text = "tab', 'len', 0, 'flowBuiltin', 'flowInterp'],
    ['long = """', 'long', 0, 'flowBinding'],
    ['a ${n} and', '$${', 0, 'flowDollarEscape', 'flowTriple'],
    ['a ${n} and', 'n', 0, 'flowInterp', 'flowTriple'],
    // run blocks: shell, with ${...} as flow inside
    ['    run """', 'run', 0, 'flowClause'],
    ['a shell comment', '#', 0, 'flowShellComment', 'flowRun'],
    ['aligner --threads', 'aligner', 0, 'flowRun'],
    ['aligner --threads', 'threads', 1, 'flowInterp', 'flowRun'],
    ['aligner --threads', '"--ref="', 0, 'flowString', 'flowInterp'],
    ['echo "sample', 'sample', 1, 'flowInterp', 'flowShellDouble'],
    ['echo "sample', '$PWD', 0, 'flowShellVar', 'flowShellDouble'],
    ['echo "sample', '|', 0, 'flowShellOperator', 'flowRun'],
    ['echo $((', 'threads', 0, 'flowInterp', 'flowRun'],
    ['reads of ${sample.id}', 'id', 0, 'flowField', 'flowRun'],
    ['run "detector', 'run', 0, 'flowClause'],
    ['run "detector', 'frames', 2, 'flowInterp', 'flowRunLine'],
    ['run "cat >', 'summary', 1, 'flowInterp', 'flowShellSingle'],
  ]],
  ['examples/hello.flow', [
    ['op greet(', 'greet', 0, 'flowDefName'],
    ['echo "Hello', 'name', 0, 'flowInterp', 'flowShellDouble'],
    ['g = greet(', 'greet', 0, 'flowCall'],
    ['c = concat(', 'msg', 0, 'flowField'],
  ]],
  ['examples/tour.flow', [
    ['resources { cpus', '256', 0, 'flowNumber'],
    ['late = 90m', 'h', 0, 'flowUnit'],
    ['tr -cs', 'chunk', 0, 'flowInterp', 'flowRun'],
    ['workflow count_doc(', 'Doc', 0, 'flowUserType'],
  ]],
];

// 1-based line and byte column of the nth `token` on the first line holding `needle`.
function locate(lines, needle, token, nth) {
  const index = lines.findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `no line holds ${needle}`);
  let col = -1;
  for (let i = 0; i <= nth; ++i) {
    col = lines[index].indexOf(token, col + 1);
    assert.ok(col >= 0, `token ${token} #${nth} not on line ${index + 1}: ${lines[index]}`);
  }
  return [index + 1, Buffer.byteLength(lines[index].slice(0, col)) + 1];
}

for (const [file, fileChecks] of checks) {
  test(`Vim syntax groups in ${file}`, () => {
    const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-vim-'));
    const out = path.join(tmp, 'groups.txt');
    const positions = fileChecks.map(([needle, token, nth]) => locate(lines, needle, token, nth));
    const script = [
      'set nocompatible',
      `let &rtp = ${JSON.stringify(path.join(root, 'editors/vim'))} . ',' . &rtp`,
      'filetype plugin on',
      'syntax on',
      `edit ${path.join(root, file).replaceAll(' ', '\\ ')}`,
      'let out = [&filetype]',
      ...positions.map(([l, c]) =>
        `call add(out, join(map(synstack(${l}, ${c}), 'synIDattr(v:val, "name")'), ' '))`),
      `call writefile(out, ${JSON.stringify(out)})`,
      'qa!',
    ].join('\n');
    fs.writeFileSync(path.join(tmp, 'check.vim'), script);
    try {
      execFileSync(vim, ['-Es', '-N', '-u', 'NONE', '-i', 'NONE', '-S', path.join(tmp, 'check.vim')],
        { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000 });
      const [filetype, ...stacks] = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
      assert.equal(filetype, 'flow', 'ftdetect/flow.vim sets the filetype');
      fileChecks.forEach(([needle, token, , innermost, enclosing], i) => {
        const stack = (stacks[i] ?? '').split(' ');
        const where = `${token} in "${needle}" (${file}:${positions[i].join(':')}): stack [${stacks[i]}]`;
        assert.equal(stack.at(-1), innermost, where);
        if (enclosing) assert.ok(stack.includes(enclosing), `${enclosing} encloses ${where}`);
      });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}
