// flowc serve's pages: the runs of every state folder under the root, a
// run (graph, counts and task table kept up to date from the run's event
// stream), a task (its command, resources and log, followed while it runs).
import { rowFromApi, nodeFinder } from './data.js';
import { drawGraph, graphNodes, countByNode } from './graph.js';
import { taskTable } from './table.js';
import { summaryHtml } from './report.js';
import { duration, when, escapeHtml, bytes } from './format.js';

const enc = encodeURIComponent;

async function api(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

function header(title, sub) {
  return `<header class="top"><h1><a href="/">flowc</a></h1><span>${title}</span><span class="sub">${sub || ''}</span></header>`;
}

async function runsPage(root) {
  const runs = await api('/api/runs');
  root.innerHTML = `${header('runs', escapeHtml(window.FLOWC.root || ''))}<main><section class="card"><h2>Runs</h2>
    <table class="plain" id="runs"><thead><tr><th>run</th><th>workflow</th><th>folder</th><th>started</th><th>duration</th><th>state</th><th>ran / cached / failed</th></tr></thead><tbody>
    ${runs.map((r) => `<tr><td><a href="/runs/${enc(r.id)}">${escapeHtml(r.id)}</a></td><td>${escapeHtml(r.workflow || '')}</td>
      <td>${escapeHtml(r.state_dir || '')}</td><td>${when(r.started)}</td><td>${duration(r.duration)}</td>
      <td class="state-${escapeHtml(r.state)}">${escapeHtml(r.state)}</td>
      <td>${r.counts.succeeded || 0} / ${r.counts.cached || 0} / ${r.counts.failed || 0}</td></tr>`).join('')}
    </tbody></table>${runs.length ? '' : '<p class="note">No runs under the root yet.</p>'}</section></main>`;
  document.body.dataset.ready = 'true';
}

async function runPage(root, id) {
  const [run, graphData, tasks] = await Promise.all([
    api(`/api/runs/${enc(id)}`), api(`/api/runs/${enc(id)}/graph`), api(`/api/runs/${enc(id)}/tasks`)]);
  let rows = tasks.map(rowFromApi);
  root.innerHTML = `${header('run ' + escapeHtml(id), escapeHtml(run.workflow || ''))}<main>
    <section class="card"><h2><span class="live-dot" id="live"></span>Run <span id="state" class="state-${escapeHtml(run.state)}">${escapeHtml(run.state)}</span>:
      <span id="done-count">${(run.counts.succeeded || 0) + (run.counts.cached || 0)}</span> done, <span id="running-count">${run.counts.running || 0}</span> running,
      <span id="failed-count">${run.counts.failed || 0}</span> failed
      · <a href="/runs/${enc(id)}/report">report</a></h2><div id="summary">${summaryHtml(run, rows)}</div></section>
    <section class="card"><h2>Workflow</h2><div id="graph" class="chart"></div></section>
    <section class="card"><h2>Tasks</h2><div id="tasks"></div></section></main>`;
  const graph = graphNodes(graphData, rows);
  const nodeOf = nodeFinder(graph.nodes);
  const updateGraph = drawGraph(document.getElementById('graph'), graph);
  updateGraph(countByNode(rows, nodeOf));
  const link = (r) => `/runs/${enc(id)}/task?path=${enc(r.path)}`;
  const { table } = taskTable(document.getElementById('tasks'), rows, { ops: [...new Set(rows.map((r) => r.op))], states: ['succeeded', 'cached', 'running', 'failed', 'cancelled'], link });

  // Refresh from the API after events, at most every 300 ms: counts always,
  // the table's rows whole while the run is small, else patched per event.
  let pending = null;
  const byPath = new Map(rows.map((r) => [r.path, r]));
  const refresh = async () => {
    pending = null;
    const now = await api(`/api/runs/${enc(id)}`);
    document.getElementById('done-count').textContent = (now.counts.succeeded || 0) + (now.counts.cached || 0);
    document.getElementById('running-count').textContent = now.counts.running || 0;
    document.getElementById('failed-count').textContent = now.counts.failed || 0;
    const state = document.getElementById('state');
    state.textContent = now.state;
    state.className = 'state-' + now.state;
    if (now.tasks <= 5000) {
      rows = (await api(`/api/runs/${enc(id)}/tasks`)).map(rowFromApi);
      for (const r of rows) byPath.set(r.path, r);
      table.replaceData(rows);
    }
    document.getElementById('summary').innerHTML = summaryHtml(now, rows);
    updateGraph(countByNode(rows, nodeOf));
    if (now.state !== 'running') document.getElementById('live').classList.add('off');
  };
  const later = () => { if (!pending) pending = setTimeout(refresh, 300); };
  const events = new EventSource(`/api/runs/${enc(id)}/events`);
  events.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.task) {
      const state = { started: 'running', adopted: 'running', finished: 'succeeded', cached: 'cached', failed: 'failed', cancelled: 'cancelled' }[e.event];
      if (state) {
        const r = byPath.get(e.task) || { path: e.task, op: e.op, i: byPath.size };
        r.state = state;
        byPath.set(e.task, r);
      }
    }
    if (e.event === 'run_finished') events.close();
    later();
  };
  events.onerror = () => { if (events.readyState === EventSource.CLOSED) document.getElementById('live').classList.add('off'); };
  document.body.dataset.ready = 'true';
}

