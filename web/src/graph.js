// The workflow graph: one node per call site (a fan-out's items collapsed
// into one node with counts, a sub-workflow call into one node), laid out by
// dagre, drawn by ECharts; a node with failures is red.
import dagre from '@dagrejs/dagre';
import { chartIn } from './charts.js';
import { stateColors, escapeHtml } from './format.js';

const kWidth = 190, kHeight = 50;

// Graph nodes from the run's graph.json, or (an older run) from task paths.
export function graphNodes(graph, rows) {
  if (graph && graph.nodes && graph.nodes.length) return graph;
  const ids = [...new Set(rows.map((r) => r.path.replace(/\[\d+\]/g, '')))];
  return { nodes: ids.map((id) => ({ id, label: id.split('.').pop(), op: '' })), edges: [] };
}

export function countByNode(rows, nodeOf) {
  const counts = new Map();
  for (const r of rows) {
    const id = nodeOf(r.path);
    if (!id) continue;
    let c = counts.get(id);
    if (!c) { c = {}; counts.set(id, c); }
    c[r.state] = (c[r.state] || 0) + 1;
  }
  return counts;
}

function nodeColor(c) {
  if (!c) return '#e4e7ed';
  if (c.failed) return stateColors.failed;
  if (c.running) return stateColors.running;
  if (c.cancelled) return stateColors.cancelled;
  return stateColors.succeeded;
}

function countText(c, long = false) {
  if (!c) return 'not started';
  const parts = [];
  const done = (c.succeeded || 0) + (c.cached || 0);
  if (done) parts.push(`${done.toLocaleString()} done` + (long && c.cached ? ` (${c.cached.toLocaleString()} cached)` : ''));
  if (c.running) parts.push(`${c.running} running`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
  return parts.join(', ');
}

function layout(graph) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 44, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: kWidth, height: kHeight });
  for (const [a, b] of graph.edges) if (g.hasNode(a) && g.hasNode(b)) g.setEdge(a, b);
  dagre.layout(g);
  const size = g.graph();
  return { g, width: size.width || kWidth, height: size.height || kHeight };
}

// Draws the graph in `element`; returns update(counts) for live pages. The
// layout's pixels are kept (shrunk only to fit the width): two invisible
// corner nodes make the drawing's extent the layout's own, so ECharts maps it
// one to one instead of stretching the gaps between the boxes.
export function drawGraph(element, graph) {
  const { g, width, height } = layout(graph);
  // ECharts keeps a node's size in pixels by undoing the view's horizontal
  // scale only: the view must scale x and y alike, so the drawing's extent
  // gets the box's proportions (the layout centred in it).
  const boxWidth = Math.max(200, element.clientWidth - 20);
  const scale = Math.min(1, boxWidth / width);
  const boxHeight = Math.min(660, height * scale);
  element.style.height = Math.max(120, boxHeight + 24) + 'px';
  const extentWidth = boxWidth / scale;
  const chart = chartIn(element);
  const corner = (id, x, y) => ({ id, name: '', x, y, symbolSize: 0, label: { show: false }, tooltip: { show: false } });
  const corners = [corner('\u0000a', (width - extentWidth) / 2, 0), corner('\u0000b', (width + extentWidth) / 2, height)];
  const option = (counts) => ({
    animation: false,
    tooltip: { formatter: (p) => (p.dataType === 'node' && p.data.op !== undefined ? `<b>${escapeHtml(p.data.id)}</b> ${escapeHtml(p.data.op ? '(' + p.data.op + ')' : '')}<br>${escapeHtml(countText(counts.get(p.data.id), true))}` : '') },
    series: [{
      type: 'graph',
      layout: 'none',
      left: 10, right: 10, top: 12, bottom: 12,
      nodeScaleRatio: 0,
      roam: true,
      edgeSymbol: ['none', 'arrow'],
      edgeSymbolSize: 8,
      lineStyle: { color: '#8b93a3', width: 1.2 },
      label: { show: true, color: '#fff', fontSize: Math.round(11 * Math.max(scale, 0.8)), lineHeight: 15 },
      data: corners.concat(graph.nodes.map((n) => {
        const p = g.node(n.id);
        const c = counts.get(n.id);
        return {
          id: n.id, name: n.id, op: n.op, x: p.x, y: p.y,
          symbol: 'rect', symbolSize: [kWidth * scale, kHeight * scale],
          itemStyle: { color: nodeColor(c), borderColor: '#fff' },
          label: { color: c ? '#fff' : '#333', formatter: `${n.label}\n${countText(c)}` },
        };
      })),
      links: graph.edges.filter(([a, b]) => g.hasNode(a) && g.hasNode(b)).map(([a, b]) => ({ source: a, target: b })),
    }],
  });
  chart.setOption(option(new Map()));
  return (counts) => chart.setOption(option(counts));
}
