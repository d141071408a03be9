// Starts the first view's API requests as soon as the page is parsed and styled, while dygraphs and the
// page's other modules still load (an async module: it runs before them). app.js's tabs then find the
// answers on their way (api.js `prefetch`), which saves the round trips after every file has arrived.

import { prefetch } from './api.js';
import { showPanel } from './dom.js';
import { firstRequests } from './requests.js';
import { viewFromQuery } from './state.js';

/** Resolves once the document is parsed (before deferred scripts run) and the page's style sheet applies. */
async function ready() {
  if (document.readyState === 'loading') {
    await new Promise((resolve) => document.addEventListener('readystatechange', resolve, { once: true }));
  }
  const css = document.querySelector('link[rel="stylesheet"][href="/assets/bundle.css"]');
  if (css && !css.sheet) await new Promise((resolve) => css.addEventListener('load', resolve, { once: true }));
}

const view = viewFromQuery(location.search);
prefetch('/api/symbols', {});
if (view.base && view.quote) {
  await ready();
  showPanel(view.tab); // charts are measured in their panel, as app.js will show it
  for (const [path, params] of firstRequests(view)) prefetch(path, params);
  performance.mark('pairbook-early-requests');
}