async function taskPage(root, id, path) {
  const t = await api(`/api/runs/${enc(id)}/tasks/${enc(path)}`);
  const u = t.usage || {};
  const req = u.requested || {};
  const kv = (k, v) => (v === '' || v == null ? '' : `<tr><td>${k}</td><td>${v}</td></tr>`);
  root.innerHTML = `${header(`task ${escapeHtml(t.path)}`, `of run <a href="/runs/${enc(id)}">${escapeHtml(id)}</a>`)}<main>
    <section class="card"><h2>${escapeHtml(t.path)} <span class="note">(op ${escapeHtml(t.op)})</span>: <span id="task-state" class="state-${escapeHtml(t.state)}">${escapeHtml(t.state)}</span></h2>
      <table class="kv">
        ${kv('exit code', t.exit_code)}
        ${kv('executor', escapeHtml(t.executor) + (t.job ? ' (' + escapeHtml(t.job) + ')' : ''))}
        ${kv('attempts', t.attempt)}
        ${kv('started', when(t.started))}
        ${kv('finished', t.finished ? when(t.finished) + ' (' + duration(t.duration) + ')' : '')}
        ${kv('cpu', u.user != null ? `${duration(u.user)} user + ${duration(u.sys)} sys` + (req.cpus ? ` of ${req.cpus} cpu requested` : '') : '')}
        ${kv('peak memory', u.rss != null ? bytes(u.rss) + (req.mem ? ` of ${bytes(req.mem)} requested` : '') : '')}
        ${kv('read / written', u.read != null ? `${bytes(u.read)} / ${bytes(u.written)}` : '')}
        ${kv('measured by', escapeHtml(u.source || ''))}
        ${kv('progress', escapeHtml(t.progress || ''))}
        ${kv('work dir', `<code>${escapeHtml(t.work_dir)}</code>`)}
        ${kv('key', `<code>${escapeHtml(t.key)}</code>`)}
      </table></section>
    ${t.error ? `<section class="card"><h2>Error</h2><pre class="code" id="error">${escapeHtml(t.error)}</pre></section>` : ''}
    <section class="card"><h2>Command</h2><pre class="code" id="command">${escapeHtml(t.command || '')}</pre></section>
    <section class="card"><h2>Log <span class="tabs"><button data-s="stderr" class="on">stderr</button> <button data-s="stdout">stdout</button></span></h2>
      <pre class="log" id="log"></pre><p class="note" id="log-note"></p></section>
    ${t.inputs ? `<section class="card"><h2>Inputs</h2><pre class="code">${escapeHtml(JSON.stringify(t.inputs, null, 2))}</pre></section>` : ''}
  </main>`;
  let stream = t.state === 'running' ? 'stdout' : 'stderr';
  const buttons = root.querySelectorAll('.tabs button');
  const mark = () => buttons.forEach((b) => b.classList.toggle('on', b.dataset.s === stream));
  mark();
  let state = t.state;
  const load = async () => {
    const response = await fetch(`/api/tasks/${enc(t.key)}/log?stream=${stream}&tail=400&run=${enc(id)}`);
    const text = response.ok ? await response.text() : '';
    const log = document.getElementById('log');
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.textContent = text;
    if (atEnd) log.scrollTop = log.scrollHeight;
    document.getElementById('log-note').textContent = state === 'running' ? 'following: the last 400 lines, every second' : `the last 400 lines of ${stream}`;
  };
  buttons.forEach((b) => b.addEventListener('click', () => { stream = b.dataset.s; mark(); load(); }));
  await load();
  if (state === 'running') {
    const timer = setInterval(async () => {
      const now = await api(`/api/runs/${enc(id)}/tasks/${enc(path)}`);
      state = now.state;
      document.getElementById('task-state').textContent = state;
      await load();
      if (state !== 'running') clearInterval(timer);
    }, 1000);
  }
  document.body.dataset.ready = 'true';
}

export async function showLive(root, config) {
  try {
    if (config.page === 'run') await runPage(root, config.run);
    else if (config.page === 'task') await taskPage(root, config.run, config.path);
    else await runsPage(root);
  } catch (e) {
    root.innerHTML = `${header('error')}<main><section class="card"><pre class="code">${escapeHtml(e.message)}</pre></section></main>`;
    document.body.dataset.ready = 'error';
  }
}
