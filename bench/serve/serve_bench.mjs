// bench/serve: flowc serve under load while a run runs. A 1,000-task run
// (W1: `echo i > out_i`, 2 in flight) is started in the background, alone and
// with 50 clients each polling GET /api/runs/{id} every 250 ms (a live
// page's pace), taking turns for --rounds rounds (alone first in odd rounds,
// with clients first in even ones: the journal grows with every run, and
// neither side always gets the bigger one). Prints the run's time with and
// without them (goal: within 10%), the latency of the clients' requests
// (goal: p99 under 20 ms), and the CPU time flowc serve and the clients
// spent per request.
//
// The clients stand for browsers on other machines, yet run on this one and
// take CPU from the run too, so they are made as cheap as a load generator
// can be (like wrk): one keep-alive connection each, a request written as
// bytes, the response read by its Content-Length and parsed as JSON. Node's
// fetch() costs about 0.5 ms of CPU per request, five times what flowc serve
// spends answering it; `--fetch` uses it anyway, to compare.
//   node serve_bench.mjs FLOWC [--clients 50] [--interval-ms 250] [--tasks 1000] [--rounds 3] [--fetch]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const flowc = path.resolve(args[0]);
const option = (name, value) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : value; };
const clients = option('--clients', 50), interval = option('--interval-ms', 250);
const tasks = option('--tasks', 1000), rounds = option('--rounds', 3);
const viaFetch = args.includes('--fetch');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-bench-serve-'));
const project = path.join(dir, 'p');
fs.mkdirSync(project);
fs.writeFileSync(path.join(project, 'W1.flow'), `
op write(i: int) -> (out: file) {
    run "echo \${i} > \${out}"
}
op gather(parts: list[file]) -> (all: file) {
    run "cat \${parts} > \${all}"
}
workflow main(n: int = 100) -> (all: file) {
    for i in range(n) {
        w = write(i = i)
    }
    g = gather(parts = w.out)
    return (all = g.all)
}
`);

const portFile = path.join(dir, 'port');
const server = spawn(flowc, ['serve', '--root', dir, '--port', '0', '--port-file', portFile, '--rate', '100000'], { stdio: 'ignore' });
while (!fs.existsSync(portFile)) await new Promise((r) => setTimeout(r, 50));
await new Promise((r) => setTimeout(r, 50));
const base = `http://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const startRun = () => execFileSync(flowc, ['run', 'W1.flow', '-p', `n=${tasks - 1}`, '-j', '2', '--fresh', '--detach'],
  { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const runOf = async (id) => (await fetch(`${base}/api/runs/${id}`)).json();

// A client on one keep-alive connection: get(path) resolves to the parsed
// JSON of a 200 response (anything else rejects; a closed connection is
// opened again on the next request).
function client() {
  const { hostname, port } = new URL(base);
  let socket = null, pending = null, data = Buffer.alloc(0);
  const fail = (error) => { socket = null; if (pending) { const p = pending; pending = null; p.reject(error); } };
  const take = (chunk) => {
    data = data.length ? Buffer.concat([data, chunk]) : chunk;
    const head = data.indexOf('\r\n\r\n');
    if (head < 0 || !pending) return;
    const header = data.toString('latin1', 0, head);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(header)?.[1] ?? NaN);
    if (data.length < head + 4 + length) return;
    const body = data.toString('utf8', head + 4, head + 4 + length);
    data = data.subarray(head + 4 + length);
    const p = pending;
    pending = null;
    if (!header.startsWith('HTTP/1.1 200 ')) p.reject(new Error(`${header.split('\r\n')[0]}: ${body}`));
    else {
      try { p.resolve(JSON.parse(body)); } catch (error) { p.reject(error); }
    }
  };
  return (path) => new Promise((resolve, reject) => {
    if (!socket) {
      socket = net.connect(Number(port), hostname);
      socket.setNoDelay(true);
      socket.on('data', take);
      socket.on('error', fail);
      socket.on('close', () => fail(new Error('the server closed the connection')));
      data = Buffer.alloc(0);
    }
    pending = { resolve, reject };
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`);
  });
}

async function quiet() {
  const id = startRun();
  let run;
  do { await sleep(1000); run = await runOf(id); } while (run.state === 'running');
  return run.duration;
}

async function loaded(latencies) {
  const id = startRun();
  let running = true;
  const poll = async (k) => {
    const get = viaFetch ? async (path) => (await fetch(base + path)).json() : client();
    await sleep((k * interval) / clients);  // spread over the interval
    while (running) {
      const t = performance.now();
      const j = await get(`/api/runs/${id}`);
      latencies.push(performance.now() - t);
      if (j.state !== 'running') running = false;
      await sleep(interval);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, k) => poll(k)));
  return (await runOf(id)).duration;
}

// CPU seconds (user + system) a process has used so far, from /proc.
const cpuOf = (pid) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');  // from field 3 (state) on
  return (Number(fields[11]) + Number(fields[12])) / 100;           // utime + stime, in ticks of 1/100 s
};
const ownCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pct = (v, p) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

console.log(`bench/serve: a ${tasks}-task run (W1, 2 in flight) alone and with ${clients} clients polling GET /api/runs/{id} every ${interval} ms` +
  ` (${viaFetch ? 'fetch()' : 'keep-alive connections'}); ${rounds} rounds in turns`);
console.log(`machine: ${os.cpus().length} cpus, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const alone = [], withClients = [], latencies = [];
let serveCpu = 0, clientCpu = 0;
const withThem = async () => {
  const serveBefore = cpuOf(server.pid), clientBefore = ownCpu();
  withClients.push(await loaded(latencies));
  serveCpu += cpuOf(server.pid) - serveBefore;
  clientCpu += ownCpu() - clientBefore;
};
for (let r = 0; r < rounds; ++r) {
  if (r % 2 === 0) {
    alone.push(await quiet());
    await withThem();
  } else {
    await withThem();
    alone.push(await quiet());
  }
  process.stderr.write(`serve_bench: round ${r + 1}: alone ${alone.at(-1).toFixed(2)} s, with clients ${withClients.at(-1).toFixed(2)} s\n`);
}
server.kill('SIGTERM');
const ratio = median(withClients) / median(alone);
console.log(`run alone:        median ${median(alone).toFixed(2)} s (${alone.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`run with clients: median ${median(withClients).toFixed(2)} s (${withClients.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`ratio: ${ratio.toFixed(3)}`);
console.log(`GET /api/runs/{id}: ${latencies.length} requests, p50 ${pct(latencies, 0.5).toFixed(2)} ms, p90 ${pct(latencies, 0.9).toFixed(2)} ms, p99 ${pct(latencies, 0.99).toFixed(2)} ms, max ${Math.max(...latencies).toFixed(2)} ms`);
console.log(`CPU while the clients polled: flowc serve ${serveCpu.toFixed(2)} s (${(1000 * serveCpu / latencies.length).toFixed(3)} ms per request), ` +
  `the clients (this node process) ${clientCpu.toFixed(2)} s (${(1000 * clientCpu / latencies.length).toFixed(3)} ms per request)`);
console.log(`goal: the run within 10% of its time alone: ${ratio <= 1.10 ? 'met' : 'NOT MET'}`);
console.log(`goal: p99 under 20 ms: ${pct(latencies, 0.99) < 20 ? 'met' : 'NOT MET'}`);
fs.rmSync(dir, { recursive: true, force: true });
