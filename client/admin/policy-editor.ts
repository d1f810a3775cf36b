/**
 * URL policy editor: the ordered rule list (add, edit, reorder, enable/disable),
 * saved as a new version; the "test a URL" box with the rules that shadow a new
 * rule; YAML import/export; category import; history with diff and rollback.
 */
import { h } from '../dom-builder.js';
import { formatJst } from '../format-time.js';
import { label, lang, t, type MessageKey } from '../i18n.js';
import { fieldError, setFieldError } from './field-errors.js';
import { RULE_ID, ruleIdFromName } from './rule-id.js';
import { api, withStatus } from './api.js';
import { button, checkbox, select, splitList, statusLine, table, textInput } from './form-controls.js';

interface Rule {
  id: string;
  name?: string;
  enabled: boolean;
  match: Record<string, unknown[]>;
  action: string;
  [key: string]: unknown;
}
interface PolicyDoc {
  default: string;
  rules: Rule[];
  [key: string]: unknown;
}

const ACTIONS = ['allow', 'block', 'warn', 'read-only'] as const;
const MATCH_KINDS = ['domain', 'host', 'path', 'wildcard', 'regex', 'category'] as const;

function matchText(rule: Rule): string {
  return Object.entries(rule.match).map(([k, v]) => `${label('enum.match', k)}: ${v.join(', ')}`).join(' / ');
}

