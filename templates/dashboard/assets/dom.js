// Building DOM nodes from data without HTML strings: every text goes through textContent.

/**
 * `el('td', {class: 'num', text: '1.23', title: '…', dataset: {testid: 'x'}}, children…)`.
 * Attributes other than class, text and dataset are set with setAttribute (never event handlers).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) throw new Error(`el(): no inline handlers (${key})`);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows `tab`'s panel and hides the other tabs' (body[data-tab] follows). */
export function showPanel(tab) {
  document.body.dataset.tab = tab;
  for (const panel of document.querySelectorAll('section.panel[role="tabpanel"]')) panel.hidden = panel.id !== `panel-${tab}`;
}

/** Shows a one line problem in a panel's error slot (or hides it with null). */
export function showError(slot, error) {
  if (!slot) return;
  if (!error) {
    slot.hidden = true;
    slot.textContent = '';
    return;
  }
  slot.textContent = typeof error === 'string' ? error : error.message || String(error);
  slot.hidden = false;
}

/** Calls `fn` once `ms` after the last of a burst of calls. */
export function debounce(fn, ms) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; fn(...args); }, ms);
  };
  debounced.cancel = () => { clearTimeout(timer); timer = null; };
  return debounced;
}

/** Calls `fn` `ms` after a call, once for all the calls in between: at most once every `ms` however often called. */
export function throttle(fn, ms) {
  let timer = null;
  return () => {
    if (timer === null) timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}

/** A button that acts on the second click within a few seconds ("Delete" → "Confirm delete"). */
export function confirmingButton(button, confirmText, action, ms = 4000) {
  const label = button.textContent;
  let armed = null;
  button.addEventListener('click', () => {
    if (armed) {
      clearTimeout(armed);
      armed = null;
      button.textContent = label;
      button.classList.remove('armed');
      action();
      return;
    }
    button.textContent = confirmText;
    button.classList.add('armed');
    armed = setTimeout(() => {
      armed = null;
      button.textContent = label;
      button.classList.remove('armed');
    }, ms);
  });
}

// MARK: - Sanitised HTML from the server (a report script's prose)

const SAFE_TAGS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'strong', 'em', 'b', 'i', 'code', 'pre',
  'blockquote', 'hr', 'br', 'del', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);

/** Whether a link may be followed: http(s) and mailto only (never javascript: or data:). */
export function safeHref(href) {
  try {
    return ['http:', 'https:', 'mailto:'].includes(new URL(href, location.href).protocol);
  } catch {
    return false;
  }
}

/**
 * A fragment of the Markdown tags of `html` (parsed in an inert document, where nothing runs or loads), rebuilt
 * without attributes but a link's safe href; any other element becomes its text.
 */
export function safeFragment(html) {
  const source = new DOMParser().parseFromString(html, 'text/html').body;
  const fragment = document.createDocumentFragment();
  copySafe(source, fragment);
  return fragment;
}

function copySafe(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(document.createTextNode(node.textContent));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const tag = node.tagName.toLowerCase();
      if (!SAFE_TAGS.has(tag)) {
        to.append(document.createTextNode(node.textContent));
        continue;
      }
      const copy = document.createElement(tag);
      const href = tag === 'a' ? node.getAttribute('href') : null;
      if (href && safeHref(href)) {
        copy.setAttribute('href', href);
        copy.setAttribute('rel', 'noopener noreferrer');
      }
      copySafe(node, copy);
      to.append(copy);
    }
  }
}
