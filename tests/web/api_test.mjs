// flowc serve's HTTP API (docs/api.md) against a real flowc and real runs:
// every endpoint, and each bad input the API must refuse.
//   node api_test.mjs FLOWC
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { scratch, runFlowc, startServe, get, rawRequest, waitFor } from './serve.mjs';

const flowc = path.resolve(process.argv[2] || 'flowc');
const base = scratch('api');
const serveRoot = path.join(base, 'root');
const project = path.join(serveRoot, 'project');
let server;
let runId;

const workflow = `
op greet(name: str) -> (msg: file) {
    run "echo hello \${name} > \${msg}; echo said \${name} >&2"
}
op fail(name: str) -> (out: file) {
    run "echo first >&2; echo the-last-line-of-stderr >&2; exit 4"
}
op sneak() -> (out: file) {
    run "ln -sf /etc/passwd \\"$FLOWC_WORK_DIR/.stderr\\"; echo x > \${out}"
}
workflow main(names: list[str] = ["a", "b"]) -> (out: file) {
    for n in names {
        g = greet(name = n)
    }
    x = fail(name = "z")
    s = sneak()
    return (out = x.out)
}
`;

before(async () => {
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(path.join(project, 'wf.flow'), workflow);
  // Greetings alone: without --keep-going, a failing task stops the tasks
  // not yet started, so wf.flow would greet only some names.
  fs.writeFileSync(path.join(project, 'greet.flow'), workflow.split('op fail(')[0] +
    'workflow main(names: list[str] = ["a"]) -> (out: list[file]) {\n    for n in names {\n        g = greet(name = n)\n    }\n    return (out = g.msg)\n}\n');
  fs.writeFileSync(path.join(project, 'slow.flow'), 'op nap() -> (out: file) {\n    run "sleep 30; echo > ${out}"\n}\nworkflow main() -> (out: file) {\n    n = nap()\n    return (out = n.out)\n}\n');
  fs.writeFileSync(path.join(project, 'notes.txt'), 'not a workflow');
  fs.writeFileSync(path.join(base, 'outside.flow'), workflow);
  fs.symlinkSync(path.join(base, 'outside.flow'), path.join(serveRoot, 'link.flow'));
  const r = runFlowc(flowc, ['run', 'wf.flow', '--keep-going'], project, { allowFail: true });
  assert.equal(r.code, 1);
  server = await startServe(flowc, serveRoot);
  const runs = await (await fetch(`${server.url}/api/runs`)).json();
  runId = runs[0].id;
});

