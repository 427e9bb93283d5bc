// Numbers for people, the same in the report and the live UI.
export function duration(s) {
  if (s == null || s < 0 || Number.isNaN(s)) return '';
  if (s < 10) return s.toFixed(2) + 's';
  const t = Math.round(s);
  if (t < 60) return t + 's';
  if (t < 3600) return Math.floor(t / 60) + 'm' + String(t % 60).padStart(2, '0') + 's';
  return Math.floor(t / 3600) + 'h' + String(Math.floor((t % 3600) / 60)).padStart(2, '0') + 'm';
}

export function bytes(b) {
  if (b == null || b < 0) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (b >= 1024 && u < 4) { b /= 1024; ++u; }
  return u === 0 ? b.toFixed(0) + ' B' : b.toPrecision(3) + ' ' + units[u];
}

export function when(epoch) {
  if (!epoch) return '';
  const d = new Date(epoch * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function escapeHtml(text) {
  return String(text ?? '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

export const stateColors = {
  succeeded: '#2e9d5b', cached: '#7aa6d9', running: '#e0a020', failed: '#d33a3a',
  cancelled: '#8a6fb3', absent: '#b8bec9', queued: '#b8bec9', waiting: '#b8bec9',
};

// A palette for ops (ECharts' default order, extended).
export const opPalette = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4',
  '#ea7ccc', '#2f4554', '#61a0a8', '#d48265', '#749f83', '#ca8622', '#bda29a', '#6e7074'];
