// Tokenises .flow text with the extension's TextMate grammar, using the
// engine VS Code uses (vscode-textmate on vscode-oniguruma), so what the
// tests see is what the editor shows.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vscodeDir = path.join(root, 'editors/vscode');
// The packages live in editors/vscode/node_modules (scripts/npm-ci.sh).
const require = createRequire(path.join(vscodeDir, 'package.json'));
const textmate = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

let registryPromise;

function registry() {
  registryPromise ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName) => {
        if (scopeName !== 'source.flow') return null;  // source.shell is not loaded: the run grammar is our own
        const file = path.join(vscodeDir, 'syntaxes/flow.tmLanguage.json');
        return textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
      },
    });
  })();
  return registryPromise;
}

// [[{text, scopes}]] per line; scopes without the root `source.flow`.
export async function tokenize(text) {
  const grammar = await (await registry()).loadGrammar('source.flow');
  let stack = textmate.INITIAL;
  const lines = [];
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, stack);
    lines.push(result.tokens.map((t) => ({
      text: line.slice(t.startIndex, t.endIndex),
      scopes: t.scopes.slice(1),
    })));
    stack = result.ruleStack;
  }
  return lines;
}

// The snapshot form: each source line, then one line per token that has a
// scope (plain text between tokens is left out to keep diffs readable).
export function snapshot(text, lines) {
  const source = text.split('\n');
  let out = '';
  lines.forEach((tokens, i) => {
    if (i === source.length - 1 && source[i] === '') return;
    out += `${String(i + 1).padStart(3)}| ${source[i]}\n`;
    for (const t of tokens) {
      if (t.scopes.length === 0 || t.text.trim() === '') continue;
      out += `   ${JSON.stringify(t.text)} ${t.scopes.join(' ')}\n`;
    }
  });
  return out;
}

// [[{text, foreground, italic, bold}]] per line: the grammar's scopes resolved
// through a theme ({settings: [...]}, VS Code's format) by vscode-textmate.
export async function colorize(text, theme) {
  const reg = await registry();
  reg.setTheme({ name: theme.name, settings: theme.settings });
  const colors = reg.getColorMap();
  const grammar = await reg.loadGrammar('source.flow');
  // vscode-textmate's encoded token attributes (EncodedTokenAttributes).
  const FOREGROUND_MASK = 0b00000000111111111000000000000000, FOREGROUND_OFFSET = 15;
  const FONT_STYLE_MASK = 0b00000000000000000111100000000000, FONT_STYLE_OFFSET = 11;
  let stack = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const result = grammar.tokenizeLine2(line, stack);
    stack = result.ruleStack;
    const tokens = [];
    for (let i = 0; i < result.tokens.length; i += 2) {
      const start = result.tokens[i];
      const end = i + 2 < result.tokens.length ? result.tokens[i + 2] : line.length;
      const meta = result.tokens[i + 1];
      const style = (meta & FONT_STYLE_MASK) >>> FONT_STYLE_OFFSET;
      tokens.push({
        text: line.slice(start, end),
        foreground: colors[(meta & FOREGROUND_MASK) >>> FOREGROUND_OFFSET],
        italic: (style & 1) !== 0,
        bold: (style & 2) !== 0,
      });
    }
    return tokens;
  });
}
