// The "internet" of scripts/container-test.sh: a small web site in a container of its
// own on compose's `external` network, reached by the remote Chromium in the gateway
// container through kekkai's egress proxy. Plain JavaScript because it runs with the
// image's node, without the repository's build tools. Same pages and files as the
// e2e download tests (test/e2e/downloads.test.ts): links 60 px apart from (40, 40).
// It listens only once its files are ready.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import console from 'node:console';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import process from 'node:process';

// EICAR is assembled at run time so no file in the repository is flagged.
const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join('');
// "患者,値\r\n山田,=HYPERLINK(..." in Shift_JIS: a Japanese CSV with a formula cell.
const SJIS_CSV = Buffer.from('8ab38ed22c926c0d0a8e529363' + '2c3d48595045524c494e4b28226874747073', 'hex');

/**
 * An .xlsx written by the image's own LibreOffice (in /tmp of this container), which the
 * gateway rebuilds as a new .xlsx (spreadsheets.xlsx: xlsx, the default); a placeholder
 * where the image has none (KEKKAI_INSTALL_OFFICE=0), which the gateway must then block.
 */
function officeSheet() {
  const soffice = '/usr/bin/soffice';
  if (!existsSync(soffice)) return Buffer.from('PK\u0003\u0004 not an office file');
  const dir = mkdtempSync('/tmp/fixture-');
  writeFileSync(`${dir}/form.csv`, '氏名,生年月日\n山田 太郎,1980-01-01\n');
  execFileSync(soffice, ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'xlsx', '--outdir', dir, `${dir}/form.csv`], {
    env: { ...process.env, HOME: dir },
    timeout: 120_000,
    stdio: 'ignore',
  });
  return readFileSync(`${dir}/form.xlsx`);
}

const FILES = {
  '/files/report.csv': { body: SJIS_CSV, type: 'text/csv', name: '報告.csv' },
  '/files/eicar.txt': { body: Buffer.from(EICAR), type: 'text/plain', name: 'eicar.txt' },
  '/files/form.xlsx': { body: officeSheet(), type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', name: 'form.xlsx' },
};

const links = Object.keys(FILES)
  .map((p, i) => `<a href="${p}" style="position:absolute;left:40px;top:${40 + i * 60}px;font-size:24px">${p}</a>`)
  .join('');
const PAGES = {
  '/': '<title>Container fixture home</title><p>kekkai container test</p>',
  '/downloads': `<title>Downloads fixture</title>${links}`,
};

const port = Number(process.env.FIXTURE_PORT ?? 8080);
http
  .createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    console.log(`${req.method} ${path}`);
    const file = FILES[path];
    if (file) {
      res.writeHead(200, {
        'content-type': file.type,
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'content-length': file.body.length,
      });
      res.end(file.body);
      return;
    }
    const page = PAGES[path];
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="ja"><head><meta charset="utf-8">${page}</html>`);
  })
  .listen(port, '0.0.0.0', () => console.log(`fixture listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
