// Alerts tab: every rule with its state, value and age; the transition history; create, edit,
// enable/disable and delete of the dashboard's own rules; a notice when a rule fires.

import { getJSON, isAbort, send } from './api.js';
import { confirmingButton, debounce, el, showError } from './dom.js';
import { fmtAgo, fmtStat, fmtTime } from './format.js';

const STATE_TEXT = {
  normal: 'normal', pending: 'pending', firing: 'firing', resolved: 'resolved', nodata: 'no data', unknown: 'not evaluated',
};
const BODY_FIELDS = ['name', 'metric', 'condition', 'threshold', 'clear_threshold', 'pair', 'symbol', 'timeframe', 'window', 'for',
  'keep_firing_for', 'severity', 'cooldown', 'enabled'];

/** A threshold as the user wrote it: 2.5, -1, 0.1. */
const plain = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : String(Number(v.toPrecision(10))));

/** A rule id as a path segment: `db:3` stays readable, anything else is escaped. */
const ruleURL = (id) => `/api/alerts/${/^[A-Za-z0-9:._-]+$/.test(id) ? id : encodeURIComponent(id)}`;

export class Alerts {
  constructor(ctx) {
    this.ctx = ctx;
    this.panel = document.getElementById('panel-alerts');
    this.error = document.getElementById('alerts-error');
    this.body = document.getElementById('rules-body');
    this.events = document.getElementById('events-body');
    this.editor = document.getElementById('rule-editor');
    this.form = document.getElementById('rule-form');
    this.formError = document.getElementById('rule-form-error');
    this.firingCount = document.getElementById('firing-count');
    this.notices = document.getElementById('notices');
    this.rules = [];
    this.editing = null; // the rule being edited, or null for a new one
    this.view = null;
    this.drawnKey = null;
    this.refreshSoon = debounce(() => this.load(this.view, 'live'), 700);

    document.getElementById('rule-new').addEventListener('click', () => this.openEditor(null));
    document.getElementById('rule-cancel').addEventListener('click', () => this.closeEditor());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
  }

  key() { return 'alerts'; }

  async load(view, reason) {
    if (view) this.view = view;
    const signal = this.ctx.latest.signal('alerts');
    try {
      const [rules, events] = await Promise.all([
        getJSON('/api/alerts', {}, { signal }),
        getJSON('/api/alerts/events', { limit: 100 }, { signal }),
      ]);
      showError(this.error, null);
      this.rules = rules.rules || [];
      this.fillChoices(rules);
      this.renderRules(rules.now ?? Date.now());
      this.renderEvents(events.events || []);
      this.drawnKey = this.key();
      this.panel.dataset.drawn = '1';
      this.ctx.drawn(reason);
    } catch (error) {
      if (isAbort(error)) return;
      showError(this.error, `Could not load the alert rules: ${error.message}`);
      this.ctx.failed(reason, error);
    } finally {
      this.ctx.latest.done('alerts', signal);
    }
  }

  // MARK: - Rules table

  renderRules(now) {
    const rows = this.rules.map((rule) => this.ruleRow(rule, now));
    if (rows.length === 0) {
      rows.push(el('tr', { class: 'empty' }, el('td', { colspan: 8, text: 'No rules yet. “New rule” adds one for the current pair.' })));
    }
    this.body.replaceChildren(...rows);
    const firing = this.rules.filter((r) => r.state === 'firing').length;
    this.firingCount.hidden = firing === 0;
    this.firingCount.textContent = String(firing);
    this.firingCount.title = `${firing} rule${firing === 1 ? '' : 's'} firing`;
  }

