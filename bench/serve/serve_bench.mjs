// bench/serve: flowc serve under load while a run runs. A 1,000-task run
// (W1: `echo i > out_i`, 2 in flight) is started in the background, alone and
// then with 50 clients each polling GET /api/runs/{id} every 250 ms (a live
// page's pace), taking turns for --rounds rounds. Prints the run's time with
// and without them (goal: within 10%) and the latency of the clients'
// requests (goal: p99 under 20 ms).
//   node serve_bench.mjs FLOWC [--clients 50] [--interval-ms 250] [--tasks 1000] [--rounds 3]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const flowc = path.resolve(args[0]);
const option = (name, value) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : value; };
const clients = option('--clients', 50), interval = option('--interval-ms', 250);
const tasks = option('--tasks', 1000), rounds = option('--rounds', 3);

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
    await sleep((k * interval) / clients);  // spread over the interval
    while (running) {
      const t = performance.now();
      const r = await fetch(`${base}/api/runs/${id}`);
      const j = await r.json();
      latencies.push(performance.now() - t);
      if (j.state !== 'running') running = false;
      await sleep(interval);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, k) => poll(k)));
  return (await runOf(id)).duration;
}

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pct = (v, p) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

console.log(`bench/serve: a ${tasks}-task run (W1, 2 in flight) alone and with ${clients} clients polling GET /api/runs/{id} every ${interval} ms; ${rounds} rounds in turns`);
console.log(`machine: ${os.cpus().length} cpus, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const alone = [], withClients = [], latencies = [];
for (let r = 0; r < rounds; ++r) {
  alone.push(await quiet());
  withClients.push(await loaded(latencies));
  process.stderr.write(`serve_bench: round ${r + 1}: alone ${alone.at(-1).toFixed(2)} s, with clients ${withClients.at(-1).toFixed(2)} s\n`);
}
server.kill('SIGTERM');
const ratio = median(withClients) / median(alone);
console.log(`run alone:        median ${median(alone).toFixed(2)} s (${alone.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`run with clients: median ${median(withClients).toFixed(2)} s (${withClients.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`ratio: ${ratio.toFixed(3)}`);
console.log(`GET /api/runs/{id}: ${latencies.length} requests, p50 ${pct(latencies, 0.5).toFixed(2)} ms, p90 ${pct(latencies, 0.9).toFixed(2)} ms, p99 ${pct(latencies, 0.99).toFixed(2)} ms, max ${Math.max(...latencies).toFixed(2)} ms`);
console.log(`goal: the run within 10% of its time alone: ${ratio <= 1.10 ? 'met' : 'NOT MET'}`);
console.log(`goal: p99 under 20 ms: ${pct(latencies, 0.99) < 20 ? 'met' : 'NOT MET'}`);
fs.rmSync(dir, { recursive: true, force: true });
