// The task table (Tabulator): sortable by any column, filtered by op, state
// and a search over call paths; every row is a task. Up to a few thousand
// rows every row is in the page; beyond, rows are drawn as they scroll in.
import { TabulatorFull as Tabulator } from 'tabulator-tables';
import { duration, bytes, escapeHtml } from './format.js';

const kBasicRows = 5000;

export function taskTable(element, rows, { ops, states, link } = {}) {
  const filters = document.createElement('div');
  filters.className = 'filters';
  filters.innerHTML = `<input type="search" placeholder="call path contains…" data-f="path">
    <select data-f="op"><option value="">every op</option>${(ops || []).map((o) => `<option>${escapeHtml(o)}</option>`).join('')}</select>
    <select data-f="state"><option value="">every state</option>${(states || []).map((s) => `<option>${escapeHtml(s)}</option>`).join('')}</select>
    <span class="note" data-f="count"></span>`;
  const holder = document.createElement('div');
  element.append(filters, holder);
  const pct = (used, total) => (used != null && total ? Math.round((100 * used) / total) + '%' : '');
  const table = new Tabulator(holder, {
    data: rows,
    index: 'path',
    height: rows.length > 14 ? '520px' : undefined,
    layout: 'fitColumns',
    renderVertical: rows.length > kBasicRows ? 'virtual' : 'basic',
    initialSort: [{ column: 'start', dir: 'asc' }],
    columns: [
      { title: 'call path', field: 'path', minWidth: 200, formatter: (c) => {
        const r = c.getRow().getData();
        return link ? `<a href="${escapeHtml(link(r))}">${escapeHtml(r.path)}</a>` : escapeHtml(r.path);
      } },
      { title: 'op', field: 'op', width: 130 },
      { title: 'state', field: 'state', width: 100, formatter: (c) => `<span class="state-${escapeHtml(c.getValue())}">${escapeHtml(c.getValue())}</span>${c.getRow().getData().progress ? ' ' + escapeHtml(c.getRow().getData().progress) : ''}` },
      { title: 'start', field: 'start', visible: false },
      { title: 'duration', field: 'dur', width: 95, hozAlign: 'right', formatter: (c) => duration(c.getValue()) },
      { title: 'cpu', field: 'cpu', width: 85, hozAlign: 'right', formatter: (c) => duration(c.getValue()) },
      { title: 'cpu %', field: 'cpuPct', width: 75, hozAlign: 'right', mutator: (v, r) => (r.cpu != null && r.dur ? (100 * r.cpu) / (r.dur * (r.cpus || 1)) : null), formatter: (c) => (c.getValue() == null ? '' : Math.round(c.getValue()) + '%') },
      { title: 'peak mem', field: 'rss', width: 100, hozAlign: 'right', formatter: (c) => bytes(c.getValue()) },
      { title: 'requested', field: 'mem', width: 100, hozAlign: 'right', formatter: (c) => bytes(c.getValue()) },
      { title: 'mem %', field: 'memPct', width: 75, hozAlign: 'right', mutator: (v, r) => (r.rss != null && r.mem ? (100 * r.rss) / r.mem : null), formatter: (c) => {
        const v = c.getValue();
        if (v == null) return '';
        const style = v > 100 ? 'color:#d33a3a;font-weight:600' : v < 25 ? 'color:#b07a00' : '';
        return `<span style="${style}">${pct(v, 100)}</span>`;
      } },
      { title: 'tries', field: 'attempt', width: 60, hozAlign: 'right' },
      { title: 'exit', field: 'exit', width: 55, hozAlign: 'right' },
      { title: 'job', field: 'job', width: 110, formatter: (c) => escapeHtml(c.getValue()) },
      { title: 'executor', field: 'executor', width: 90 },
    ],
  });
  const apply = () => {
    const path = filters.querySelector('[data-f=path]').value.trim();
    const op = filters.querySelector('[data-f=op]').value;
    const state = filters.querySelector('[data-f=state]').value;
    table.setFilter((r) => (!path || r.path.includes(path)) && (!op || r.op === op) && (!state || r.state === state));
  };
  filters.addEventListener('input', apply);
  const count = () => {
    filters.querySelector('[data-f=count]').textContent = `${table.getDataCount('active').toLocaleString()} of ${table.getDataCount().toLocaleString()} tasks`;
  };
  table.on('dataFiltered', () => setTimeout(count));
  table.on('tableBuilt', count);
  table.on('dataChanged', () => setTimeout(count));
  return { table, filters, count };
}
