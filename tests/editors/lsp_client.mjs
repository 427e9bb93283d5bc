// A minimal LSP client over a child process's stdio: Content-Length framing,
// requests matched to responses by id, notifications queued until awaited.
// Used by the LSP test and by bench/lsp.
import { spawn } from 'node:child_process';

export class LspClient {
  constructor(command, args = []) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    this.buffer = Buffer.alloc(0);
    this.nextId = 1;
    this.pending = new Map();      // id -> resolve
    this.notifications = [];       // received, not yet taken
    this.waiters = [];             // {method, resolve}
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.child.stdout.on('data', (chunk) => this.#receive(chunk));
  }

  #receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const match = /Content-Length: (\d+)/i.exec(header);
      if (!match) throw new Error(`the server sent a frame without Content-Length: ${header}`);
      const length = Number(match[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.#dispatch(JSON.parse(body));
    }
  }

  #dispatch(message) {
    if (message.method === undefined) {
      const key = JSON.stringify(message.id);
      const resolve = this.pending.get(key);
      if (resolve) {
        this.pending.delete(key);
        resolve(message);
        return;
      }
    }
    const waiter = this.waiters.findIndex((w) => w.method === (message.method ?? 'response'));
    if (waiter >= 0) {
      const [w] = this.waiters.splice(waiter, 1);
      w.resolve(message);
    } else {
      this.notifications.push(message);
    }
  }

  // Writes raw bytes (for malformed-input tests).
  writeRaw(text) {
    this.child.stdin.write(text);
  }

  send(message) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  // Resolves with the whole response message ({result} or {error}); a
  // server that does not answer fails the caller instead of hanging it.
  request(method, params, timeoutMs = 20000) {
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(JSON.stringify(id), (m) => { clearTimeout(timer); resolve(m); });
    });
    this.send({ jsonrpc: '2.0', id, method, params });
    return reply;
  }

  notify(method, params) {
    this.send({ jsonrpc: '2.0', method, params });
  }

  // The next notification with this method ('response' for a response with
  // an id nobody asked for, e.g. an error to a malformed frame).
  next(method, timeoutMs = 10000) {
    const queued = this.notifications.findIndex((m) => (m.method ?? 'response') === method);
    if (queued >= 0) return Promise.resolve(this.notifications.splice(queued, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ method, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  close() {
    this.child.stdin.end();
  }
}

// LSP position of the first occurrence of `needle` in `text` (+ `delta`
// characters), counted in UTF-16 code units as LSP does by default.
export function positionOf(text, needle, delta = 0) {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`'${needle}' is not in the text`);
  const before = text.slice(0, index + delta);
  const line = before.split('\n').length - 1;
  const character = before.length - (before.lastIndexOf('\n') + 1);  // JS strings are UTF-16
  return { line, character };
}
