// What highlighting looks like: examples/hello.flow and part of tour.flow are
// tokenised with the TextMate grammar, coloured through a theme by
// vscode-textmate (as VS Code does), written as HTML and photographed by
// headless Chromium. The picture must show the theme's colours for keywords,
// names, strings, shell text and interpolations; docs/highlighting.png is the
// README's copy (FLOWC_UPDATE_GOLDENS=1 rewrites it).
//   node screenshot_test.mjs [CHROMIUM]
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { root, colorize } from './tokenize.mjs';

const chromium = process.argv[2] || 'chromium';
const theme = JSON.parse(fs.readFileSync(path.join(root, 'tests/editors/screenshot/theme.json'), 'utf8'));
const width = 960, height = 720;

function escape(text) {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

async function page() {
  const hello = fs.readFileSync(path.join(root, 'examples/hello.flow'), 'utf8').split('\n').slice(3).join('\n');
  const tour = fs.readFileSync(path.join(root, 'examples/tour.flow'), 'utf8').split('\n').slice(7, 30).join('\n');
  let body = '';
  for (const text of [hello.trimEnd(), tour.trimEnd()]) {
    const lines = await colorize(text, theme);
    body += '<pre>' + lines.map((tokens) => tokens.map((t) => {
      const style = [`color:${t.foreground}`];
      if (t.italic) style.push('font-style:italic');
      if (t.bold) style.push('font-weight:bold');
      return `<span style="${style.join(';')}">${escape(t.text)}</span>`;
    }).join('')).join('\n') + '</pre>';
  }
  return `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; padding: 12px 18px; background: ${theme.background}; }
    pre { font: 13px/1.45 "DejaVu Sans Mono", "Liberation Mono", monospace; margin: 0 0 14px; }
  </style>${body}`;
}

// Pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes).
function decodePng(file) {
  const data = fs.readFileSync(file);
  assert.equal(data.subarray(1, 4).toString('ascii'), 'PNG', `${file} is a PNG`);
  let offset = 8, w = 0, h = 0, channels = 0;
  const idat = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.subarray(offset + 4, offset + 8).toString('ascii');
    const chunk = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      w = chunk.readUInt32BE(0);
      h = chunk.readUInt32BE(4);
      assert.equal(chunk[8], 8, '8-bit samples');
      channels = { 2: 3, 6: 4 }[chunk[9]];
      assert.ok(channels, `colour type ${chunk[9]}`);
      assert.equal(chunk[12], 0, 'not interlaced');
    } else if (type === 'IDAT') {
      idat.push(chunk);
    }
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = w * channels;
  const pixels = Buffer.alloc(h * stride);
  for (let y = 0; y < h; ++y) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; ++x) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a
        : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const add = [0, a, b, (a + b) >> 1, paeth][filter];
      pixels[y * stride + x] = (v + add) & 0xff;
    }
  }
  const colors = new Map();
  for (let i = 0; i < pixels.length; i += channels) {
    const key = '#' + [pixels[i], pixels[i + 1], pixels[i + 2]].map((n) => n.toString(16).padStart(2, '0')).join('');
    colors.set(key, (colors.get(key) ?? 0) + 1);
  }
  return { width: w, height: h, colors };
}

function screenshot(html, png) {
  const dir = path.dirname(png);
  fs.writeFileSync(path.join(dir, 'page.html'), html);
  // As root Chromium needs --no-sandbox; the network flags keep it from
  // reaching for Google's services (this machine has no network).
  execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
    `--user-data-dir=${path.join(dir, 'profile')}`, `--window-size=${width},${height}`,
    `--screenshot=${png}`, `file://${path.join(dir, 'page.html')}`],
  { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
}

test('headless Chromium shows the highlighted example in the theme colours', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-shot-'));
  try {
    const png = path.join(dir, 'highlighting.png');
    screenshot(await page(), png);
    const { width: w, height: h, colors } = decodePng(png);
    assert.deepEqual([w, h], [width, height]);
    // Text is anti-aliased, so each colour must appear as the exact centre of
    // some glyph pixels: a handful is enough, none means it was not drawn.
    const expect = {
      'keywords (op, run, for)': '#c792ea', 'types': '#4ec9b0', 'op and workflow names': '#ffcb6b',
      'parameters': '#f07178', 'numbers': '#f78c6c', 'strings': '#c3e88d', 'shell text': '#b7c5a0', '${ }': '#ff5370',
      'embedded expressions': '#82aaff', 'comments': '#6f7a88',
    };
    for (const [what, color] of Object.entries(expect)) {
      assert.ok((colors.get(color) ?? 0) >= 5, `${what} (${color}) drawn: ${colors.get(color) ?? 0} pixels`);
    }
    assert.ok(colors.get(theme.background) > w * h / 2, 'the theme background fills the page');
    if (process.env.FLOWC_UPDATE_GOLDENS === '1') fs.copyFileSync(png, path.join(root, 'docs/highlighting.png'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's picture is there and is a picture of this size", () => {
  const { width: w, height: h } = decodePng(path.join(root, 'docs/highlighting.png'));
  assert.deepEqual([w, h], [width, height]);
  assert.match(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), /\(docs\/highlighting\.png\)/);
});
