// A run's tasks as rows, from the report's embedded data (columns, gzip,
// base64) or from the HTTP API (docs/api.md), and the graph nodes they
// belong to.

// The report's data: base64 of gzip of JSON, decompressed by the browser
// itself (DecompressionStream): no network, no library.
export async function decodeEmbedded(base64) {
  const binary = atob(base64);
  const raw = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; ++i) raw[i] = binary.charCodeAt(i);
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text());
}

// Columns (runtime/report/report_data.cpp) → one object per task.
export function rowsFromColumns(data) {
  const c = data.columns;
  const start0 = data.run.started;
  const rows = new Array(c.path.length);
  const num = (v, scale) => (v < 0 ? null : v * scale);
  for (let i = 0; i < c.path.length; ++i) {
    const user = num(c.user[i], 1e-3), sys = num(c.sys[i], 1e-3);
    rows[i] = {
      i,
      path: c.path[i],
      op: data.ops[c.op[i]],
      state: data.states[c.state[i]],
      start: start0 + c.start[i] / 1000,
      dur: num(c.dur[i], 1e-3),
      cpu: user == null ? null : user + (sys || 0),
      rss: num(c.rss[i], 1024),
      mem: num(c.mem[i], 1024),
      cpus: c.cpus[i],
      attempt: c.attempt[i],
      exit: c.exit[i] < 0 ? null : c.exit[i],
      job: c.job[i],
      executor: data.executors[c.executor[i]],
      key: c.key ? c.key[i] : '',
    };
  }
  return rows;
}

// One task of GET /api/runs/{id}/tasks → a row.
export function rowFromApi(t, i) {
  const u = t.usage || {};
  const req = u.requested || {};
  const cpu = u.user != null ? u.user + (u.sys || 0) : null;
  return {
    i,
    path: t.path,
    op: t.op,
    state: t.state,
    start: t.started,
    dur: t.duration ?? null,
    cpu,
    rss: u.rss ?? null,
    mem: req.mem ?? null,
    cpus: req.cpus ?? null,
    attempt: t.attempt,
    exit: t.exit_code ?? null,
    job: t.job || '',
    executor: t.executor || '',
    key: t.key,
    progress: t.progress || '',
  };
}

// The graph node a task belongs to: its path without item numbers
// (main.g[3] → main.g), or the sub-workflow call it runs under.
export function nodeFinder(nodes) {
  const ids = new Set(nodes.map((n) => n.id));
  const cache = new Map();
  return (path) => {
    let id = path.replace(/\[\d+\]/g, '');
    if (cache.has(id)) return cache.get(id);
    let probe = id;
    while (probe && !ids.has(probe)) {
      const dot = probe.lastIndexOf('.');
      probe = dot > 0 ? probe.slice(0, dot) : '';
    }
    cache.set(id, probe || null);
    return probe || null;
  };
}

export function quartiles(values) {
  const v = values.filter((x) => x != null && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const q = (p) => {
    const at = (v.length - 1) * p;
    const lo = Math.floor(at), hi = Math.ceil(at);
    return v[lo] + (v[hi] - v[lo]) * (at - lo);
  };
  return [v[0], q(0.25), q(0.5), q(0.75), v[v.length - 1]];
}