export function policyEditor(): HTMLElement {
  const section = h('section', { id: 'policy', class: 'page', 'aria-labelledby': 'policy-h' }, [h('h2', { id: 'policy-h' }, [t('admin.policy')])]);
  let doc: PolicyDoc = { default: 'allow', rules: [] };
  let editing = -1;
  const status = statusLine();
  const listBox = h('div', { class: 'rule-list' });
  const historyBox = h('div', { class: 'history' });

  const id = textInput(t('admin.ruleId'), '', { name: 'rule-id', placeholder: t('admin.ruleIdHint') });
  const idError = fieldError(id.control);
  id.row.append(idError);
  const name = textInput(t('admin.ruleName'), '', { name: 'rule-name' });
  const kind = select(t('admin.matchKind'), MATCH_KINDS.map((k) => [k, label('enum.match', k)] as const), 'domain', { name: 'rule-match-kind' });
  const value = textInput(t('admin.matchValue'), '', { name: 'rule-match-value' });
  const valueError = fieldError(value.control);
  value.row.append(valueError);
  const action = select(t('admin.action'), ACTIONS.map((a) => [a, label('enum.action', a)] as const), 'block', { name: 'rule-action' });
  const enabled = checkbox(t('admin.enabled'), true, { name: 'rule-enabled' });
  const defaultAction = select(t('admin.defaultAction'), [['allow', label('enum.action', 'allow')], ['block', label('enum.action', 'block')]], 'allow', { name: 'default-action' });
  const comment = textInput(t('admin.comment'), '', { name: 'comment' });

  /** The rule in the form, for the test box: nothing until it has values; its ID made from the name if empty. */
  const candidate = (): Rule | null => {
    const values = splitList(value.control.value);
    if (values.length === 0) return null;
    const others = doc.rules.filter((_, i) => i !== editing).map((r) => r.id);
    const ruleId = id.control.value.trim() || ruleIdFromName(name.control.value, others);
    const rule: Rule = { id: ruleId, enabled: enabled.control.checked, match: { [kind.control.value]: values }, action: action.control.value };
    if (name.control.value.trim()) rule.name = name.control.value.trim();
    return rule;
  };
  /** The form's rule with field errors shown next to the fields, or null. */
  const validRule = (): Rule | null => {
    const others = doc.rules.filter((_, i) => i !== editing).map((r) => r.id);
    const typed = id.control.value.trim();
    const idProblem = typed && !RULE_ID.test(typed) ? t('validation.ruleId') : typed && others.includes(typed) ? t('validation.ruleIdTaken') : '';
    setFieldError(id.control, idError, idProblem);
    setFieldError(value.control, valueError, splitList(value.control.value).length === 0 ? t('validation.matchValue') : '');
    if (idProblem || splitList(value.control.value).length === 0) return null;
    return candidate();
  };
  const fillForm = (rule: Rule | null) => {
    id.control.value = rule?.id ?? '';
    name.control.value = rule?.name ?? '';
    const [k, v] = Object.entries(rule?.match ?? {})[0] ?? ['domain', []];
    kind.control.value = k;
    value.control.value = (v as unknown[]).join(', ');
    action.control.value = rule?.action ?? 'block';
    enabled.control.checked = rule?.enabled ?? true;
  };
  const move = (i: number, by: number) => {
    const j = i + by;
    if (j < 0 || j >= doc.rules.length) return;
    [doc.rules[i], doc.rules[j]] = [doc.rules[j]!, doc.rules[i]!];
    drawRules();
  };
  const drawRules = () => {
    const rows = doc.rules.map((rule, i) => {
      const on = h('input', { type: 'checkbox', 'aria-label': `${t('admin.enabled')}: ${rule.id}` });
      on.checked = rule.enabled !== false;
      on.addEventListener('change', () => (rule.enabled = on.checked));
      const tools = h('span', { class: 'row-actions' }, [
        button(t('admin.up'), () => move(i, -1), { 'aria-label': `${t('admin.up')}: ${rule.id}` }),
        button(t('admin.down'), () => move(i, 1), { 'aria-label': `${t('admin.down')}: ${rule.id}` }),
        button(t('admin.edit'), () => ((editing = i), fillForm(rule), (addButton.textContent = t('admin.updateRule'))), { 'aria-label': `${t('admin.edit')}: ${rule.id}` }),
        button(t('admin.remove'), () => {
          if (!confirm(t('admin.confirmRemoveRule', { name: rule.name ?? rule.id }))) return;
          doc.rules.splice(i, 1);
          drawRules();
          status.classList.remove('error');
          status.textContent = t('admin.ruleRemoved');
        }, { 'aria-label': `${t('admin.remove')}: ${rule.id}`, class: 'danger' }),
      ]);
      return [String(i + 1), h('span', { translate: 'no' }, [rule.id]), rule.name ?? '', h('span', { translate: 'no' }, [matchText(rule)]), label('enum.action', rule.action), on, tools];
    });
    listBox.replaceChildren(table(['#', t('admin.ruleId'), t('admin.ruleName'), t('admin.matchKind'), t('admin.action'), t('admin.enabled'), t('admin.actions')], rows, { 'aria-label': t('admin.rules') }));
  };
  const addButton = button(t('admin.addRule'), () => {
    const rule = validRule();
    if (!rule) return;
    if (editing >= 0) doc.rules[editing] = { ...doc.rules[editing], ...rule };
    else doc.rules.push(rule);
    editing = -1;
    addButton.textContent = t('admin.addRule');
    fillForm(null);
    drawRules();
    status.classList.remove('error');
    status.textContent = t('admin.ruleAdded');
  }, { id: 'add-rule' });
  const load = async () => {
    const data = await api<{ document: PolicyDoc | null }>('GET', '/api/admin/policy');
    if (data.document) doc = data.document;
    defaultAction.control.value = doc.default;
    drawRules();
    await drawHistory();
  };
  const save = button(t('admin.save'), () => {
    void withStatus(status, async () => {
      await api('PUT', '/api/admin/policy/document', { document: { ...doc, default: defaultAction.control.value }, comment: comment.control.value || undefined });
      await load();
    });
  }, { id: 'save-policy', class: 'primary' });

  const drawHistory = async () => {
    const { versions } = await api<{ versions: Array<{ version: number; createdAt: string; authorName: string | null; comment: string | null }> }>('GET', '/api/admin/policy/versions');
    const diffOut = h('pre', { class: 'diff', 'aria-live': 'polite' });
    const rows = versions.map((v, i) => [
      String(v.version) + (i === 0 ? ` (${t('admin.current')})` : ''),
      formatJst(v.createdAt),
      v.authorName ?? '',
      v.comment === 'initial default policy' ? t('admin.initialPolicy') : (v.comment ?? ''),
      h('span', { class: 'row-actions' }, [
        ...(versions[i + 1] ? [button(t('admin.diff'), () => void showDiff(versions[i + 1]!.version, v.version, diffOut), { 'aria-label': `${t('admin.diff')}: ${v.version}` })] : []),
        ...(i > 0 ? [button(t('admin.rollback'), () => {
          if (!confirm(t('admin.confirmRollback', { version: v.version }))) return;
          void withStatus(status, async () => (await api('POST', '/api/admin/policy/rollback', { version: v.version }), await load()));
        }, { 'aria-label': `${t('admin.rollback')}: ${v.version}` })] : []),
      ]),
    ]);
    historyBox.replaceChildren(h('h3', {}, [t('admin.history')]), table([t('admin.version'), t('admin.when'), t('admin.author'), t('admin.comment'), t('admin.actions')], rows), diffOut);
  };

  // At 1366 px and up the rule form and the test box sit side by side under the rule list.
  section.append(
    defaultAction.row,
    h('div', { class: 'table-scroll' }, [listBox]),
    h('div', { class: 'two-columns' }, [
      h('div', {}, [
        h('fieldset', { class: 'rule-form' }, [h('legend', {}, [t('admin.addRule')]), id.row, name.row, kind.row, value.row, action.row, enabled.row, addButton]),
        comment.row,
        save,
        status,
      ]),
      testBox(candidate),
    ]),
    yamlBox(load),
    categoryBox(),
    historyBox,
  );
  void load();
  return section;
}

async function showDiff(from: number, to: number, out: HTMLElement): Promise<void> {
  const { diff } = await api<{ diff: Array<{ op: string; text: string }> }>('GET', `/api/admin/policy/diff?from=${from}&to=${to}`);
  out.textContent = diff.map((d) => `${d.op} ${d.text}`).join('\n');
}

interface TestVerdict {
  verdict: string;
  rule: { id: string; name?: string | null } | null;
  source?: string;
  reason: string;
}

