// The report's charts, drawn by Apache ECharts (canvas): the timeline, the
// running tasks over time, and per-op distributions.
import * as echarts from 'echarts/core';
import { CustomChart, BoxplotChart, LineChart, ScatterChart, GraphChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, DataZoomComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { duration, bytes, opPalette, escapeHtml } from './format.js';

echarts.use([CustomChart, BoxplotChart, LineChart, ScatterChart, GraphChart, GridComponent, TooltipComponent,
  DataZoomComponent, LegendComponent, TitleComponent, CanvasRenderer]);

export { echarts };

const kMaxBars = 20000;

export function opColor(ops) {
  const index = new Map(ops.map((op, i) => [op, i]));
  return (op) => opPalette[(index.get(op) ?? 0) % opPalette.length];
}

export function chartIn(element) {
  const chart = echarts.init(element, null, { renderer: 'canvas' });
  new ResizeObserver(() => chart.resize()).observe(element);
  return chart;
}

// Tasks that ran (not reused), as bars on executor slots: a task takes the
// lowest slot free when it starts. Colored by op; zoom with the wheel or the
// slider. Beyond kMaxBars tasks, the longest (and every failure) are drawn.
export function timeline(element, rows, ops, t0, noteElement) {
  let ran = rows.filter((r) => r.state !== 'cached' && r.dur != null && r.start);
  let shown = ran;
  if (ran.length > kMaxBars) {
    shown = ran.filter((r) => r.state === 'failed');
    const rest = ran.filter((r) => r.state !== 'failed').sort((a, b) => b.dur - a.dur);
    shown = shown.concat(rest.slice(0, Math.max(0, kMaxBars - shown.length)));
    if (noteElement) noteElement.textContent = `Showing the ${shown.length.toLocaleString()} longest of ${ran.length.toLocaleString()} tasks that ran (and every failure); the table has them all.`;
  }
  shown = shown.slice().sort((a, b) => a.start - b.start);
  const laneEnds = [];
  const color = opColor(ops);
  const data = shown.map((r) => {
    const s = r.start - t0, e = s + r.dur;
    let lane = laneEnds.findIndex((end) => end <= s + 1e-6);
    if (lane < 0) { lane = laneEnds.length; laneEnds.push(e); } else laneEnds[lane] = e;
    return { value: [lane, s, e, r.i], itemStyle: { color: r.state === 'failed' ? '#d33a3a' : color(r.op) }, row: r };
  });
  const lanes = Math.max(1, laneEnds.length);
  element.style.height = Math.min(560, Math.max(180, 60 + lanes * 16)) + 'px';
  const chart = chartIn(element);
  chart.setOption({
    animation: false,
    tooltip: {
      formatter: (p) => {
        const r = p.data.row;
        return `<b>${escapeHtml(r.path)}</b> (${escapeHtml(r.op)})<br>${r.state}, ${duration(r.dur)}` +
          (r.rss != null ? `, peak ${bytes(r.rss)}` : '') + `<br>slot ${p.value[0] + 1}, from ${duration(p.value[1])}`;
      },
    },
    grid: { left: 56, right: 24, top: 12, bottom: 56 },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter' }, { type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', height: 18, bottom: 8 }],
    xAxis: { type: 'value', min: 0, axisLabel: { formatter: (v) => duration(v) } },
    yAxis: { type: 'category', inverse: true, data: Array.from({ length: lanes }, (_, k) => 'slot ' + (k + 1)), axisTick: { show: false } },
    series: [{
      type: 'custom',
      encode: { x: [1, 2], y: 0 },
      data,
      renderItem: (params, api) => {
        const lane = api.value(0);
        const from = api.coord([api.value(1), lane]);
        const to = api.coord([api.value(2), lane]);
        const height = Math.max(2, api.size([0, 1])[1] * 0.72);
        const shape = echarts.graphic.clipRectByRect(
          { x: from[0], y: from[1] - height / 2, width: Math.max(1, to[0] - from[0]), height },
          { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
        return shape && { type: 'rect', transition: [], shape, style: api.style() };
      },
    }],
  });
  return chart;
}

// How many tasks of each op ran at each moment (stacked): all tasks, however many.
export function concurrency(element, rows, ops, t0, t1) {
  const points = 240;
  const span = Math.max(1e-3, t1 - t0);
  const step = span / points;
  const byOp = new Map();
  for (const r of rows) {
    if (r.state === 'cached' || r.dur == null || !r.start) continue;
    let d = byOp.get(r.op);
    if (!d) { d = new Float64Array(points + 2); byOp.set(r.op, d); }
    // Rounded to the nearest sample at both ends: a task that ends as the
    // next starts is not counted twice.
    const a = Math.max(0, Math.round((r.start - t0) / step));
    const b = Math.min(points + 1, Math.round((r.start - t0 + r.dur) / step));
    d[a] += 1;
    d[Math.max(a + 1, b)] -= 1;
  }
  const color = opColor(ops);
  const series = [];
  for (const [op, d] of byOp) {
    let level = 0;
    const values = [];
    for (let i = 0; i <= points; ++i) { level += d[i]; values.push([i * step, Math.max(0, level)]); }
    series.push({ name: op, type: 'line', step: 'end', stack: 'all', areaStyle: {}, symbol: 'none', lineStyle: { width: 0 }, itemStyle: { color: color(op) }, data: values });
  }
  const chart = chartIn(element);
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: (v) => v },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 48, right: 24, top: 12, bottom: 48 },
    xAxis: { type: 'value', min: 0, max: span, axisLabel: { formatter: (v) => duration(v) } },
    yAxis: { type: 'value', minInterval: 1, name: 'running' },
    series,
  });
  return chart;
}