  ruleRow(rule, now) {
    const state = rule.enabled === false ? 'disabled' : rule.state || 'unknown'; // null: not evaluated yet
    const onBars = rule.symbol && !rule.pair; // a symbol's bar metric: no rolling window involved
    const target = [rule.pair || rule.subject || rule.symbol || '–', rule.timeframe, rule.window && !onBars ? `window ${rule.window}` : null]
      .filter(Boolean).join(' · ');
    const condition = [`${rule.metric} ${rule.condition} ${plain(rule.threshold)}`];
    if (rule.clear_threshold != null) condition.push(`clears at ${plain(rule.clear_threshold)}`);
    if (rule.for) condition.push(`for ${rule.for}`);
    if (rule.keep_firing_for) condition.push(`keep ${rule.keep_firing_for}`);

    const enabled = el('input', {
      type: 'checkbox', checked: rule.enabled !== false, disabled: !rule.editable,
      'aria-label': `Enable ${rule.name}`, dataset: { testid: 'rule-enabled-toggle' },
    });
    enabled.addEventListener('change', () => this.setEnabled(rule, enabled.checked, enabled));

    const actions = el('td', { class: 'actions' });
    if (rule.editable) {
      const edit = el('button', { type: 'button', class: 'btn btn-small', text: 'Edit', dataset: { testid: 'rule-edit' } });
      edit.addEventListener('click', () => this.openEditor(rule));
      const remove = el('button', { type: 'button', class: 'btn btn-small btn-danger', text: 'Delete', dataset: { testid: 'rule-delete' } });
      confirmingButton(remove, 'Confirm delete', () => this.remove(rule));
      actions.append(edit, remove);
    } else {
      actions.append(el('span', { class: 'muted', text: 'read-only', title: `Defined in ${rule.script ? `report script ${rule.script}` : 'an alert file'}; edit it there` }));
    }

    return el('tr', { dataset: { ruleId: rule.id, state, testid: 'rule-row', name: rule.name, editable: rule.editable ? '1' : '0' } },
      el('td', { class: 'cell-state' }, el('span', { class: 'pill', dataset: { state, testid: 'rule-state' }, text: state === 'disabled' ? 'disabled' : STATE_TEXT[state] || state })),
      el('td', { class: 'cell-name' }, el('span', { class: 'rule-name', text: rule.name, dataset: { testid: 'rule-row-name' } }),
        el('span', { class: 'severity', dataset: { severity: rule.severity || 'warning' }, text: rule.severity || 'warning' }),
        el('span', { class: 'rule-source', text: rule.source === 'script' ? `from script ${rule.script || ''}`.trim() : 'dashboard rule' })),
      el('td', { class: 'mono', text: target, dataset: { label: 'Target' } }),
      el('td', { class: 'mono', text: condition.join(', '), dataset: { label: 'Condition' } }),
      el('td', { class: 'num', text: fmtStat(rule.value, 4), dataset: { testid: 'rule-value', label: 'Value' } }),
      el('td', { text: rule.since ? fmtAgo(rule.since, now) : '–', title: rule.since ? `${fmtTime(rule.since, { seconds: true })} UTC` : null, dataset: { label: 'Since' } }),
      el('td', { dataset: { label: 'Enabled' } }, enabled),
      actions);
  }

  renderEvents(events) {
    const rows = events.map((e) => el('tr', { dataset: { state: e.state, testid: 'event-row' } },
      el('td', { class: 'cell-state' }, el('span', { class: 'pill', dataset: { state: e.state }, text: STATE_TEXT[e.state] || e.state })),
      el('td', { class: 'cell-name', text: e.rule }),
      el('td', { class: 'mono', text: [e.pair, e.metric].filter(Boolean).join(' · '), dataset: { label: 'Target' } }),
      el('td', { class: 'mono', text: `${fmtTime(e.time, { seconds: true })} UTC`, dataset: { label: 'Time' } }),
      el('td', { class: 'num', text: fmtStat(e.value, 4), dataset: { label: 'Value' } }),
      el('td', { class: 'num', text: plain(e.threshold), dataset: { label: 'Threshold' } })));
    if (rows.length === 0) rows.push(el('tr', { class: 'empty' }, el('td', { colspan: 6, text: 'No transitions recorded yet.' })));
    this.events.replaceChildren(...rows);
  }

  // MARK: - Editor

  fillChoices(answer) {
    const select = (id, values, current) => {
      const node = document.getElementById(id);
      const keep = current ?? node.value;
      node.replaceChildren(...values.map((v) => el('option', { value: v, text: v })));
      if (values.includes(keep)) node.value = keep;
    };
    select('rule-metric', answer.metrics?.length ? answer.metrics : ['z_score', 'correlation', 'spread', 'hedge_ratio', 'adf_pvalue']);
    select('rule-condition', answer.conditions?.length ? answer.conditions : ['>', '>=', '<', '<=', '==']);
    select('rule-timeframe', this.ctx.timeframes());
  }

  openEditor(rule) {
    this.editing = rule;
    const f = this.form.elements;
    const view = this.view || this.ctx.view();
    document.getElementById('rule-editor-title').textContent = rule ? `Edit rule “${rule.name}”` : 'New rule';
    f.name.value = rule?.name ?? `${view.base}/${view.quote} z above ${view.z}`;
    f.pair.value = rule ? rule.pair ?? rule.symbol ?? rule.subject ?? '' : `${view.base}/${view.quote}`;
    f.metric.value = rule?.metric ?? 'z_score';
    f.condition.value = rule?.condition ?? '>';
    f.threshold.value = rule?.threshold ?? view.z;
    f.clear_threshold.value = rule?.clear_threshold ?? '';
    f.timeframe.value = rule?.timeframe ?? view.timeframe;
    f.window.value = rule?.window ?? view.window;
    f.for.value = rule?.for ?? '';
    f.keep_firing_for.value = rule?.keep_firing_for ?? '';
    f.cooldown.value = rule?.cooldown ?? '';
    f.severity.value = rule?.severity ?? 'warning';
    f.enabled.checked = rule ? rule.enabled !== false : true;
    showError(this.formError, null);
    this.editor.hidden = false;
    this.editor.scrollIntoView({ block: 'nearest' });
    f.name.focus();
  }

  closeEditor() {
    this.editing = null;
    this.editor.hidden = true;
  }

