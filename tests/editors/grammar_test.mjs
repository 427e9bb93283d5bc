// The TextMate grammar (editors/vscode/syntaxes/flow.tmLanguage.json), run by
// VS Code's own engine over every example and over grammar/all_constructs.flow.
// Each file's scopes are compared with a checked-in snapshot, so any change in
// highlighting shows up as a diff; FLOWC_UPDATE_GOLDENS=1 rewrites them.
// A few scopes are also asserted by name, so a wrong snapshot cannot hide
// the categories the highlighting promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { root, tokenize, snapshot } from './tokenize.mjs';

const snapshots = path.join(root, 'tests/editors/grammar/snapshots');
const update = process.env.FLOWC_UPDATE_GOLDENS === '1';

function flowFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return flowFiles(full);
    return e.name.endsWith('.flow') ? [full] : [];
  });
}

const files = [...flowFiles(path.join(root, 'examples')), path.join(root, 'tests/editors/grammar/all_constructs.flow')];
const snapshotName = (file) => path.relative(root, file).replaceAll('/', '__') + '.snap';

for (const file of files) {
  test(`snapshot of ${path.relative(root, file)}`, async () => {
    const text = fs.readFileSync(file, 'utf8');
    const actual = snapshot(text, await tokenize(text));
    const expectedFile = path.join(snapshots, snapshotName(file));
    if (update) {
      fs.mkdirSync(snapshots, { recursive: true });
      fs.writeFileSync(expectedFile, actual);
      return;
    }
    assert.ok(fs.existsSync(expectedFile),
      `${expectedFile} is missing: run FLOWC_UPDATE_GOLDENS=1 node tests/editors/grammar_test.mjs and review it`);
    assert.equal(actual, fs.readFileSync(expectedFile, 'utf8'),
      `highlighting of ${file} changed; if intended, rewrite with FLOWC_UPDATE_GOLDENS=1 and review the diff`);
  });
}

test('every snapshot belongs to a file', () => {
  const expected = new Set(files.map(snapshotName));
  for (const name of fs.readdirSync(snapshots)) {
    assert.ok(expected.has(name), `${name} has no .flow file any more: delete it`);
  }
});

// The scopes of the first token with this text on the line containing `line`.
async function scopesOf(text, lines, line, token, nth = 0) {
  const index = text.split('\n').findIndex((l) => l.includes(line));
  assert.ok(index >= 0, `no line contains ${line}`);
  const found = lines[index].filter((t) => t.text === token);
  assert.ok(found.length > nth, `no token '${token}' on line ${index + 1}: ${JSON.stringify(lines[index])}`);
  return found[nth].scopes.join(' ');
}

test('the promised categories have their scopes', async () => {
  const text = fs.readFileSync(path.join(root, 'tests/editors/grammar/all_constructs.flow'), 'utf8');
  const lines = await tokenize(text);
  const expect = async (line, token, scope, nth = 0) =>
    assert.match(await scopesOf(text, lines, line, token, nth), scope, `${token} in: ${line}`);
  await expect('import "', 'import', /keyword\.control\.import/);
  await expect('type Sample', 'type', /storage\.type\.type/);
  await expect('type Sample', 'Sample', /entity\.name\.type/);
  await expect('type Sample', 'str', /support\.type\.builtin/);
  await expect('op align(', 'op', /storage\.type\.op/);
  await expect('op align(', 'align', /entity\.name\.function\.op/);
  await expect('op align(', 'sample', /variable\.parameter/);
  await expect('op align(', 'Sample', /entity\.name\.type/);
  await expect('workflow screen(', 'screen', /entity\.name\.function\.workflow/);
  await expect('a = align(', 'align', /entity\.name\.function\.call/);
  await expect('a = align(', 'threads', /variable\.parameter\.keyword/);
  await expect('best = select_all(', 'select_all', /support\.function\.builtin\.flow/);
  await expect('mem = 8GiB', '8', /constant\.numeric\.size/);
  await expect('mem = 8GiB', 'GiB', /keyword\.other\.unit/);
  await expect('time = 2h', '2', /constant\.numeric\.duration/);
  await expect('timeout 90m', 'timeout', /keyword\.other\.clause/);
  await expect('shell "bash"', 'shell', /keyword\.other\.clause/);
  await expect('f = 2.5e-3', '2.5e-3', /constant\.numeric\.flow/);
  await expect('/// A sample', ' A sample: documentation comments are kept by the compiler.', /comment\.line\.documentation/);
  await expect('over two lines', '   over two lines. ', /comment\.block/);
  await expect('if (a.reads', '??', /keyword\.operator\.coalesce/);
  await expect('if (a.reads', '>=', /keyword\.operator\.comparison/);
  await expect('if (a.reads', '&&', /keyword\.operator\.logical/);
  await expect('if (a.reads', 'reads', /variable\.other\.property/);
  await expect('for s in samples', 'for', /keyword\.control/);
  await expect('} else if', 'else', /keyword\.control/);
  await expect('text = "tab', '\\t', /constant\.character\.escape/);
  await expect('text = "tab', '\\u{1F600}', /constant\.character\.escape/);
  // run blocks: shell text, with ${...} as embedded flow expressions.
  await expect('aligner --threads', 'threads', /source\.shell.*meta\.embedded\.expression\.flow variable\.other\.flow/);
  await expect('aligner --threads', '--ref=', /meta\.embedded\.expression\.flow string\.quoted\.double\.flow/);
  await expect('aligner --threads', 'ref', /meta\.interpolation\.flow/);
  await expect('echo "sample', 'sample', /source\.shell string\.quoted\.double\.shell meta\.interpolation\.flow.*variable\.other\.flow/);
  await expect('echo "sample', '|', /keyword\.operator\.shell/);
  await expect('a shell comment', '#', /comment\.line\.number-sign\.shell/);
  await expect('echo $((', '$((', /punctuation\.section\.arithmetic\.shell/);
  await expect('run "detector', 'run', /keyword\.other\.clause\.run/);
  await expect('run "detector', 'frames', /source\.shell meta\.interpolation\.flow/, 1);
  await expect('a ${n} and', '$${', /constant\.character\.escape\.dollar/);
  await expect('a ${n} and', 'n', /string\.quoted\.triple\.flow meta\.interpolation\.flow/);
});