after(async () => {
  if (server) await server.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

const api = (p, init) => fetch(`${server.url}${p}`, init);
const post = (p, body, token = server.token) => api(p, {
  method: 'POST', body, headers: token ? { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } : {},
});

test('GET /api/runs lists the runs of every state folder under the root', async () => {
  const runs = await (await api('/api/runs')).json();
  assert.equal(runs.length, 1);
  assert.equal(runs[0].workflow, 'main');
  assert.equal(runs[0].state, 'failed');
  assert.equal(runs[0].state_dir, fs.realpathSync(path.join(project, '.flow')));
  assert.equal(runs[0].counts.failed, 1);
});

test('GET /api/runs/{id} has counts per state and per op', async () => {
  const run = await (await api(`/api/runs/${runId}`)).json();
  assert.equal(run.id, runId);
  assert.equal(run.counts.succeeded, 3);
  assert.equal(run.ops.greet.succeeded, 2);
  assert.equal(run.ops.fail.failed, 1);
  assert.equal((await api('/api/runs/19990101-000000-00000')).status, 404);
});

test('GET /api/runs/{id}/tasks filters by state and op', async () => {
  const failed = await (await api(`/api/runs/${runId}/tasks?state=failed`)).json();
  assert.deepEqual(failed.map((t) => t.path), ['main.x']);
  const greets = await (await api(`/api/runs/${runId}/tasks?op=greet`)).json();
  assert.deepEqual(greets.map((t) => t.path).sort(), ['main.g[0]', 'main.g[1]']);
  assert.equal(greets[0].usage.source, 'rusage');
  const one = await (await api(`/api/runs/${runId}/tasks/${encodeURIComponent('main.g[1]')}`)).json();
  assert.match(one.command, /echo hello 'b'/);
  assert.equal(one.inputs.name, 'b');
});

test('GET /api/tasks/{key}/log gives a task\'s stdout or stderr, or its tail', async () => {
  const [x] = await (await api(`/api/runs/${runId}/tasks?state=failed`)).json();
  const whole = await (await api(`/api/tasks/${x.key}/log?stream=stderr`)).text();
  assert.equal(whole, 'first\nthe-last-line-of-stderr\n');
  const tail = await (await api(`/api/tasks/${x.key}/log?stream=stderr&tail=1`)).text();
  assert.equal(tail, 'the-last-line-of-stderr\n');
  assert.equal((await api(`/api/tasks/${x.key}/log?stream=env`)).status, 400);
  assert.equal((await api(`/api/tasks/${x.key}/log?tail=many`)).status, 400);
  assert.equal((await api('/api/tasks/0123456789abcdef/log')).status, 404);
});

test('a log that is a symlink (out of the root) is refused', async () => {
  const [s] = await (await api(`/api/runs/${runId}/tasks?op=sneak`)).json();
  const r = await api(`/api/tasks/${s.key}/log?stream=stderr`);
  assert.equal(r.status, 403);
  assert.doesNotMatch(await r.text(), /root:/);
});

test('GET /api/runs/{id}/events streams the run\'s events (server-sent events)', async () => {
  const r = await api(`/api/runs/${runId}/events`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/event-stream/);
  const text = await r.text();  // the run is over: the stream ends after run_finished
  const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  assert.equal(events[0].event, 'run_started');
  assert.equal(events.at(-1).event, 'run_finished');
  const ids = text.split('\n').filter((l) => l.startsWith('id: ')).map((l) => Number(l.slice(4)));
  // Resuming from an id gives only what came after it.
  const rest = await (await api(`/api/runs/${runId}/events`, { headers: { 'Last-Event-ID': String(ids.at(-2)) } })).text();
  assert.equal(rest.split('\n').filter((l) => l.startsWith('data: ')).length, 1);
  assert.equal((await api(`/api/runs/${runId}/events`, { headers: { 'Last-Event-ID': 'x' } })).status, 400);
});

test('POST needs the token', async () => {
  assert.equal((await post('/api/runs', '{"file":"project/wf.flow"}', '')).status, 401);
  assert.equal((await post('/api/runs', '{"file":"project/wf.flow"}', 'wrong-token-wrong-token')).status, 401);
  assert.equal((await post(`/api/runs/${runId}/cancel`, '', '')).status, 401);
});

test('POST /api/runs refuses bad JSON and files it may not run', async () => {
  const bad = await post('/api/runs', '{"file": ');
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /not JSON/);
  assert.equal((await post('/api/runs', '[1,2]')).status, 400);
  assert.equal((await post('/api/runs', '{"params": {}}')).status, 400);
  assert.equal((await post('/api/runs', '{"file": "project/wf.flow", "params": [1]}')).status, 400);
  assert.equal((await post('/api/runs', '{"file": "project/none.flow"}')).status, 400);
  assert.equal((await post('/api/runs', '{"file": "../outside.flow"}')).status, 403);
  assert.equal((await post('/api/runs', '{"file": "project/../../outside.flow"}')).status, 403);
  assert.equal((await post('/api/runs', '{"file": "/etc/passwd"}')).status, 403);
  assert.equal((await post('/api/runs', '{"file": "link.flow"}')).status, 403);  // a symlink out of the root
  assert.equal((await post('/api/runs', '{"file": "project/notes.txt"}')).status, 403);
});

test('POST /api/runs launches a workflow under the root with parameters; cancel stops a run', async () => {
  const r = await post('/api/runs', JSON.stringify({ file: 'project/greet.flow', params: { names: ['p', 'q', 'r'] } }));
  const body = await r.json();
  assert.equal(r.status, 201, JSON.stringify(body));
  const run = await waitFor(async () => {
    const j = await (await api(`/api/runs/${body.id}`)).json();
    return j.state !== 'running' && j;
  }, 60, 'the launched run to end');
  assert.equal(run.ops.greet.succeeded, 3);

  const slow = await (await post('/api/runs', JSON.stringify({ file: 'project/slow.flow' }))).json();
  await waitFor(async () => (await (await api(`/api/runs/${slow.id}`)).json()).counts.running === 1, 30, 'the slow task to run');
  const c = await post(`/api/runs/${slow.id}/cancel`, '');
  assert.equal(c.status, 202);
  const ended = await waitFor(async () => {
    const j = await (await api(`/api/runs/${slow.id}`)).json();
    return j.state !== 'running' && j;
  }, 30, 'the cancelled run to end');
  assert.equal(ended.state, 'cancelled');
  assert.equal((await post(`/api/runs/${slow.id}/cancel`, '')).status, 409);
});

test('paths with . or .. segments are refused, however encoded', async () => {
  for (const target of ['/api/runs/../../etc/passwd', '/assets/%2e%2e/%2e%2e/etc/passwd', '/api/tasks/%2E%2E/log',
    '/runs/./x', '/api/runs/%2e%2e%2fetc%2fpasswd/tasks']) {
    const r = await get(server.port, target);
    assert.ok(r.status === 400 || r.status === 404, `${target}: ${r.status}`);
    assert.doesNotMatch(r.body, /root:/);
  }
  assert.equal((await get(server.port, '/api/runs/%zz')).status, 400);
  assert.equal((await get(server.port, '/api/runs/a%00b')).status, 400);
});

test('requests are bounded in size; unknown routes and methods are refused', async () => {
  const big = 'x'.repeat(2 * 1024 * 1024);
  const r = await rawRequest(server.port, `POST /api/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.token}\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n${big}`);
  assert.equal(r.status, 413);
  const h = await get(server.port, '/api/runs', `X-Big: ${'y'.repeat(20000)}\r\n`);
  assert.equal(h.status, 431);
  assert.equal((await api('/api/nothing')).status, 404);
  assert.equal((await api('/api/runs', { method: 'PUT' })).status, 405);
});

test('a refused body too large is answered, not reset, while the client is still sending it', async () => {
  // Closing with the body unread made the kernel reset the connection and the
  // client lose the 413 (29 of 30 tries with a 3 MB body before the fix).
  const big = 'x'.repeat(3 * 1024 * 1024);
  const statuses = [];
  for (let i = 0; i < 10; ++i) {
    const r = await rawRequest(server.port, `POST /api/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.token}\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n${big}`)
      .catch((e) => ({ status: e.code || e.message }));
    statuses.push(r.status);
  }
  assert.deepEqual(statuses, Array(10).fill(413));
});

test('each client address is held to a request rate', async () => {
  const limited = await startServe(flowc, serveRoot, ['--rate', '5']);
  try {
    const statuses = [];
    for (let i = 0; i < 30; ++i) statuses.push((await fetch(`${limited.url}/api/runs`)).status);
    assert.ok(statuses.includes(429), statuses.join(' '));
    assert.equal(statuses[0], 200);
  } finally {
    await limited.stop();
  }
});

test('binding beyond this machine needs a token file', () => {
  const r = runFlowc(flowc, ['serve', '--root', serveRoot, '--bind', '0.0.0.0', '--port', '0'], base, { allowFail: true });
  assert.equal(r.code, 2);
  assert.match(r.err, /--token-file/);
  fs.writeFileSync(path.join(base, 'short'), 'abc');
  const s = runFlowc(flowc, ['serve', '--root', serveRoot, '--bind', '0.0.0.0', '--token-file', path.join(base, 'short'), '--port', '0'], base, { allowFail: true });
  assert.equal(s.code, 2);
  assert.match(s.err, /too short/);
});
