// Helpers for the flowc serve tests: a scratch root with projects in it,
// flowc run and flowc serve started and stopped (by pid), raw HTTP requests
// (fetch would clean `..` out of a URL before sending it).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export function scratch(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `flowc-${name}-`));
}

export function runFlowc(flowc, args, cwd, { allowFail = false } = {}) {
  try {
    return { code: 0, out: execFileSync(flowc, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    if (!allowFail) throw new Error(`flowc ${args.join(' ')} failed (${e.status}): ${e.stderr}`);
    return { code: e.status, out: e.stdout, err: e.stderr };
  }
}

// Starts `flowc serve` on a free port; resolves when it listens.
export async function startServe(flowc, serveRoot, extra = []) {
  const portFile = path.join(serveRoot, `.port-${process.pid}-${Math.random().toString(16).slice(2)}`);
  const child = spawn(flowc, ['serve', '--root', serveRoot, '--port', '0', '--port-file', portFile, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 200 && !fs.existsSync(portFile); ++i) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!fs.existsSync(portFile)) {
    child.kill('SIGKILL');
    throw new Error(`flowc serve did not start: ${stderr}`);
  }
  await new Promise((r) => setTimeout(r, 20));
  const port = Number(fs.readFileSync(portFile, 'utf8').trim());
  const tokenFile = path.join(serveRoot, '.flowc-serve-token');
  const token = fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, 'utf8').trim() : '';
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

// One raw HTTP/1.1 request; resolves { status, headers, body }.
export function rawRequest(port, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    socket.on('data', (d) => { data = Buffer.concat([data, d]); });
    // A server that refuses a request early (too large) answers and closes
    // while the rest is still being written: EPIPE or ECONNRESET then, and
    // the answer is what it sent before.
    let failure = null;
    socket.on('error', (e) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
      failure = e;
    });
    socket.on('close', () => {
      if (!data.length) return reject(failure || new Error('the server closed the connection without an answer'));
      const s = data.toString('latin1');
      const head = s.slice(0, s.indexOf('\r\n\r\n'));
      const status = Number(head.split(' ')[1]);
      resolve({ status, head, body: s.slice(s.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(text);
  });
}

export function get(port, target, headers = '') {
  return rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`);
}

export async function waitFor(check, seconds, what) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
