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
