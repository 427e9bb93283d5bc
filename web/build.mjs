// Bundles the report and live UI into one script and one stylesheet, which
// the build embeds into flowc (runtime/report/assets.cpp):
//   node build.mjs OUT_DIR   → OUT_DIR/flowc-ui.js, OUT_DIR/flowc-ui.css
// Everything the page needs is in them: the report opens offline.
import * as esbuild from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] || path.join(here, 'dist'));

await esbuild.build({
  entryPoints: { 'flowc-ui': path.join(here, 'src/main.js') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox115', 'safari16'],
  outdir: out,
  legalComments: 'none',
  logLevel: 'warning',
  // The page is a file or flowc serve: no source maps to fetch.
  sourcemap: false,
});
