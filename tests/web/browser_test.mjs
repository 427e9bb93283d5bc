// flowc serve and flowc report in a real browser: headless Chromium
// (Debian's), driven by playwright-core.
//   - the run page of a running 200-task workflow shows the done count rise;
//   - a failed task's page shows its stderr;
//   - the report opens with every request but its own file refused, and has
//     one table row per task.
// Screenshots of the run page and the report are written to the build folder
// (and to docs/ with FLOWC_UPDATE_GOLDENS=1).
//   node browser_test.mjs FLOWC CHROMIUM OUT_DIR
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { root, scratch, runFlowc, startServe, waitFor } from './serve.mjs';

const { chromium } = await import(path.join(root, 'web/node_modules/playwright-core/index.mjs'));
const flowc = path.resolve(process.argv[2] || 'flowc');
const chromiumPath = process.argv[3] || '/usr/bin/chromium';
const outDir = process.argv[4] || scratch('shots');
const base = scratch('browser');
const serveRoot = path.join(base, 'root');
const project = path.join(serveRoot, 'project');
let server;
let browser;

// Flags this machine's closed network needs (no background connections).
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const twoHundred = `
op step(i: int) -> (out: file) {
    resources { mem = 64MiB }
    run "sleep 0.15; echo \${i} > \${out}"
}
op total(parts: list[file]) -> (sum: file) {
    run "cat \${parts} | wc -l > \${sum}"
}
workflow main(n: int = 199) -> (sum: file) {
    for i in range(n) {
        s = step(i = i)
    }
    t = total(parts = s.out)
    return (sum = t.sum)
}
`;

const failing = `
op shout(word: str) -> (out: file) {
    run "echo \${word} > \${out}"
}
op crash(word: str) -> (out: file) {
    run "echo preparing; echo 'segfault-marker: the solver diverged' >&2; exit 2"
}
workflow main() -> (out: file) {
    a = shout(word = "hi")
    b = crash(word = "hi")
    return (out = b.out)
}
`;

function shot(page, name) {
  const file = path.join(outDir, name);
  return page.screenshot({ path: file, fullPage: false }).then(() => {
    if (process.env.FLOWC_UPDATE_GOLDENS === '1') fs.copyFileSync(file, path.join(root, 'docs', name));
  });
}

before(async () => {
  fs.mkdirSync(project, { recursive: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(project, 'many.flow'), twoHundred);
  fs.writeFileSync(path.join(project, 'failing.flow'), failing);
  server = await startServe(flowc, serveRoot);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

test('the run page of a running 200-task workflow shows the done count rising', async () => {
  const id = runFlowc(flowc, ['run', 'many.flow', '--detach', '-j', '2'], project).out.trim();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${server.url}/runs/${id}`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
  const done = async () => Number(await page.textContent('#done-count'));
  // It rises while the run goes, without reloading the page: every value the
  // page shows until the end, which must include several below 200.
  const seen = [await done()];
  while (seen.at(-1) < 200) {
    const last = seen.at(-1);
    seen.push(await waitFor(async () => { const n = await done(); return n > last && n; }, 60, `more than ${last} done`));
    if (seen.length === 3) await shot(page, 'serve-run-page.png');
  }
  const during = seen.filter((n) => n > 0 && n < 200);
  assert.ok(during.length >= 3, `the count rose while the run went: ${seen.join(' → ')}`);
  assert.equal(await page.textContent('#state'), 'succeeded');
  await page.close();
});

test('a failed task\'s page shows its stderr', async () => {
  const r = runFlowc(flowc, ['run', 'failing.flow'], project, { allowFail: true });
  assert.equal(r.code, 1);
  const runs = await (await fetch(`${server.url}/api/runs`)).json();
  const id = runs.find((x) => x.state === 'failed').id;
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.goto(`${server.url}/runs/${id}/task?path=main.b`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  await waitFor(async () => (await page.textContent('#log')).includes('segfault-marker'), 10, 'the stderr in the page');
  assert.match(await page.textContent('#task-state'), /failed/);
  assert.match(await page.textContent('#error'), /exited with code 2/);
  await page.close();
});

test('the report opens offline and has one table row per task', async () => {
  const report = path.join(base, 'report.html');
  const latest = (await (await fetch(`${server.url}/api/runs`)).json()).find((x) => x.workflow === 'main' && x.tasks === 200);
  runFlowc(flowc, ['report', latest.id, '-o', report, '--state-dir', path.join(project, '.flow')], project);
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const url = `file://${report}`;
  const refused = [];
  await page.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    refused.push(route.request().url());
    return route.abort();
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector('body[data-ready]', { timeout: 60000 });
  assert.equal(await page.getAttribute('body', 'data-ready'), 'true', errors.join('\n'));
  assert.deepEqual(refused, []);
  assert.deepEqual(errors, []);
  assert.equal(await page.locator('#tasks .tabulator-row').count(), 200);
  assert.match(await page.textContent('#summary'), /succeeded/);
  // The charts drew something (canvas with pixels).
  assert.ok(await page.locator('#timeline canvas').count() > 0);
  assert.ok(await page.locator('#graph canvas').count() > 0);
  await shot(page, 'report.png');
  await page.screenshot({ path: path.join(outDir, 'report-full.png'), fullPage: true });
  await page.close();
});
