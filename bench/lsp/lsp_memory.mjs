// bench/lsp, memory: what a large document costs `flowc lsp`, beside the
// size of its text and the server's own footprint with nothing open.
//   node lsp_memory.mjs FLOWC FILE.flow
// Prints the server's resident memory (VmRSS) and its peak (VmHWM, from
// /proc) after didOpen and after a didChange with the whole text again,
// each as a multiple of the text's size.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../../tests/editors/lsp_client.mjs';

const [flowc, file] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');
const uri = pathToFileURL(path.resolve(file)).href;
const mib = (kb) => kb / 1024;
const memory = (pid) => {
  const fields = Object.fromEntries(fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')
    .filter((l) => /^Vm(HWM|RSS):/.test(l)).map((l) => [l.split(':')[0], Number(l.split(/\s+/)[1])]));
  return { rss: mib(fields.VmRSS), peak: mib(fields.VmHWM) };
};

const client = new LspClient(flowc, ['lsp']);
await client.request('initialize', { processId: null, capabilities: {} });
client.notify('initialized', {});
const idle = memory(client.child.pid);

let start = Date.now();
client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'flow', version: 1, text } });
let published = await client.next('textDocument/publishDiagnostics', 600000);
const openMs = Date.now() - start;
if (published.params.diagnostics.length) throw new Error('the generated program has errors');
const opened = memory(client.child.pid);

start = Date.now();
client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text }] });
published = await client.next('textDocument/publishDiagnostics', 600000);
const changeMs = Date.now() - start;
const changed = memory(client.child.pid);
await client.request('shutdown', null, 60000);
client.notify('exit', null);
await client.exited;

const textMiB = Buffer.byteLength(text) / (1 << 20);
const row = (name, m, ms) => console.log(`| ${name.padEnd(34)} | ${m.rss.toFixed(0).padStart(7)} MiB | ${(m.rss / textMiB).toFixed(1).padStart(5)}x ` +
  `| ${m.peak.toFixed(0).padStart(7)} MiB | ${(m.peak / textMiB).toFixed(1).padStart(5)}x | ${ms === undefined ? '' : (ms / 1000).toFixed(1) + ' s'} |`);
console.log(`\nbench/lsp memory: a document of ${textMiB.toFixed(1)} MiB (${text.split('\n').length - 1} lines); ` +
  `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
console.log('|                                    |    resident | / text |        peak | / text | took |');
console.log('|------------------------------------|------------:|-------:|------------:|-------:|-----:|');
row('floor: the server, nothing open', idle);
row('after didOpen', opened, openMs);
row('after a didChange (whole text)', changed, changeMs);
