/**
 * The leak guard's rules (docs/leak-guard.md): one row per rule — name, what it finds
 * (My Number, insurer number, phone number or the hospital's own pattern), what happens
 * (block, ask for a reason, record only) and where it looks (paste, typing, upload).
 * Problems show at the field, checked here and again by the server; a text can be
 * tried against the rules on the page before they are saved.
 */
import { h } from '../dom-builder.js';
import { lang, t, type MessageKey } from '../i18n.js';
import { api, ApiError, withStatus } from './api.js';
import { button, statusLine } from './form-controls.js';
import { fieldError, setFieldError } from './field-errors.js';

const DETECTORS = ['my-number', 'insurer-number', 'phone', 'regex'] as const;
const ACTIONS = ['block', 'warn', 'log'] as const;
const CHANNELS = ['paste', 'typing', 'upload'] as const;

interface Rule {
  id: string;
  name: string;
  detector: (typeof DETECTORS)[number];
  pattern?: string;
  action: (typeof ACTIONS)[number];
  channels: Array<(typeof CHANNELS)[number]>;
  enabled: boolean;
}

interface Row {
  id: string;
  element: HTMLElement;
  name: HTMLInputElement;
  nameError: HTMLElement;
  detector: HTMLSelectElement;
  pattern: HTMLInputElement;
  patternError: HTMLElement;
  patternBox: HTMLElement;
  action: HTMLSelectElement;
  channels: Map<string, HTMLInputElement>;
  channelsError: HTMLElement;
  channelsBox: HTMLElement;
  enabled: HTMLInputElement;
}

/** A server issue code (policies/leak-guard.ts) as words for the field. */
export function leakIssueText(code: string): string {
  if (code.startsWith('pattern-unsafe')) {
    // "pattern-unsafe: <en> / <ja>"
    const [en, ja] = code.replace(/^pattern-unsafe:\s*/, '').split(' / ');
    return t('admin.leakPatternUnsafe', { why: (lang === 'en' ? en : ja) ?? '' });
  }
  const known: Record<string, MessageKey> = {
    'pattern-required': 'admin.leakPatternRequired',
    'pattern-invalid': 'admin.leakPatternInvalid',
    'pattern-matches-empty': 'admin.leakPatternEmpty',
    too_small: 'admin.leakChannelsRequired',
  };
  return t(known[code] ?? 'validation.required');
}

let serial = 0;

