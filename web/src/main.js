// The entry: window.FLOWC says which page this is (set by `flowc report` or
// `flowc serve` in the HTML around this script).
import 'tabulator-tables/dist/css/tabulator_simple.min.css';
import './style.css';
import { showReport } from './report.js';
import { showLive } from './live.js';

function start() {
  const config = window.FLOWC || {};
  const root = document.getElementById('app');
  const shown = config.mode === 'report' ? showReport(root, config) : showLive(root, config);
  shown.catch((e) => {
    root.textContent = 'flowc: this page could not be shown: ' + e.message;
    document.body.dataset.ready = 'error';
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