// Per op: a box plot of `value(row)` over the tasks that ran, and for memory
// the requested amount beside it (so over- and under-requests stand out).
export function distribution(element, rows, ops, value, format, requested) {
  const shownOps = ops.filter((op) => rows.some((r) => r.op === op && r.state !== 'cached' && value(r) != null)).slice(0, 40);
  const boxes = [], marks = [];
  for (const op of shownOps) {
    const values = rows.filter((r) => r.op === op && r.state !== 'cached').map(value).filter((v) => v != null);
    const q = values.length ? values.slice().sort((a, b) => a - b) : [];
    const at = (p) => q[Math.min(q.length - 1, Math.max(0, Math.round((q.length - 1) * p)))];
    boxes.push(q.length ? [q[0], at(0.25), at(0.5), at(0.75), q[q.length - 1]] : [0, 0, 0, 0, 0]);
    if (requested) {
      const req = rows.find((r) => r.op === op && requested(r) != null);
      marks.push(req ? requested(req) : null);
    }
  }
  element.style.height = Math.max(160, 70 + shownOps.length * 34) + 'px';
  const chart = chartIn(element);
  const series = [{ name: 'measured', type: 'boxplot', data: boxes, itemStyle: { color: '#dde7f7', borderColor: '#5470c6' } }];
  if (requested) series.push({ name: 'requested', type: 'scatter', symbol: 'diamond', symbolSize: 12, itemStyle: { color: '#d33a3a' }, data: marks.map((m, i) => (m == null ? null : [m, i])).filter(Boolean) });
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'item', formatter: (p) => {
      if (p.seriesType !== 'boxplot') return `requested ${format(p.value[0])}`;
      const v = p.value.length === 6 ? p.value.slice(1) : p.value;
      return `<b>${escapeHtml(shownOps[p.dataIndex])}</b><br>min ${format(v[0])}<br>median ${format(v[2])}<br>max ${format(v[4])}`;
    } },
    legend: requested ? { bottom: 0 } : undefined,
    grid: { left: 140, right: 24, top: 8, bottom: requested ? 44 : 24 },
    xAxis: { type: 'value', axisLabel: { formatter: (v) => format(v) } },
    yAxis: { type: 'category', data: shownOps, inverse: true },
    series,
  });
  return chart;
}
