// bench/lsp: how long `flowc lsp` takes from a didChange of a large file to
// its publishDiagnostics, beside two floors: a JSON-RPC round trip that
// compiles nothing, and `flowc check` of the same file as a process.
//   node lsp_bench.mjs FLOWC FILE.flow [ROUNDS]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../../tests/editors/lsp_client.mjs';

const [flowc, file, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 40);
const text = fs.readFileSync(file, 'utf8');
const uri = pathToFileURL(path.resolve(file)).href;
const lines = text.split('\n').length - 1;
// Every other edit breaks a call (an unknown keyword argument), so the server
// alternates between a clean file and one with an error near the end.
const lastCall = text.lastIndexOf('(', text.lastIndexOf(' = ', text.lastIndexOf('return')));
const broken = text.slice(0, lastCall + 1) + 'no_such_input = 1, ' + text.slice(lastCall + 1);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

const client = new LspClient(flowc, process.env.FLOWC_LSP_LOG ? ['lsp', '--log'] : ['lsp']);
await client.request('initialize', { processId: null, capabilities: {} });
client.notify('initialized', {});
client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'flow', version: 1, text } });
await client.next('textDocument/publishDiagnostics', 60000);

// CPU time of the server (user + system, from /proc), which the machine's
// other load does not inflate the way it inflates wall time.
const cpuMs = () => {
  const fields = fs.readFileSync(`/proc/${client.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;  // utime + stime, in 100 Hz ticks
};
const cpuBefore = cpuMs();
const change = [], roundTrip = [];
let errorsSeen = 0;
for (let i = 0; i < rounds; ++i) {
  let start = process.hrtime.bigint();
  await client.request('flowc/noSuchMethod', {});  // answered without compiling
  roundTrip.push(ms(start));

  const version = i + 2;
  start = process.hrtime.bigint();
  client.notify('textDocument/didChange', {
    textDocument: { uri, version }, contentChanges: [{ text: i % 2 ? text : broken }] });
  const { params } = await client.next('textDocument/publishDiagnostics', 60000);
  change.push(ms(start));
  if (params.version !== version) throw new Error(`diagnostics for version ${params.version}, expected ${version}`);
  if (params.diagnostics.length) ++errorsSeen;
}
const cpuPerEdit = (cpuMs() - cpuBefore) / rounds;
await client.request('shutdown', null);
client.notify('exit', null);
await client.exited;
if (errorsSeen !== Math.ceil(rounds / 2)) throw new Error(`the broken edits gave ${errorsSeen} reports with errors`);

const check = [];
for (let i = 0; i < Math.min(rounds, 15); ++i) {
  const start = process.hrtime.bigint();
  execFileSync(flowc, ['check', file], { stdio: 'ignore' });
  check.push(ms(start));
}

const goal = 15;
const row = (name, value) => console.log(`| ${name.padEnd(52)} | ${value.toFixed(1).padStart(7)} ms |`);
console.log(`bench/lsp: ${lines} lines, median of ${rounds} edits (every other one adds an error); ` +
  `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
console.log(`| ${''.padEnd(52)} |    median |`);
console.log(`|${'-'.repeat(54)}|-----------:|`);
row('floor: JSON-RPC round trip, nothing compiled', median(roundTrip));
row('floor: `flowc check` of the same file (a process)', median(check));
row('didChange -> publishDiagnostics', median(change));
row('  the server\'s CPU time per edit (mean)', cpuPerEdit);
const met = median(change) < goal;
console.log(`goal: diagnostics under ${goal} ms after a didChange: ${met ? 'met' : 'NOT met'}`);
