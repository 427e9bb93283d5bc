// flowc lsp, spoken to as an editor would: node lsp_test.mjs FLOWC
// Files live in a temporary folder; main.flow imports lib.flow from disk and
// its own text comes from the client (unsaved), as in an editor.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, positionOf } from './lsp_client.mjs';

const flowc = process.argv[2];
if (!flowc) throw new Error('usage: node lsp_test.mjs PATH_TO_FLOWC');

// A space in the folder name: URIs are percent-encoded (file:///tmp/flowc%20lsp-...).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc lsp-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

fs.writeFileSync(path.join(dir, 'lib.flow'), `/// Greetings, as a library.

/// Makes a greeting.
op greet(name: str, polite: bool = true) -> (msg: file) {
    run "echo hello \${name} > \${msg}"
}
`);
const mainPath = path.join(dir, 'main.flow');
const uri = pathToFileURL(mainPath).href;
const libUri = pathToFileURL(path.join(dir, 'lib.flow')).href;

const good = `import "lib.flow"

type Doc = { id: str, text: file }

op shout(text: file) -> (loud: file) {
    run "tr a-z A-Z < \${text} > \${loud}"
}

workflow main(names: list[str] = ["Ada", "Grüße 👋"], d: Doc) -> (out: list[file], id: str) {
    for n in names {
        g = greet(name = n)
        s = shout(text = g.msg)
    }
    return (out = s.loud, id = d.id)
}
`;
// A call after the loop: g.msg is a list there (an E0500), and the emoji
// before it on the line makes UTF-16 columns differ from bytes.
const bad = good.replace('    return', '    /* 👋 */ t = shout(text = g.msg)\n    return');

const client = new LspClient(flowc, ['lsp']);
// A failed step must not leave the server (and this test) waiting forever.
after(() => client.child.kill());

test('initialize announces the features', async () => {
  const reply = await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
  const caps = reply.result.capabilities;
  assert.equal(caps.positionEncoding, 'utf-16');
  assert.equal(caps.textDocumentSync.change, 1);
  assert.equal(caps.hoverProvider, true);
  assert.equal(caps.definitionProvider, true);
  assert.equal(caps.documentSymbolProvider, true);
  assert.ok(caps.completionProvider.triggerCharacters.includes('.'));
  client.notify('initialized', {});
});

test('didOpen with an error publishes it at the right range, with its help', async () => {
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'flow', version: 1, text: bad } });
  const { params } = await client.next('textDocument/publishDiagnostics');
  assert.equal(params.uri, uri);
  assert.equal(params.version, 1);
  const errors = params.diagnostics.filter((d) => d.severity === 1);
  assert.equal(errors.length, 1, JSON.stringify(params.diagnostics));
  const [d] = errors;
  assert.equal(d.code, 'E0500');
  assert.equal(d.source, 'flowc');
  assert.match(d.message, /expected file, found list\[file\]/);
  assert.match(d.message, /help: this is a list/);
  const start = positionOf(bad, 't = shout(text = g.msg)', 't = shout(text = '.length);
  assert.deepEqual(d.range, { start, end: { line: start.line, character: start.character + 'g.msg'.length } });
  assert.equal(d.relatedInformation[0].location.uri, uri);
  assert.match(d.relatedInformation[0].message, /bound inside this `for`/);
});

test('didChange that fixes it clears the diagnostics', async () => {
  client.notify('textDocument/didChange', {
    textDocument: { uri, version: 2 }, contentChanges: [{ text: good }] });
  const { params } = await client.next('textDocument/publishDiagnostics');
  assert.equal(params.version, 2);
  assert.deepEqual(params.diagnostics, []);
});

test('hover shows an op signature and an expression type', async () => {
  let reply = await client.request('textDocument/hover', {
    textDocument: { uri }, position: positionOf(good, 'greet(name = n)', 1) });
  assert.match(reply.result.contents.value, /op greet\(name: str, polite: bool = true\) -> \(msg: file\)/);
  assert.match(reply.result.contents.value, /Makes a greeting\./);
  assert.doesNotMatch(reply.result.contents.value, /Greetings, as a library/, 'the file\'s doc is not the op\'s');
  reply = await client.request('textDocument/hover', {
    textDocument: { uri }, position: positionOf(good, 'lib.flow', 1) });
  assert.match(reply.result.contents.value, /lib\.flow/);
  assert.match(reply.result.contents.value, /Greetings, as a library\./, 'an import shows the file\'s own doc');
  reply = await client.request('textDocument/hover', {
    textDocument: { uri }, position: positionOf(good, 'g.msg', 3) });
  assert.match(reply.result.contents.value, /g\.msg: file/);
  reply = await client.request('textDocument/hover', {
    textDocument: { uri }, position: positionOf(good, 'names: list', 1) });
  assert.match(reply.result.contents.value, /input names: list\[str\]/);
  reply = await client.request('textDocument/hover', {
    textDocument: { uri }, position: positionOf(good, '\n    return', 3) });
  assert.equal(reply.result, null, 'whitespace has no hover');
  reply = await client.request('textDocument/hover', {
    textDocument: { uri }, position: positionOf(good, 'tr a-z', 1) });
  assert.equal(reply.result, null, 'the text of a command has no hover');
  reply = await client.request('textDocument/hover', {
    textDocument: { uri }, position: positionOf(good, '${text}', 3) });
  assert.match(reply.result.contents.value, /text: file/, 'an interpolation in a command has one');
});

