/**
 * End to end, issue 9 item 11: a page cannot stall the gateway through the probes
 * that read the cursor shape and the selection. The pages here replace the
 * builtins the probes use (getComputedStyle, getSelection, String.prototype…)
 * with functions returning millions of characters, and use a custom cursor image
 * whose CSS value is itself huge. The probes run in an isolated world and cut
 * their results down inside the page, so the user still gets the right cursor and
 * a bounded clipboard, and the gateway goes on serving the page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../gateway/workers/worker-pool.js';
import { expectSandboxAsPlanned, sandboxedWorkers } from './support/chromium-sandbox.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, login, newUserContext, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';

const MAX_SELECTION_CHARS = 1_000_000;

const PAGES: Record<string, string> = {
  '/cursor': `<title>Hostile cursor</title>
<style>body{margin:0}
#l{position:absolute;left:40px;top:40px;width:320px;height:100px;display:block;font-size:28px;
cursor:url("data:image/png;base64,${'A'.repeat(200_000)}") 2 2, pointer}
#b{position:absolute;left:40px;top:220px;width:240px;height:80px}</style>
<a id="l" href="#x">hover me</a><button id="b">Press</button>
<script>
function report(data){fetch('/report',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(data)});}
document.getElementById('b').addEventListener('click',()=>report({kind:'clicked'}));
const huge = 'x'.repeat(10000000);
window.getComputedStyle = () => ({ cursor: huge });
Object.defineProperty(CSSStyleDeclaration.prototype, 'cursor', { get: () => huge });
String.prototype.slice = function () { return huge; };
String.prototype.trim = function () { return huge; };
String.prototype.lastIndexOf = function () { return -1; };
report({kind:'armed'});
</script>`,
  '/selection': `<title>Hostile selection</title>
<style>body{margin:0;font-size:12px}#p{position:absolute;left:0;top:120px;width:1000px;height:300px;overflow:hidden;margin:0}</style>
<p id="p"></p>
<script>
const p = document.getElementById('p');
p.textContent = 'MARK ' + 'lorem ipsum '.repeat(125000);
const select = () => document.getSelection().selectAllChildren(p);
select();
// A click on the canvas would collapse the selection: select again after it.
addEventListener('mouseup', () => { select(); setTimeout(select, 0); });
const fake = 'y'.repeat(3000000);
window.getSelection = () => ({ toString: () => fake });
Selection.prototype.toString = () => fake;
String.prototype.slice = function () { return fake; };
</script>`,
};

let harness: Harness;
let site: FixtureSite;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite('127.0.0.1', {}, PAGES), launchUserBrowser()]);
  // A sandboxed worker, as in production (support/chromium-sandbox.ts).
  harness = await startHarness(sandboxedWorkers(1), [site.url]);
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

describe('probes of hostile pages', () => {
  it('shows the right cursor although the page replaces getComputedStyle and String.prototype with huge results', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/cursor`, 'Hostile cursor');
    await waitUntil(async () => site.reports.some((r) => r.kind === 'armed'), 10_000, 'page overrides in place');
    const canvas = page.locator('canvas.remote-canvas');
    const box = (await canvas.boundingBox())!;
    // Move over the link a few times: each move asks the cursor probe again.
    await waitUntil(async () => {
      await page.mouse.move(box.x + 100 + Math.random() * 50, box.y + 80);
      return (await canvas.evaluate((c) => (c as HTMLElement).style.cursor)) === 'pointer';
    }, 20_000, 'pointer cursor over the link');
    // The gateway still serves this page: a click reaches it.
    await clickRemote(page, 150, 260);
    await waitUntil(async () => site.reports.some((r) => r.kind === 'clicked'), 15_000, 'click on the button');
    await page.context().close();
  });

  it('copies the real selection, cut to the limit, although the page fakes a huge one', async () => {
    const context = await newUserContext(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.url });
    const page = await context.newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/selection`, 'Hostile selection');
    await page.evaluate(() => navigator.clipboard.writeText('before'));
    await clickRemote(page, 500, 40);
    let copied = { length: 0, head: '' };
    await waitUntil(async () => {
      await page.keyboard.press('Control+C');
      await new Promise((r) => setTimeout(r, 1000));
      copied = await page.evaluate(async () => {
        const text = await navigator.clipboard.readText();
        return { length: text.length, head: text.slice(0, 10) };
      });
      return copied.head !== 'before';
    }, 30_000, 'clipboard written');
    expect(copied.head).toBe('MARK lorem');
    expect(copied.length).toBe(MAX_SELECTION_CHARS);
    // The hostile pages ran in a sandboxed Chromium where the machine allows it.
    expectSandboxAsPlanned((harness.gateway.services.browser as WorkerPool).status()[0]!.pid!);
    await context.close();
  });
});
