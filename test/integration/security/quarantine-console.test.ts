/** Security console: quarantine list filters, detail, permissions, delete and analysis ZIP. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { referenceOf } from '../../../gateway/downloads/download-changes.js';
import { unzip } from '../../fixtures/security/unzip.js';
import { startSecurityHarness, type SecurityHarness } from './security-harness.js';

let h: SecurityHarness;
beforeEach(async () => {
  h = await startSecurityHarness();
});
afterEach(async () => {
  await h.close();
});

interface ListBody {
  records: Array<{ id: string; name: string; userName: string | null }>;
  total: number;
}

async function seed(): Promise<{ nurse: number; doctor: number }> {
  const nurse = h.as('nurse', 'staff').userId;
  const doctor = h.as('doctor', 'staff').userId;
  await h.quarantineFile({ name: 'eicar.txt', userId: nurse, userName: 'nurse', reason: 'infected', signature: 'Eicar-Signature', trueType: 'text/plain' });
  await h.quarantineFile({ name: 'macro.xlsm', userId: doctor, userName: 'doctor', reason: 'macro-document', trueType: 'application/vnd.ms-excel.sheet.macroEnabled.12' });
  await h.quarantineFile({ name: 'report.pdf', userId: nurse, userName: 'nurse', verdict: 'sanitized', reason: null, trueType: 'application/pdf' });
  return { nurse, doctor };
}

describe('quarantine list', () => {
  it('is for the security role only', async () => {
    expect((await h.get(null, '/api/security/quarantine')).statusCode).toBe(401);
    expect((await h.get(h.as('nurse', 'staff'), '/api/security/quarantine')).statusCode).toBe(403);
    expect((await h.get(h.as('boss', 'admin'), '/api/security/quarantine')).statusCode).toBe(403);
    expect((await h.get(h.as('sec', 'security'), '/api/security/quarantine')).statusCode).toBe(200);
  });

  it('filters by user, verdict, reason, type and text, and pages', async () => {
    await seed();
    const sec = h.as('sec', 'security');
    const names = async (qs: string): Promise<string[]> => {
      const res = await h.get(sec, `/api/security/quarantine?${qs}`);
      expect(res.statusCode).toBe(200);
      return (res.json() as ListBody).records.map((r) => r.name).sort();
    };
    expect(await names('')).toEqual(['eicar.txt', 'macro.xlsm', 'report.pdf']);
    expect(await names('user=NURSE')).toEqual(['eicar.txt', 'report.pdf']);
    expect(await names('verdict=blocked')).toEqual(['eicar.txt', 'macro.xlsm']);
    expect(await names('reason=macro-document')).toEqual(['macro.xlsm']);
    expect(await names('type=pdf')).toEqual(['report.pdf']);
    expect(await names('q=eicar')).toEqual(['eicar.txt']);
    // The reference number staff read from their download panel finds the record.
    const macro = (await h.get(sec, '/api/security/quarantine?reason=macro-document')).json() as { records: Array<{ id: string }> };
    const ref = referenceOf(macro.records[0]!.id);
    expect(await names(`q=${encodeURIComponent(ref)}`)).toEqual(['macro.xlsm']);
    expect(await names(`q=${ref.toLowerCase().replace('-', '')}`)).toEqual(['macro.xlsm']);
    const page = (await h.get(sec, '/api/security/quarantine?limit=2&offset=2')).json() as ListBody;
    expect(page.total).toBe(3);
    expect(page.records).toHaveLength(1);
    expect((await h.get(sec, '/api/security/quarantine?verdict=nonsense')).statusCode).toBe(400);
  });

  it('filters by a date range given in Japan time', async () => {
    await seed();
    const sec = h.as('sec', 'security');
    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
    const count = async (qs: string): Promise<number> => ((await h.get(sec, `/api/security/quarantine?${qs}`)).json() as ListBody).total;
    expect(await count(`from=${today}&to=${today}`)).toBe(3);
    expect(await count('to=2001-01-01')).toBe(0);
    expect(await count('from=2999-01-01')).toBe(0);
    expect((await h.get(sec, '/api/security/quarantine?from=yesterday')).statusCode).toBe(400);
  });
});

describe('quarantine detail', () => {
  it('shows name, size, hash, true type, source, user, time, signature, reason and steps', async () => {
    const nurse = h.as('nurse', 'staff').userId;
    const steps = [{ stage: 'scan', detail: 'clamd: Eicar-Signature FOUND', ms: 12 }];
    const rec = await h.quarantineFile({ name: 'eicar.txt', userId: nurse, userName: 'nurse', reason: 'infected', signature: 'Eicar-Signature', trueType: 'text/plain', steps }, Buffer.from('12345'));
    const res = await h.get(h.as('sec', 'security'), `/api/security/quarantine/${rec.id}`);
    expect(res.statusCode).toBe(200);
    const { record } = res.json() as { record: Record<string, unknown> };
    expect(record).toMatchObject({ name: 'eicar.txt', size: 5, sha256: rec.sha256, trueType: 'text/plain', sourceUrl: 'https://example.jp/file.bin', userName: 'nurse', createdAt: rec.createdAt, signature: 'Eicar-Signature', reason: 'infected', steps });
    expect((await h.get(h.as('sec', 'security'), '/api/security/quarantine/nope')).statusCode).toBe(404);
  });
});

describe('delete', () => {
  it('needs a justification, then removes the original and audits who, what and why', async () => {
    const rec = await h.quarantineFile({ userId: h.as('nurse', 'staff').userId, userName: 'nurse' });
    const sec = h.as('sec', 'security');
    for (const body of [{}, { justification: '   ' }, { justification: 'x'.repeat(1001) }]) {
      expect((await h.post(sec, `/api/security/quarantine/${rec.id}/delete`, body)).statusCode).toBe(400);
    }
    expect(await h.quarantine.get(rec.id)).toBeDefined();
    expect((await h.post(sec, `/api/security/quarantine/${rec.id}/delete`, { justification: 'ok' }, 'wrong-csrf')).statusCode).toBe(403);
    expect((await h.post(h.as('boss', 'admin'), `/api/security/quarantine/${rec.id}/delete`, { justification: 'ok' })).statusCode).toBe(403);
    const res = await h.post(sec, `/api/security/quarantine/${rec.id}/delete`, { justification: '誤検知ではなく不要なため削除' });
    expect(res.statusCode).toBe(200);
    expect(await h.quarantine.get(rec.id)).toBeUndefined();
    const [audit] = h.audit.search({ events: ['quarantine-action'] }).records;
    expect(audit).toMatchObject({ userName: 'sec', role: 'security', outcome: 'success', details: { action: 'delete', id: rec.id, sha256: rec.sha256, justification: '誤検知ではなく不要なため削除' } });
    expect((await h.post(sec, `/api/security/quarantine/${rec.id}/delete`, { justification: 'again' })).statusCode).toBe(404);
  });
});

describe('analysis ZIP', () => {
  it('needs a justification and returns the original encrypted with "infected"', async () => {
    const original = Buffer.from('X5O!P%@AP sample bytes '.repeat(50));
    const rec = await h.quarantineFile({ name: 'sample.txt', userId: h.as('nurse', 'staff').userId, userName: 'nurse' }, original);
    const sec = h.as('sec', 'security');
    expect((await h.post(sec, `/api/security/quarantine/${rec.id}/analysis-zip`, {})).statusCode).toBe(400);
    expect(h.audit.count({ events: ['quarantine-action'] })).toBe(0);
    const res = await h.post(sec, `/api/security/quarantine/${rec.id}/analysis-zip`, { justification: 'ベンダーへ解析依頼' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(String(res.headers['content-disposition'])).toMatch(/^attachment;/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const zip = res.rawPayload;
    const [entry] = await unzip(zip, 'infected');
    expect(entry!.name).toBe('sample.txt');
    expect(entry!.zipCrypto).toBe(true);
    expect(entry!.data.equals(original)).toBe(true);
    await expect(unzip(zip, 'password')).rejects.toThrow();
    expect(zip.includes(Buffer.from('sample bytes'))).toBe(false);
    const [audit] = h.audit.search({ events: ['quarantine-action'] }).records;
    expect(audit?.details).toMatchObject({ action: 'analysis-download', id: rec.id, sha256: rec.sha256, justification: 'ベンダーへ解析依頼' });
  });
});
