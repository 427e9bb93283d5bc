// The VS Code extension packs into a .vsix with vsce, offline, from the npm
// packages alone; the package holds the grammar, the language configuration,
// the client and its runtime dependency, and none of the build tools.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { root } from './tokenize.mjs';

const vscodeDir = path.join(root, 'editors/vscode');
const require = createRequire(path.join(vscodeDir, 'package.json'));
const yauzl = require('yauzl');  // vsce's own zip reader

function entries(zip) {
  return new Promise((resolve, reject) => {
    yauzl.open(zip, { lazyEntries: false }, (err, file) => {
      if (err) return reject(err);
      const names = [];
      file.on('entry', (e) => names.push(e.fileName));
      file.on('end', () => resolve(names));
      file.on('error', reject);
    });
  });
}

test('extension.js is valid JavaScript', () => {
  execFileSync(process.execPath, ['--check', path.join(vscodeDir, 'extension.js')]);
});

test('vsce packs the extension offline', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-vsix-')), 'flowc-flow.vsix');
  try {
    execFileSync(process.execPath,
      [require.resolve('@vscode/vsce/vsce'), 'package', '--allow-missing-repository', '--skip-license', '--out', out],
      { cwd: vscodeDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_offline: 'true' } });
    const names = await entries(out);
    for (const expected of ['extension/package.json', 'extension/extension.js', 'extension/README.md',
      'extension/language-configuration.json', 'extension/syntaxes/flow.tmLanguage.json',
      'extension/node_modules/vscode-languageclient/package.json', 'extension.vsixmanifest']) {
      assert.ok(names.includes(expected), `${expected} is in the .vsix`);
    }
    for (const name of names) {
      assert.doesNotMatch(name, /node_modules\/(@vscode\/vsce|vscode-textmate|vscode-oniguruma)\//, 'no build tools');
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(vscodeDir, 'package.json'), 'utf8'));
    for (const g of manifest.contributes.grammars) assert.ok(fs.existsSync(path.join(vscodeDir, g.path)));
    for (const l of manifest.contributes.languages) assert.ok(fs.existsSync(path.join(vscodeDir, l.configuration)));
    JSON.parse(fs.readFileSync(path.join(vscodeDir, 'language-configuration.json'), 'utf8'));
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
});
