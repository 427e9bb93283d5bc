// The report page: everything from the data embedded in the file.
import { decodeEmbedded, rowsFromColumns, nodeFinder } from './data.js';
import { timeline, concurrency, distribution } from './charts.js';
import { drawGraph, graphNodes, countByNode } from './graph.js';
import { taskTable } from './table.js';
import { duration, bytes, when, escapeHtml } from './format.js';

export function summaryHtml(run, rows) {
  const counts = run.counts || {};
  let cpu = 0, rssSum = 0, memSum = 0, measured = 0;
  for (const r of rows) {
    if (r.cpu != null) cpu += r.cpu;
    if (r.rss != null && r.mem) { rssSum += r.rss; memSum += r.mem; ++measured; }
  }
  const stat = (k, v, cls = '') => `<div class="stat"><div class="v ${cls}">${v}</div><div class="k">${k}</div></div>`;
  return `<div class="summary">
    ${stat('state', escapeHtml(run.state), 'state-' + escapeHtml(run.state))}
    ${stat('duration', duration(run.duration))}
    ${stat('tasks', (run.tasks ?? rows.length).toLocaleString())}
    ${stat('ran', (counts.succeeded || 0).toLocaleString(), 'state-succeeded')}
    ${stat('cached', (counts.cached || 0).toLocaleString(), 'state-cached')}
    ${stat('failed', (counts.failed || 0).toLocaleString(), counts.failed ? 'state-failed' : '')}
    ${stat('cpu-hours', (cpu / 3600).toFixed(cpu < 36 ? 4 : 2))}
    ${stat('memory efficiency', measured ? Math.round((100 * rssSum) / memSum) + '%' : 'n/a')}
  </div>
  <table class="kv" style="margin-top:10px">
    <tr><td>run</td><td>${escapeHtml(run.id)}</td></tr>
    <tr><td>workflow</td><td>${escapeHtml(run.workflow || '')} ${run.source ? '(' + escapeHtml(run.source) + ')' : ''}</td></tr>
    <tr><td>started</td><td>${when(run.started)}${run.finished ? ', finished ' + when(run.finished) : ''}</td></tr>
    ${measured ? `<tr><td>memory</td><td>${measured.toLocaleString()} tasks asked for memory: they used ${bytes(rssSum)} at their peaks of ${bytes(memSum)} requested</td></tr>` : ''}
  </table>`;
}

export async function showReport(root, config) {
  const data = await decodeEmbedded(document.getElementById('flowc-data').textContent.trim());
  const run = data.run;
  const rows = rowsFromColumns(data);
  document.title = `flowc report: ${run.workflow || ''} ${run.id}`;
  const truncated = data.failures_total > data.failures.length ? `<p class="note">The first ${data.failures.length} of ${data.failures_total} failures.</p>` : '';
  root.innerHTML = `
    <header class="top"><h1>flowc report</h1><span class="sub">run ${escapeHtml(run.id)} · ${escapeHtml(run.workflow || '')} · written ${when(data.generated)}</span></header>
    <main>
      <section class="card" id="summary"><h2>Summary</h2>${summaryHtml(run, rows)}</section>
      <section class="card"><h2>Workflow</h2><div id="graph" class="chart"></div><p class="note">One node per call; a <code>for</code>'s items are one node with their counts. Red: has failures. Scroll to zoom, drag to move.</p></section>
      <section class="card"><h2>Timeline</h2><div id="timeline" class="chart"></div><p class="note" id="timeline-note">A bar per task that ran (reused tasks did not), on the executor slot it took, colored by op. Scroll or drag the slider to zoom.</p>
        <div id="concurrency" class="chart" style="height:220px"></div></section>
      <section class="card"><h2>Tasks</h2><div id="tasks"></div></section>
      <div class="row2">
        <section class="card"><h2>Duration per op</h2><div id="dist-duration" class="chart"></div></section>
        <section class="card"><h2>Peak memory per op (◆ requested)</h2><div id="dist-memory" class="chart"></div></section>
      </div>
      <section class="card" id="failures"><h2>Failures</h2>${data.failures.length ? '' : '<p class="note">None.</p>'}${truncated}</section>
    </main>`;
  const ops = data.ops;
  const t0 = run.started;
  const t1 = run.finished || Math.max(t0, ...rows.map((r) => r.start + (r.dur || 0)));
  const graph = graphNodes(data.graph, rows);
  const update = drawGraph(document.getElementById('graph'), graph);
  update(countByNode(rows, nodeFinder(graph.nodes)));
  timeline(document.getElementById('timeline'), rows, ops, t0, document.getElementById('timeline-note'));
  concurrency(document.getElementById('concurrency'), rows, ops, t0, t1);
  taskTable(document.getElementById('tasks'), rows, { ops, states: data.states });
  distribution(document.getElementById('dist-duration'), rows, ops, (r) => r.dur, duration);
  distribution(document.getElementById('dist-memory'), rows, ops, (r) => r.rss, bytes, (r) => r.mem);
  const failures = document.getElementById('failures');
  for (const f of data.failures) {
    const div = document.createElement('div');
    div.className = 'failure';
    div.innerHTML = `<h3>${escapeHtml(f.path)} <span class="note">(${escapeHtml(f.op)})</span></h3>
      <pre class="code">${escapeHtml(f.error)}</pre>
      ${f.stderr ? `<div class="note">last lines of ${escapeHtml(f.log)}:</div><pre class="log">${escapeHtml(f.stderr)}</pre>` : ''}`;
    failures.append(div);
  }
  document.body.dataset.ready = 'true';
}
