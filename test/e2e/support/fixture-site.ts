/**
 * A small web site on loopback (port 0) for end-to-end tests. Pages report what
 * happened in them (field values, input events) back to the site with
 * navigator.sendBeacon-like POSTs, so tests read remote state as a user would
 * see its effect, without reaching into the gateway.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureSite {
  url: string;
  /** Every request path the site received, in order. */
  requests: string[];
  reports: Array<Record<string, unknown>>;
  waitForReport(pred: (r: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const REPORT_JS = `function report(data){fetch('/report',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(data)});}`;

const PAGES: Record<string, string> = {
  '/button': `<title>Button fixture</title>
<style>body{margin:0;background:#ffffff}#b{position:absolute;left:40px;top:40px;width:240px;height:80px;font-size:24px}</style>
<button id="b">Press me</button>
<script>${REPORT_JS}
document.getElementById('b').addEventListener('click',()=>{document.body.style.background='#ff0000';report({kind:'clicked'});});</script>`,
  '/color': `<title>Colour fixture</title>
<style>html,body{margin:0;height:100%;background:#000000}</style>
<script>let on=false;addEventListener('mousedown',()=>{on=!on;document.body.style.background=on?'#ffffff':'#000000';});</script>`,
  '/form': `<title>Form fixture</title>
<style>body{margin:0;font-size:20px}#i{position:absolute;left:40px;top:40px;width:400px;height:40px;font-size:20px}
#t{position:absolute;left:40px;top:120px;width:400px;height:80px;font-size:20px}
#c{position:absolute;left:40px;top:240px;width:400px;height:60px;border:1px solid #888;font-size:20px}</style>
<input id="i"><textarea id="t"></textarea><div id="c" contenteditable="true"></div>
<script>${REPORT_JS}
const events={};
for(const id of ['i','t','c']){const el=document.getElementById(id);
 for(const type of ['input','compositionstart','compositionend','keydown']) el.addEventListener(type,(e)=>{const k=id+':'+type;events[k]=(events[k]||0)+1;});
 el.addEventListener('input',()=>send());}
function send(){report({kind:'form',i:document.getElementById('i').value,t:document.getElementById('t').value,c:document.getElementById('c').textContent,events});}
document.addEventListener('keyup',()=>send());</script>`,
  '/popup': `<title>Popup fixture</title>
<style>a{position:absolute;left:40px;top:40px;font-size:28px}</style>
<a id="l" href="/button" target="_blank">Open in new tab</a>`,
  '/alerts': `<title>Alert loop</title>
<style>#b{position:absolute;left:40px;top:40px;width:240px;height:80px}</style>
<button id="b">Start</button>
<script>${REPORT_JS}
document.getElementById('b').addEventListener('click',()=>{for(let i=0;i<50;i++){alert('loop '+i);} report({kind:'alerts-done'});document.body.style.background='#00ff00';});</script>`,
  // Bidi override (U+202E), zero-width space and markup in the title and an alert (issue 9, item 14).
  '/bidi': `<title>Bidi \u202Efdp.exe\u200B <b>bold</b></title>
<style>#b{position:absolute;left:40px;top:40px;width:240px;height:80px}</style>
<button id="b">Alert</button>
<script>document.getElementById('b').addEventListener('click',()=>alert('line 1\u202E gnp.exe\\nline 2 <i>x</i>'));</script>`,
  // A page whose script never returns once its button is pressed (issue 9, item 18).
  '/hang': `<title>Hang fixture</title>
<style>#b{position:absolute;left:40px;top:40px;width:240px;height:80px}</style>
<button id="b">Hang</button>
<script>${REPORT_JS}
document.getElementById('b').addEventListener('click',()=>{for(;;){}});
addEventListener('load',()=>report({kind:'hang-ready'}));</script>`,
  '/text': `<title>Text fixture</title>
<style>body{margin:0;font-size:24px}p{position:absolute;left:40px;top:40px;margin:0}a{position:absolute;left:40px;top:140px}#i{position:absolute;left:40px;top:220px;width:400px;height:40px;font-size:20px}</style>
<p id="p">コピーする文章 copy me</p><a href="/button">a link</a><input id="i">
<script>${REPORT_JS}
document.getElementById('i').addEventListener('input',(e)=>report({kind:'pasted',value:e.target.value}));</script>`,
  '/upload': `<title>Upload fixture</title>
<style>#f{position:absolute;left:40px;top:40px;width:300px;height:60px}</style>
<input type="file" id="f">
<script>${REPORT_JS}
document.getElementById('f').addEventListener('change',async(e)=>{const f=e.target.files[0];report({kind:'uploaded',name:f.name,size:f.size,text:await f.text()});});</script>`,
  '/japanese': `<title>日本語の記事</title><meta charset="utf-8">
<style>body{font-size:18px;line-height:1.8;margin:24px}</style>
<h1>医療情報システムの安全管理</h1>
${Array.from({ length: 200 }, (_, i) => `<p>第${i + 1}段落。病院の電子カルテを守るため、インターネット閲覧は分離された環境で行います。職員は薬剤情報や学会のガイドラインを安全に参照できます。</p>`).join('\n')}`,
};

/** A file the site serves as an attachment (downloads). */
export interface FixtureFile {
  body: Buffer;
  contentType: string;
  filename: string;
}

/** A page that tries to reach each target by fetch(), <img> and WebSocket. */
function bypassPage(targets: string[]): string {
  const list = JSON.stringify(targets);
  return `<!doctype html><html><head><meta charset="utf-8"><title>Bypass fixture</title></head><body>
<script>for (const t of ${list}) {
  fetch(t + '/from-fetch').catch(() => {});
  const img = new Image(); img.src = t + '/from-img.png'; document.body.append(img);
  try { new WebSocket(t.replace(/^http/, 'ws') + '/from-ws'); } catch {}
}</script></body></html>`;
}

/**
 * Opens `to` in a new tab when (100, 60) is clicked: by window.open() from script
 * (`how=script`) or by a target=_blank link, which opens without an opener (`how=link`).
 * Its title is `Opener fixture <to>`.
 */
function openerPage(to: string, how: string): string {
  const href = JSON.stringify(to).replace(/</g, '\\u003c');
  // The title names the target, so a test waiting for this page is not satisfied by
  // an opener page for another target that the tab still shows.
  const title = `<title>Opener fixture ${to.replace(/[&"<>]/g, '')}</title>`;
  const style = '<style>#o{position:absolute;left:40px;top:40px;width:240px;height:60px;font-size:24px}</style>';
  return how === 'link'
    ? `${title}${style}<a id="o" target="_blank" href="${to.replace(/[&"<>]/g, '')}">Open</a>`
    : `${title}${style}<button id="o">Open</button><script>document.getElementById('o').addEventListener('click',()=>window.open(${href}));</script>`;
}

/** Embeds `src` in an <iframe> that covers the top left of the page, so its fields sit where they would alone. */
function framePage(src: string): string {
  return `<title>Frame fixture</title><style>body{margin:0}iframe{position:absolute;left:0;top:0;width:700px;height:400px;border:0}</style><iframe src="${src.replace(/[&"<>]/g, '')}"></iframe>`;
}

/** Links to the attachments, 60 px apart from (40, 40), so tests can click them by position. */
function downloadsPage(paths: string[]): string {
  const links = paths.map((p, i) => `<a href="${p}" style="position:absolute;left:40px;top:${40 + i * 60}px;font-size:24px">${p}</a>`);
  return `<title>Downloads fixture</title>${links.join('')}`;
}

/**
 * @param files attachments served by path (the `/downloads` page links them)
 * @param pages a test's own pages by path, beside the shared ones (they define their own `report()`)
 */
export async function startFixtureSite(host = '127.0.0.1', files: Record<string, FixtureFile> = {}, pages: Record<string, string> = {}): Promise<FixtureSite> {
  const reports: Array<Record<string, unknown>> = [];
  const requests: string[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(path);
    const query = new URL(req.url ?? '/', 'http://fixture').searchParams;
    if (path === '/redirect') {
      res.writeHead(302, { location: query.get('to') ?? '/' }).end();
      return;
    }
    if (path === '/bypass') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(bypassPage(query.getAll('target')));
      return;
    }
    if (path === '/open' || path === '/frame') {
      const body = path === '/open' ? openerPage(query.get('to') ?? '/', query.get('how') ?? 'script') : framePage(query.get('src') ?? '/');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="ja"><head><meta charset="utf-8">${body}</html>`);
      return;
    }
    if (req.method === 'POST' && path === '/report') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        try {
          reports.push(JSON.parse(body) as Record<string, unknown>);
        } catch {
          /* ignore malformed reports */
        }
        for (const w of waiters) w();
        res.writeHead(204).end();
      });
      return;
    }
    const file = files[path];
    if (file) {
      res
        .writeHead(200, {
          'content-type': file.contentType,
          'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
          'content-length': file.body.length,
        })
        .end(file.body);
      return;
    }
    const page = path === '/downloads' ? downloadsPage(Object.keys(files)) : (pages[path] ?? PAGES[path]);
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="ja"><head><meta charset="utf-8">${page}</html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    reports,
    waitForReport(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = [...reports].reverse().find(pred);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching report within ${timeoutMs} ms; last: ${JSON.stringify(reports.at(-1))}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
