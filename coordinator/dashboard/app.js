/**
 * The dashboard's entry: the page frame and a hash router. Each page is a function that draws
 * into the view and returns its own clean-up (timers, streams, dialogs).
 */
import { setLang, currentLang } from './i18n.js';
import { mountBatchDetail } from './pages/batch-detail.js';
import { mountBatchList } from './pages/batch-list.js';
import { mountDevices } from './pages/devices.js';
import { mountNewBatch } from './pages/new-batch.js';
import { createShell } from './shell.js';

/** @type {() => void} */
let dispose = () => {};

const shell = createShell(/** @type {HTMLElement} */ (document.getElementById('app')), () =>
  route(),
);

function route() {
  dispose();
  dispose = () => {};
  shell.main.replaceChildren();

  const [path = '', search = ''] = location.hash.replace(/^#/, '').split('?');
  const detail = /^\/batches\/([^/]+)$/.exec(path);
  if (detail?.[1]) {
    shell.setActive('#/batches');
    dispose = mountBatchDetail(shell.main, safeDecode(detail[1]));
  } else if (path === '/new') {
    shell.setActive('#/new');
    dispose = mountNewBatch(shell.main);
  } else if (path === '/devices') {
    shell.setActive('#/devices');
    dispose = mountDevices(shell.main);
  } else if (path === '/batches') {
    shell.setActive('#/batches');
    dispose = mountBatchList(shell.main, new URLSearchParams(search));
  } else {
    location.replace('#/batches');
  }
}

/** @param {string} segment */
function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

setLang(currentLang());
window.addEventListener('hashchange', route);
route();