/** Why the policy decided so, in the UI language (the engine's reason is English, for logs). */
function explain(v: TestVerdict): string {
  if (lang === 'en') return v.reason;
  if (v.rule && v.rule.id.startsWith('system:')) {
    const key = `admin.system.${v.rule.id.slice('system:'.length)}`;
    return key in SYSTEM_EXPLANATIONS ? t(SYSTEM_EXPLANATIONS[key]!) : t('admin.systemRule');
  }
  if (v.rule) return t('admin.matchedBy', { rule: v.rule.name ?? v.rule.id, kind: label('enum.action', v.verdict) });
  return t('admin.decidedByDefault');
}

const SYSTEM_EXPLANATIONS: Record<string, MessageKey> = {
  'admin.system.scheme': 'admin.system.scheme',
  'admin.system.address': 'admin.system.address',
  'admin.system.about-blank': 'admin.system.about-blank',
  'admin.system.regex-input': 'admin.system.regex-input',
};

interface TestResult {
  verdict: TestVerdict;
  effective: string;
  testedUrl: string;
  assumedScheme: string | null;
  egress: { allowed: boolean; code: string; message: { ja: string; en: string } | null } | null;
  shadowedBy: Array<{ rule: { id: string } }>;
}


function testBox(candidate: () => Rule | null): HTMLElement {
  const url = textInput(t('admin.testUrlLabel'), '', { name: 'test-url', type: 'text', inputmode: 'url' });
  const role = select(t('admin.testRole'), ['staff', 'admin', 'security'].map((r) => [r, label('enum.role', r)] as const), 'staff', { name: 'test-role' });
  const out = h('div', { class: 'test-result', 'aria-live': 'polite', id: 'test-result' });
  const status = statusLine();
  const run = button(t('admin.test'), () => {
    void withStatus(status, async () => {
      const rule = candidate();
      const res = await api<TestResult>('POST', '/api/admin/policy/test', { url: url.control.value, role: role.control.value, ...(rule ? { candidate: rule } : {}) });
      const egressMessage = res.egress?.message ? (lang === 'en' ? res.egress.message.en : res.egress.message.ja) : null;
      out.replaceChildren(
        ...(res.assumedScheme ? [h('p', { class: 'note' }, [`${t('admin.assumedHttps')}: ${res.testedUrl}`])] : []),
        // What browsing gets: the policy's verdict, unless the egress proxy refuses the destination anyway.
        h('p', {}, [`${t('admin.verdict')}: `, h('strong', { class: `verdict verdict-${res.effective}`, id: 'test-effective', 'data-verdict': res.effective }, [label('enum.action', res.effective)])]),
        ...(res.effective !== res.verdict.verdict ? [h('p', {}, [`${t('admin.policyVerdict')}: ${label('enum.action', res.verdict.verdict)}`])] : []),
        ...(egressMessage ? [h('p', { class: 'reason egress-reason' }, [`${t('admin.egressCheck')}: ${egressMessage}`])] : []),
        h('p', {}, [`${t('admin.matchedRule')}: `, res.verdict.rule ? h('span', { translate: 'no' }, [res.verdict.rule.id]) : t('admin.defaultDecided')]),
        h('p', { class: 'reason' }, [explain(res.verdict)]),
        ...(rule ? [h('p', {}, [`${t('admin.shadowedBy')} (${rule.id}): ${res.shadowedBy.map((s) => s.rule.id).join(', ') || t('admin.none')}`])] : []),
      );
    }, '');
  }, { id: 'run-test' });
  return h('fieldset', { class: 'test-box' }, [h('legend', {}, [t('admin.testUrl')]), url.row, role.row, run, status, out]);
}

function yamlBox(reload: () => Promise<void>): HTMLElement {
  const text = h('textarea', { id: 'policy-yaml', rows: '8', cols: '80' });
  const status = statusLine();
  const save = button(t('admin.importYaml'), () => void withStatus(status, async () => (await api('PUT', '/api/admin/policy/yaml', { yaml: text.value }), await reload())));
  const exportLink = h('a', { href: '/api/admin/policy/export', download: 'kekkai-policy.yaml', class: 'button' }, [t('admin.yamlExport')]);
  return h('fieldset', {}, [h('legend', {}, [t('admin.yamlImport')]), h('label', { for: 'policy-yaml' }, [t('admin.yamlImport')]), text, save, exportLink, status]);
}

function categoryBox(): HTMLElement {
  const name = textInput(t('admin.categoryName'), '', { name: 'category-name' });
  const file = h('input', { type: 'file', id: 'category-file', accept: '.txt,.list,text/plain' });
  const status = statusLine();
  const run = button(t('admin.importList'), () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    void withStatus(status, async () => {
      const res = await api<{ domains: number; added: number; removed: number }>('POST', '/api/admin/policy/categories', { name: name.control.value, text: await chosen.text() });
      status.dataset.result = `${res.domains}`;
    });
  });
  return h('fieldset', {}, [h('legend', {}, [t('admin.categories')]), name.row, h('label', { for: 'category-file' }, [t('admin.categoryFile')]), file, run, status]);
}