export function leakGuardView(): HTMLElement {
  const status = statusLine();
  const list = h('ol', { class: 'leak-rules', id: 'leak-rules' });
  let rows: Row[] = [];

  const option = (value: string, key: MessageKey): HTMLOptionElement => h('option', { value }, [t(key)]);
  const addRow = (rule?: Rule): void => {
    const n = ++serial;
    const name = h('input', { type: 'text', maxlength: '100', id: `leak-name-${n}` });
    const detector = h('select', { id: `leak-detector-${n}` }, DETECTORS.map((d) => option(d, `admin.leakDetector.${d}` as MessageKey)));
    const pattern = h('input', { type: 'text', maxlength: '1000', id: `leak-pattern-${n}`, placeholder: 'KJ\\d{7}', translate: 'no' });
    const action = h('select', { id: `leak-action-${n}` }, ACTIONS.map((a) => option(a, `admin.leakAction.${a}` as MessageKey)));
    const enabled = h('input', { type: 'checkbox', id: `leak-enabled-${n}` });
    const channels = new Map<string, HTMLInputElement>();
    const channelsBox = h('fieldset', { class: 'leak-channels' }, [h('legend', {}, [t('admin.leakChannels')])]);
    for (const c of CHANNELS) {
      const box = h('input', { type: 'checkbox', id: `leak-${c}-${n}` });
      channels.set(c, box);
      channelsBox.append(h('label', { for: box.id }, [box, t(`admin.leakChannel.${c}` as MessageKey)]));
    }
    const nameError = fieldError(name);
    const patternError = fieldError(pattern);
    const channelsError = h('p', { class: 'field-error', 'aria-live': 'polite' });
    const patternBox = h('div', { class: 'field' }, [h('label', { for: pattern.id }, [t('admin.leakPattern')]), pattern, patternError]);
    name.value = rule?.name ?? '';
    detector.value = rule?.detector ?? 'regex';
    pattern.value = rule?.pattern ?? '';
    action.value = rule?.action ?? 'block';
    enabled.checked = rule?.enabled ?? true;
    for (const c of CHANNELS) channels.get(c)!.checked = rule ? rule.channels.includes(c) : true;
    const showPattern = (): void => void (patternBox.hidden = detector.value !== 'regex');
    detector.addEventListener('change', showPattern);
    showPattern();
    const row: Row = { id: rule?.id ?? '', element: h('li', { class: 'leak-rule' }), name, nameError, detector, pattern, patternError, patternBox, action, channels, channelsError, channelsBox, enabled };
    const remove = button(t('admin.leakRemove'), () => {
      if (!confirm(t('admin.leakRemoveConfirm', { name: name.value || t('admin.leakUnnamed') }))) return;
      rows = rows.filter((r) => r !== row);
      list.replaceChildren(...rows.map((r) => r.element));
      status.textContent = t('admin.leakRemovedUnsaved');
    }, { class: 'danger' });
    row.element.replaceChildren(
      h('div', { class: 'leak-rule-grid' }, [
        h('div', { class: 'field' }, [h('label', { for: name.id }, [t('admin.leakName')]), name, nameError]),
        h('div', { class: 'field' }, [h('label', { for: detector.id }, [t('admin.leakDetector')]), detector]),
        patternBox,
        h('div', { class: 'field' }, [h('label', { for: action.id }, [t('admin.leakAction')]), action]),
        h('div', {}, [channelsBox, channelsError]),
        h('div', { class: 'field' }, [h('label', { for: enabled.id }, [enabled, t('admin.leakEnabled')])]),
        remove,
      ]),
    );
    rows.push(row);
    list.replaceChildren(...rows.map((r) => r.element));
  };

  /** The rules as the form has them, with ids kept for existing rules and made for new ones. */
  const draft = (): { rules: Rule[] } => {
    const used = new Set(rows.map((r) => r.id).filter(Boolean));
    return {
      rules: rows.map((r) => {
        if (!r.id) {
          let i = 1;
          while (used.has(`${r.detector.value}-${i}`)) i++;
          r.id = `${r.detector.value}-${i}`;
          used.add(r.id);
        }
        return {
          id: r.id,
          name: r.name.value.trim(),
          detector: r.detector.value as Rule['detector'],
          ...(r.detector.value === 'regex' ? { pattern: r.pattern.value } : {}),
          action: r.action.value as Rule['action'],
          channels: CHANNELS.filter((c) => r.channels.get(c)!.checked),
          enabled: r.enabled.checked,
        };
      }),
    };
  };

  const check = (): boolean => {
    let ok = true;
    for (const r of rows) {
      const noName = r.name.value.trim() === '';
      const noPattern = r.detector.value === 'regex' && r.pattern.value.trim() === '';
      const noChannel = CHANNELS.every((c) => !r.channels.get(c)!.checked);
      setFieldError(r.name, r.nameError, noName ? t('admin.leakNameRequired') : '');
      setFieldError(r.pattern, r.patternError, noPattern ? t('admin.leakPatternRequired') : '');
      r.channelsError.textContent = noChannel ? t('admin.leakChannelsRequired') : '';
      ok &&= !noName && !noPattern && !noChannel;
    }
    return ok;
  };

  /** Puts the server's per-field issues next to their fields; true when there were any. */
  const showIssues = (err: unknown): boolean => {
    const issues = err instanceof ApiError ? ((err.body.issues as Array<{ path: string; code: string }> | undefined) ?? []) : [];
    for (const issue of issues) {
      const m = /^rules\.(\d+)\.(\w+)/.exec(issue.path);
      const row = m ? rows[Number(m[1])] : undefined;
      if (!row) continue;
      if (m![2] === 'pattern') setFieldError(row.pattern, row.patternError, leakIssueText(issue.code));
      else if (m![2] === 'name') setFieldError(row.name, row.nameError, t('admin.leakNameRequired'));
      else if (m![2] === 'channels') row.channelsError.textContent = leakIssueText(issue.code);
    }
    return issues.length > 0;
  };

  const load = async (): Promise<void> => {
    const policy = await api<{ rules: Rule[] }>('GET', '/api/admin/leak-guard');
    rows = [];
    list.replaceChildren();
    policy.rules.forEach((r) => addRow(r));
  };

  const save = button(t('admin.save'), () => {
    if (!check()) {
      status.textContent = t('validation.formHasErrors');
      status.classList.add('error');
      return;
    }
    void withStatus(status, async () => {
      try {
        await api('PUT', '/api/admin/leak-guard', draft());
      } catch (err) {
        if (showIssues(err)) throw new ApiError(t('validation.formHasErrors'));
        throw err;
      }
      await load();
    });
  }, { class: 'primary', id: 'save-leak-guard' });

  // Try a text against the rules on the page (not yet saved); nothing is recorded.
  const sample = h('textarea', { id: 'leak-try-text', rows: '3', maxlength: '100000' });
  const channel = h('select', { id: 'leak-try-channel' }, CHANNELS.map((c) => option(c, `admin.leakChannel.${c}` as MessageKey)));
  const result = h('p', { id: 'leak-try-result', role: 'status', 'aria-live': 'polite' });
  const tryIt = button(t('admin.leakTry'), () => {
    if (!sample.value.trim()) return void (result.textContent = t('admin.leakTryEmpty'));
    if (!check()) return void (result.textContent = t('validation.formHasErrors'));
    void api<{ action: string | null; matches: Array<{ ruleName: string; masked: string; action: string }> }>('POST', '/api/admin/leak-guard/try', { text: sample.value, channel: channel.value, policy: draft() }).then(
      (r) => {
        result.textContent = !r.action
          ? t('admin.leakTryNone')
          : t('admin.leakTryResult', { action: t(`admin.leakAction.${r.action}` as MessageKey), found: r.matches.map((m) => `${m.ruleName}（${m.masked}）`).join('、') });
      },
      (err: Error) => {
        showIssues(err);
        result.textContent = err.message;
      },
    );
  }, { id: 'leak-try' });

  void load().catch((err: Error) => (status.textContent = err.message));
  return h('section', { id: 'leak-guard', class: 'page', 'aria-labelledby': 'leak-guard-h' }, [
    h('h2', { id: 'leak-guard-h' }, [t('admin.leakGuard')]),
    h('p', { class: 'hint' }, [t('admin.leakIntro')]),
    list,
    button(t('admin.leakAdd'), () => addRow(), { id: 'add-leak-rule' }),
    h('div', { class: 'form-actions' }, [save]),
    status,
    h('h3', {}, [t('admin.leakTryTitle')]),
    h('div', { class: 'field' }, [h('label', { for: sample.id }, [t('admin.leakTryText')]), sample]),
    h('div', { class: 'field' }, [h('label', { for: channel.id }, [t('admin.leakTryChannel')]), channel]),
    tryIt,
    result,
  ]);
}