test('definition goes across the import, and to local names', async () => {
  let reply = await client.request('textDocument/definition', {
    textDocument: { uri }, position: positionOf(good, 'greet(name = n)', 2) });
  assert.equal(reply.result.uri, libUri);
  assert.deepEqual(reply.result.range, { start: { line: 3, character: 3 }, end: { line: 3, character: 8 } });
  reply = await client.request('textDocument/definition', {
    textDocument: { uri }, position: positionOf(good, 'text = g.msg', 'text = g.'.length) });
  assert.equal(reply.result.uri, libUri, 'g.msg is the op output `msg`');
  assert.equal(reply.result.range.start.line, 3);
  reply = await client.request('textDocument/definition', {
    textDocument: { uri }, position: positionOf(good, 'd: Doc', 4) });
  assert.equal(reply.result.uri, uri);
  assert.deepEqual(reply.result.range.start, positionOf(good, 'Doc ='));
  reply = await client.request('textDocument/definition', {
    textDocument: { uri }, position: positionOf(good, 'name = n)', 'name = '.length) });
  assert.deepEqual(reply.result.range.start, positionOf(good, 'n in names', 0));
});

test('an edit to an open imported file checks the open files that import it', async () => {
  const lib = fs.readFileSync(path.join(dir, 'lib.flow'), 'utf8');
  // Unsaved: the disk still has `name`, the editor's buffer says `who`.
  client.notify('textDocument/didOpen', { textDocument: {
    uri: libUri, languageId: 'flow', version: 1, text: lib.replaceAll('name', 'who') } });
  let published = await client.next('textDocument/publishDiagnostics');
  assert.equal(published.params.uri, libUri);
  assert.deepEqual(published.params.diagnostics, []);
  published = await client.next('textDocument/publishDiagnostics');
  assert.equal(published.params.uri, uri, 'main.flow, which imports lib.flow, is checked again');
  const unknown = published.params.diagnostics.find((d) => d.code === 'E0601');
  assert.ok(unknown, JSON.stringify(published.params.diagnostics));
  assert.match(unknown.message, /`greet` has no input `name`/);
  assert.deepEqual(unknown.range.start, positionOf(good, 'name = n)'));

  client.notify('textDocument/didClose', { textDocument: { uri: libUri } });
  published = await client.next('textDocument/publishDiagnostics');
  assert.equal(published.params.uri, libUri);
  // Closed, the disk's text counts again: main.flow is checked again, clean.
  published = await client.next('textDocument/publishDiagnostics');
  assert.equal(published.params.uri, uri);
  assert.deepEqual(published.params.diagnostics, []);
});

test('completion: fields after a dot, keyword arguments, names', async () => {
  // A half-typed line does not parse; completion uses the last checked version.
  const typing = good.replace('    return', '    k = d.\n    h = greet(polite = false, \n    q = shout(text = d.text) with { \n    return')
                     .replace('for n in names {', 'for n in names with {  } {');
  client.notify('textDocument/didChange', {
    textDocument: { uri, version: 3 }, contentChanges: [{ text: typing }] });
  const { params } = await client.next('textDocument/publishDiagnostics');
  assert.ok(params.diagnostics.length > 0, 'the half-typed text has a syntax error');

  const labels = async (position) => {
    const reply = await client.request('textDocument/completion', { textDocument: { uri }, position });
    return reply.result.items.map((i) => i.label);
  };
  assert.deepEqual((await labels(positionOf(typing, 'k = d.', 6))).sort(), ['id', 'text']);
  const args = await labels(positionOf(typing, 'polite = false, ', 'polite = false, '.length));
  assert.deepEqual(args, ['name']);
  assert.deepEqual(await labels(positionOf(typing, 'with { \n', 7)), ['optional', 'replicas', 'group', 'after']);
  assert.deepEqual(await labels(positionOf(typing, 'with {  }', 7)), ['min_success', 'min_success_ratio']);
  const names = await labels(positionOf(typing, '    k = d.', 4));
  for (const expected of ['greet', 'shout', 'main', 'Doc', 'len', 'for', 'names', 'g']) {
    assert.ok(names.includes(expected), `${expected} in ${names}`);
  }
});

