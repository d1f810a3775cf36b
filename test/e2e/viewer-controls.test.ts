/**
 * End to end through a browser worker process (session.workers 1): form controls
 * whose pop-ups headless Chromium draws outside the screencast get kekkai's own
 * pickers — a `<select>` with groups and disabled options, by mouse and keyboard,
 * and a date field — and the page sees its `input` and `change` events; a list box
 * (`multiple`) works in the page itself. Chromium speaks Japanese in every process
 * (its validation messages, the locale and time zone), pages have scrollbars, and
 * new tabs open the configured start page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { descendants } from './support/process-table.js';
import { browseTo, canvasPixel, clickRemote, launchUserBrowser, login, newUserContext, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';

const REPORT_JS = `function report(data){fetch('/report',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(data)});}`;

const PAGES: Record<string, string> = {
  '/controls': `<title>Controls fixture</title>
<style>body{margin:0;font-size:18px}
#s{position:absolute;left:40px;top:40px;width:260px;height:36px;font-size:18px}
#m{position:absolute;left:40px;top:120px;width:260px;font-size:18px}
#d{position:absolute;left:360px;top:40px;width:260px;height:36px;font-size:18px}
#l{position:absolute;left:360px;top:120px;width:260px;height:36px;font-size:18px}</style>
<select id="s"><option value="">選択してください</option>
<optgroup label="内科系"><option value="naika">内科</option><option value="junkanki" disabled>循環器内科</option><option value="shoukaki">消化器内科</option></optgroup>
<optgroup label="外科系"><option value="geka">外科</option><option value="seikei">整形外科</option></optgroup></select>
<select id="m" multiple size="4"><option value="a">A 病棟</option><option value="b">B 病棟</option><option value="c">C 病棟</option><option value="d">D 病棟</option></select>
<input id="d" type="date" value="2026-03-04">
<input id="l" list="depts"><datalist id="depts"><option value="内科"><option value="外科" label="Surgery"><option value="小児科"></datalist>
<script>${REPORT_JS}
const log = [];
for (const id of ['s', 'm', 'd', 'l']) for (const type of ['input', 'change']) document.getElementById(id).addEventListener(type, (e) => {
  log.push(id + ':' + type);
  report({ kind: 'control', id, type, value: id === 'm' ? [...e.target.selectedOptions].map((o) => o.value) : e.target.value, log: log.slice() });
});
addEventListener('load', () => report({ kind: 'layout', m: [...document.getElementById('m').options].map((o) => { const r = o.getBoundingClientRect(); return Math.round(r.top + r.height / 2); }) }));
</script>`,
  '/start': '<title>Start fixture</title><h1>病院ポータル</h1>',
  '/validate': `<title>Validation fixture</title><form><input id="i" required></form>
<script>${REPORT_JS}
report({ kind: 'locale', validation: document.getElementById('i').validationMessage, language: navigator.language,
  time: new Date(Date.UTC(2026, 2, 4, 3, 5)).toLocaleString(), zone: Intl.DateTimeFormat().resolvedOptions().timeZone });</script>`,
};

let harness: Harness;
let site: FixtureSite;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite('127.0.0.1', {}, PAGES), launchUserBrowser()]);
  // Through a worker process: new viewer messages must cross the worker channel unchanged.
  harness = await startHarness({ 'session.workers': 1, 'session.startPage': `${site.url}/start` }, [site.url]);
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

async function controlsPage(): Promise<Page> {
  const page = await (await newUserContext(browser)).newPage();
  await login(page, harness.url);
  site.reports.length = 0;
  await browseTo(page, `${site.url}/controls`, 'Controls fixture');
  await site.waitForReport((r) => r.kind === 'layout');
  return page;
}

const lastControl = (id: string) => site.waitForReport((r) => r.kind === 'control' && r.id === id && r.type === 'change');

describe('pickers for form controls', () => {
  it('opens a select with the mouse as kekkai\'s list, with groups and disabled options, and the page gets input and change', async () => {
    const page = await controlsPage();
    await clickRemote(page, 150, 58);
    const list = page.getByRole('listbox', { name: '選択肢' });
    await list.waitFor();
    expect(await list.getByRole('option').allTextContents()).toEqual(['選択してください', '内科', '循環器内科', '消化器内科', '外科', '整形外科']);
    expect(await list.locator('.picker-group').allTextContents()).toEqual(['内科系', '外科系']);
    expect(await list.getByRole('option', { name: '循環器内科' }).getAttribute('aria-disabled')).toBe('true');
    await list.getByRole('option', { name: '外科', exact: true }).click();
    await waitUntil(async () => (await list.count()) === 0, 5000, 'picker closed');
    const change = await lastControl('s');
    expect(change.value).toBe('geka');
    expect(change.log).toEqual(['s:input', 's:change']);
    await page.context().close();
  });

  it('works from the keyboard: arrows skip disabled options, Enter chooses, Esc closes without a change', async () => {
    const page = await controlsPage();
    await clickRemote(page, 150, 58);
    const list = page.getByRole('listbox', { name: '選択肢' });
    await list.waitFor();
    await expect.poll(() => list.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowDown'); // 内科
    await page.keyboard.press('ArrowDown'); // 循環器内科 is disabled: 消化器内科
    await page.keyboard.press('Enter');
    expect((await lastControl('s')).value).toBe('shoukaki');

    // Escape: no change. Space on the focused select (in the page) opens the picker again.
    await clickRemote(page, 150, 58);
    await list.waitFor();
    await page.keyboard.press('Escape');
    await waitUntil(async () => (await list.count()) === 0, 5000, 'picker closed by Escape');
    await page.keyboard.press(' ');
    await list.waitFor();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const change = await site.waitForReport((r) => r.kind === 'control' && r.id === 's' && r.type === 'change' && r.value === 'seikei');
    expect(change.log).toEqual(['s:input', 's:change', 's:input', 's:change']);
    await page.context().close();
  });

  it('leaves a multiple select (a list box drawn in the page) to the page: clicks and Ctrl+click select', async () => {
    const page = await controlsPage();
    const layout = site.reports.find((r) => r.kind === 'layout') as { m: number[] };
    await clickRemote(page, 100, layout.m[1]!);
    const box = (await page.locator('canvas.remote-canvas').boundingBox())!;
    await page.keyboard.down('Control');
    await page.mouse.click(box.x + 100, box.y + layout.m[2]!);
    await page.keyboard.up('Control');
    const change = await site.waitForReport((r) => r.kind === 'control' && r.id === 'm' && r.type === 'change' && (r.value as string[]).length === 2);
    expect(change.value).toEqual(['b', 'c']);
    expect(await page.getByRole('listbox').count()).toBe(0);
    await page.context().close();
  });

  it('opens a date field\'s calendar button as a date picker and sets the chosen date', async () => {
    const page = await controlsPage();
    // The calendar button sits at the right end of the field (360 + 260).
    await clickRemote(page, 605, 58);
    const panel = page.getByRole('dialog', { name: '日付を選択' });
    await panel.waitFor();
    const field = panel.getByLabel('日付を選択');
    expect(await field.inputValue()).toBe('2026-03-04');
    await field.fill('2026-04-01');
    await panel.getByRole('button', { name: 'OK' }).click();
    const change = await lastControl('d');
    expect(change.value).toBe('2026-04-01');
    expect(change.log).toEqual(['d:input', 'd:change']);
    await page.context().close();
  });
});

describe('datalist', () => {
  it('opens an input\'s suggestions from its drop-down button and fills in the one chosen', async () => {
    const page = await controlsPage();
    await clickRemote(page, 605, 138);
    const list = page.getByRole('listbox', { name: '入力候補' });
    await list.waitFor();
    expect(await list.getByRole('option').allTextContents()).toEqual(['内科', '外科 — Surgery', '小児科']);
    await list.getByRole('option', { name: '小児科' }).click();
    const change = await lastControl('l');
    expect(change.value).toBe('小児科');
    expect(change.log).toEqual(['l:input', 'l:change']);
    await page.context().close();
  });

  it('suggests while typing, keeps the keyboard in the field, and ↓ Enter takes a suggestion', async () => {
    const page = await controlsPage();
    await clickRemote(page, 420, 138);
    await page.keyboard.type('科');
    const list = page.getByRole('listbox', { name: '入力候補' });
    await list.waitFor();
    expect(await list.getByRole('option').allTextContents()).toEqual(['内科', '外科 — Surgery', '小児科']);
    // Typing goes on in the remote field, not in the list.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('外');
    // The typed text is 「科外」: nothing contains it, so the list closes.
    await list.waitFor({ state: 'detached' });
    await page.keyboard.press('Backspace');
    await list.waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await list.waitFor({ state: 'detached' });
    const change = await lastControl('l');
    expect(change.value).toBe('外科');
    // Three edits typed, then the suggestion applied: one change, and no stray key reached the field.
    expect(change.log).toEqual(['l:input', 'l:input', 'l:input', 'l:input', 'l:change']);
    await page.context().close();
  });
});

describe('Chromium in Japanese', () => {
  it('gives validation messages, the locale and the time zone of Japan, and every Chromium process runs with --lang=ja', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/validate`, 'Validation fixture');
    const locale = await site.waitForReport((r) => r.kind === 'locale');
    expect(locale.validation).toBe('このフィールドを入力してください。');
    expect(locale.language).toBe('ja-JP');
    expect(locale.time).toBe('2026/3/4 12:05:00');
    expect(locale.zone).toBe('Asia/Tokyo');
    // The gateway's Chromium (its profile is under the data directory), not the user's browser.
    const gatewayChromium = descendants(process.pid).filter((p) => p.cmdline.includes(harness.dataDir) && !p.cmdline.includes('--type='));
    expect(gatewayChromium.length).toBeGreaterThan(0);
    const helpers = gatewayChromium.flatMap((p) => descendants(p.pid)).filter((p) => p.cmdline.includes('--type='));
    expect(helpers.length).toBeGreaterThan(0);
    for (const p of helpers) expect(p.cmdline, p.cmdline.slice(0, 200)).not.toMatch(/--lang=en/);
    expect(helpers.filter((p) => p.cmdline.includes('--type=renderer')).every((p) => p.cmdline.includes('--lang=ja'))).toBe(true);
    await page.context().close();
  });

  it('shows scrollbars on a page that scrolls', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/japanese`, '日本語の記事');
    const width = (await page.locator('canvas.remote-canvas').boundingBox())!.width;
    // The scrollbar's thumb starts at the top of the right edge; the page itself is white.
    await waitUntil(async () => {
      for (let y = 5; y < 120; y += 5) {
        const [r, g, b] = await canvasPixel(page, width - 6, y);
        if (r < 235 && g < 235 && b < 235) return true;
      }
      return false;
    }, 10_000, 'a scrollbar at the right edge');
    await page.context().close();
  });
});

describe('start page', () => {
  it('opens the configured start page in a new session and in each new tab', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await page.locator('.page-title', { hasText: 'Start fixture' }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: '新しいタブ' }).click();
    await waitUntil(async () => (await page.getByRole('tab').count()) === 2, 5000, 'a second tab');
    await waitUntil(async () => (await page.getByRole('tab', { selected: true }).textContent()) === 'Start fixture', 10_000, 'start page in the new tab');
    await page.context().close();
  });
});
