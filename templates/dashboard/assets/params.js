// A report script's typed params as form controls: stored symbols and pairs as pickers, timeframes and enums as
// selects, numbers within the script's min/max, booleans as checkboxes, anything else as text.
// Used by the Export tab's report cards and by a script's live page (/reports/<name>).

import { el } from './dom.js';

const NUMERIC = new Set(['int', 'number', 'float', 'double']);
const DURATIONS = ['15m', '1h', '6h', '12h', '1d', '3d', '7d', '30d'];

/** The id of the page's one list of common spans, offered while typing a duration. */
function durationList() {
  const id = 'param-durations';
  if (!document.getElementById(id)) document.body.append(el('datalist', { id }, ...DURATIONS.map((value) => el('option', { value }))));
  return id;
}

/** Every ordered pair of two different symbols, `A/B`. */
export function pairChoices(symbols) {
  return symbols.flatMap((base) => symbols.filter((quote) => quote !== base).map((quote) => `${base}/${quote}`));
}

/** The choices of a picker for `param`, or null when it is typed in. `ctx` gives symbols() and timeframes(). */
function choicesFor(param, ctx) {
  switch (param.type) {
    case 'symbol': return ctx.symbols();
    case 'pair': return pairChoices(ctx.symbols());
    case 'timeframe': return ctx.timeframes();
    default: return null;
  }
}

/** `<label class="ctl">name <control name="param-…" data-testid="param-…"></label>` holding `value`. */
export function paramControl(param, value, ctx) {
  const name = `param-${param.name}`;
  const attrs = { name, dataset: { testid: name }, title: param.description || null };
  const choices = choicesFor(param, ctx);
  let input;
  if (choices && choices.length && (value == null || choices.includes(String(value)))) {
    input = el('select', attrs, ...choices.map((v) => el('option', { value: v, text: v })));
    input.value = String(value ?? param.default ?? choices[0]);
  } else if (param.type === 'enum' && Array.isArray(param.values)) {
    input = el('select', attrs, ...param.values.map((v) => el('option', { value: String(v), text: String(v) })));
    input.value = String(value ?? param.default ?? param.values[0]);
  } else if (param.type === 'bool') {
    input = el('input', { ...attrs, type: 'checkbox', checked: value === true || value === 'true' });
  } else if (NUMERIC.has(param.type)) {
    input = el('input', { ...attrs, type: 'number', step: param.type === 'int' ? '1' : 'any', min: param.min ?? null, max: param.max ?? null,
      inputmode: param.type === 'int' ? 'numeric' : 'decimal' });
    input.value = value ?? '';
  } else {
    input = el('input', { ...attrs, type: 'text', spellcheck: 'false', list: param.type === 'duration' ? durationList() : null });
    input.value = Array.isArray(value) ? value.join(',') : value ?? '';
  }
  const label = el('label', { class: param.type === 'bool' ? 'ctl ctl-check' : 'ctl' }, param.name);
  if (param.type === 'bool') label.prepend(input); else label.append(input);
  return label;
}

/** The control's value typed for a JSON body (numbers, booleans, lists). */
export function readParam(param, input) {
  if (param.type === 'bool') return input.checked;
  if (param.type === 'int') return Number.parseInt(input.value, 10);
  if (NUMERIC.has(param.type)) return Number(input.value);
  if (param.type === 'list') return input.value.split(',').map((s) => s.trim()).filter(Boolean);
  return input.value;
}

/** The control's value as query text (`true`, `60`, `BTCUSDT/ETHUSDT`, `a,b`). */
export function paramText(param, input) {
  if (param.type === 'bool') return input.checked ? 'true' : 'false';
  return input.value.split(',').map((s) => s.trim()).filter(Boolean).join(',');
}

/** Whether the control holds a value the browser accepts (numbers within min/max). */
export function paramValid(input) {
  return typeof input.checkValidity !== 'function' || input.checkValidity();
}
