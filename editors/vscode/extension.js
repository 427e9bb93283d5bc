// The flowc extension: highlighting comes from the TextMate grammar (declared
// in package.json); this file starts `flowc lsp` for diagnostics, hover,
// definitions, completion and symbols, when flowc can be found.
'use strict';
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

// The flowc command: the `flowc.path` setting, looked up on PATH if it is a
// bare name. Returns null when there is none (highlighting still works).
function findFlowc(setting) {
  if (setting.includes(path.sep)) return fs.existsSync(setting) ? setting : null;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, setting);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

async function activate(context) {
  const config = vscode.workspace.getConfiguration('flowc');
  const command = findFlowc(config.get('path', 'flowc'));
  if (!command) {
    vscode.window.showInformationMessage(
      'flowc was not found on PATH: .flow files are highlighted, but live errors, hover and ' +
      'completion need `flowc` (set flowc.path to its full path).');
    return;
  }
  const args = ['lsp'];
  for (const dir of config.get('libraryPaths', [])) args.push('--lib', dir);
  client = new LanguageClient(
    'flowc', 'flowc',
    { command, args },
    { documentSelector: [{ scheme: 'file', language: 'flow' }, { scheme: 'untitled', language: 'flow' }] });
  context.subscriptions.push(client);
  await client.start();
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