  /** The JSON body of the form; null with a message on the first bad field. */
  formBody() {
    const f = this.form.elements;
    const number = (v) => (v.trim() === '' ? null : Number(v));
    const body = {
      name: f.name.value.trim(),
      metric: f.metric.value,
      condition: f.condition.value,
      threshold: number(f.threshold.value),
      clear_threshold: number(f.clear_threshold.value),
      pair: f.pair.value.trim().toUpperCase(),
      symbol: null,
      timeframe: f.timeframe.value || null,
      window: number(f.window.value),
      for: f.for.value.trim() || null,
      keep_firing_for: f.keep_firing_for.value.trim() || null,
      cooldown: f.cooldown.value.trim() || null,
      severity: f.severity.value,
      enabled: f.enabled.checked,
    };
    if (!body.name) return { problem: 'name: give the rule a name' };
    if (/^[A-Z0-9]+$/.test(body.pair)) {
      // One symbol: a rule on that symbol's bars (volume, close, trades …).
      body.symbol = body.pair;
      body.pair = null;
    } else if (!/^[A-Z0-9]+\/[A-Z0-9]+$/.test(body.pair)) {
      return { problem: 'pair: expected BASE/QUOTE (e.g. BTCUSDT/ETHUSDT), or one symbol for bar metrics' };
    }
    if (body.threshold === null || !Number.isFinite(body.threshold)) return { problem: 'threshold: a number is required' };
    if (body.clear_threshold !== null && !Number.isFinite(body.clear_threshold)) return { problem: 'clear at: not a number' };
    if (body.window !== null && !(Number.isInteger(body.window) && body.window >= 2)) return { problem: 'window: a whole number of bars ≥ 2' };
    for (const key of ['for', 'keep_firing_for', 'cooldown']) {
      if (body[key] !== null && !/^[0-9]+[smhd]$/.test(body[key])) return { problem: `${key.replaceAll('_', ' ')}: a span like 90s, 5m, 1h` };
    }
    for (const key of Object.keys(body)) if (body[key] === null) delete body[key];
    return { body };
  }

  async save() {
    const { body, problem } = this.formBody();
    if (problem) { showError(this.formError, problem); return; }
    const button = document.getElementById('rule-save');
    button.disabled = true;
    try {
      if (this.editing) await send('PUT', ruleURL(this.editing.id), body);
      else await send('POST', '/api/alerts', body);
      this.closeEditor();
      await this.load(this.view, 'live');
    } catch (error) {
      showError(this.formError, error.message);
    } finally {
      button.disabled = false;
    }
  }

  async setEnabled(rule, enabled, checkbox) {
    const body = {};
    for (const key of BODY_FIELDS) if (rule[key] !== null && rule[key] !== undefined) body[key] = rule[key];
    body.enabled = enabled;
    checkbox.disabled = true;
    try {
      await send('PUT', ruleURL(rule.id), body);
      await this.load(this.view, 'live');
    } catch (error) {
      checkbox.checked = !enabled;
      checkbox.disabled = false;
      showError(this.error, `Could not ${enabled ? 'enable' : 'disable'} “${rule.name}”: ${error.message}`);
    }
  }

  async remove(rule) {
    try {
      await send('DELETE', ruleURL(rule.id));
      if (this.editing?.id === rule.id) this.closeEditor();
      await this.load(this.view, 'live');
    } catch (error) {
      showError(this.error, `Could not delete “${rule.name}”: ${error.message}`);
    }
  }

  // MARK: - Live

  /** An alert transition: a notice when a rule fires or resolves; the table follows. */
  onAlert(event) {
    if (event.state === 'firing' || event.state === 'resolved') this.notice(event);
    const rule = this.rules.find((r) => r.name === event.rule);
    if (rule) {
      rule.state = event.state;
      rule.value = event.value;
      rule.since = event.time;
    }
    const firing = this.rules.filter((r) => r.state === 'firing').length;
    this.firingCount.hidden = firing === 0;
    this.firingCount.textContent = String(firing);
    if (!this.panel.hidden) this.refreshSoon();
  }

  /** A closed bar: current values move, so refresh the table while it is shown. */
  onClosedBar() {
    if (!this.panel.hidden) this.refreshSoon();
  }

  notice(event) {
    const firing = event.state === 'firing';
    const title = firing ? `Alert firing: ${event.rule}` : `Alert resolved: ${event.rule}`;
    const detail = event.summary
      || `${event.pair || ''} value ${fmtStat(event.value, 4)} against threshold ${fmtStat(event.threshold, 4)}`.trim();
    const close = el('button', { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss', text: '×', dataset: { testid: 'notice-dismiss' } });
    const open = el('button', { type: 'button', class: 'btn btn-small', text: 'Show rules' });
    const node = el('div', { class: 'notice', role: firing ? 'alert' : 'status', dataset: { state: event.state, testid: 'alert-notice', rule: event.rule } },
      el('div', { class: 'notice-text' },
        el('strong', { text: title }),
        el('span', { text: detail }),
        el('span', { class: 'muted', text: `${fmtTime(event.time, { seconds: true })} UTC` })),
      open, close);
    close.addEventListener('click', () => node.remove());
    open.addEventListener('click', () => { this.ctx.showTab('alerts'); node.remove(); });
    this.notices.prepend(node);
    while (this.notices.children.length > 4) this.notices.lastElementChild.remove();
    if (!firing) setTimeout(() => node.remove(), 10_000);
  }
}