test('a large document: completion while it does not parse uses its last checked text, compiled again', async () => {
  // From 1 MiB on, the server keeps only the text of the last version that
  // checked (not its compilation) and compiles it again when asked.
  const bigPath = path.join(dir, 'big.flow');
  const bigUri = pathToFileURL(bigPath).href;
  let filler = '';
  for (let i = 0; filler.length < (1 << 20) + 4096; ++i) {
    filler += `\nop filler${i}(x: int, label: str = "filler") -> (out: file) {\n    run "echo \${x} \${label} > \${out}"\n}\n`;
  }
  const bigGood = good + filler;
  client.notify('textDocument/didOpen', { textDocument: { uri: bigUri, languageId: 'flow', version: 1, text: bigGood } });
  let published = await client.next('textDocument/publishDiagnostics', 60000);
  assert.equal(published.params.uri, bigUri);
  assert.deepEqual(published.params.diagnostics, []);
  const typing = bigGood.replace('    return', '    k = d.\n    return');
  client.notify('textDocument/didChange', { textDocument: { uri: bigUri, version: 2 }, contentChanges: [{ text: typing }] });
  published = await client.next('textDocument/publishDiagnostics', 60000);
  assert.ok(published.params.diagnostics.length > 0, 'the half-typed text has a syntax error');
  const reply = await client.request('textDocument/completion',
                                     { textDocument: { uri: bigUri }, position: positionOf(typing, 'k = d.', 6) }, 60000);
  assert.deepEqual(reply.result.items.map((i) => i.label).sort(), ['id', 'text']);
  client.notify('textDocument/didClose', { textDocument: { uri: bigUri } });
  published = await client.next('textDocument/publishDiagnostics', 60000);
  assert.deepEqual(published.params.diagnostics, []);
});

test('document symbols list the declarations with their ports', async () => {
  const reply = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(reply.result.map((s) => s.name), ['Doc', 'shout', 'main']);
  assert.deepEqual(reply.result[2].children.map((c) => c.name), ['names', 'd', 'out', 'id']);
});

test('malformed JSON-RPC gets an error response, and the server goes on', async () => {
  client.writeRaw('Content-Length: 9\r\n\r\n{"jsonrpc');
  let error = await client.next('response');
  assert.equal(error.error.code, -32700);
  assert.equal(error.id, null);
  client.writeRaw('X-Nothing: 1\r\n\r\n');
  error = await client.next('response');
  assert.equal(error.error.code, -32700);
  assert.match(error.error.message, /Content-Length/);
  client.send([1, 2, 3]);
  error = await client.next('response');
  assert.equal(error.error.code, -32600);
  let reply = await client.request('no/such/method', {});
  assert.equal(reply.error.code, -32601);
  reply = await client.request('textDocument/hover', { textDocument: { uri: 'file:///not/open.flow' },
                                                        position: { line: 0, character: 0 } });
  assert.equal(reply.error.code, -32602);
  assert.match(reply.error.message, /not open/);
  reply = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 'x' } });
  assert.equal(reply.error.code, -32602);
  // Wrong shapes: a numeric method, an object id, binary junk, notifications
  // with params of the wrong type (no answer is due, but no crash either).
  client.send({ jsonrpc: '2.0', id: 99, method: 5 });
  assert.equal((await client.next('response')).error.code, -32600);
  client.send({ jsonrpc: '2.0', id: { x: 1 }, method: 'shutdown' });
  error = await client.next('response');
  assert.equal(error.error.code, -32600);
  assert.equal(error.id, null);
  client.writeRaw(Buffer.concat([Buffer.from('Content-Length: 4\r\n\r\n'), Buffer.from([0, 0xff, 1, 0x7b])]));
  assert.equal((await client.next('response')).error.code, -32700);
  client.notify('textDocument/didOpen', { textDocument: { uri: 'file:///x.flow', text: 42 } });
  client.notify('textDocument/didChange', { textDocument: { uri }, contentChanges: 'nope' });
  client.notify('textDocument/didChange', { textDocument: { uri: 'file:///never/opened.flow' }, contentChanges: [] });
  reply = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(reply.result.length, 3, 'still serving');
});

test('shutdown then exit ends the process with status 0', async () => {
  const reply = await client.request('shutdown', null);
  assert.equal(reply.result, null);
  client.notify('exit', null);
  assert.equal(await client.exited, 0);
});
