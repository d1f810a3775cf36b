import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilePolicyService, validateFilePolicyYaml } from '../../../gateway/admin/file-policy-service.js';
import { openDatabase, type SqliteDb } from '../../../gateway/database.js';

let dir: string;
let db: SqliteDb;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-filepolicy-'));
  db = openDatabase(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('file policy per role', () => {
  it('applies role overrides merged over the base policy', () => {
    const service = new FilePolicyService(db);
    const saved = service.save('allowedGroups: [pdf, image, text, csv]\npdfDpi: 150\nroles:\n  admin:\n    allowedGroups: [pdf, image, text, csv, office]\n    pdfDpi: 200\n');
    expect(saved.ok).toBe(true);
    expect(service.currentFilePolicy('staff').allowedGroups).toEqual(['pdf', 'image', 'text', 'csv']);
    expect(service.currentFilePolicy('staff').pdfDpi).toBe(150);
    const admin = service.currentFilePolicy('admin');
    expect(admin.allowedGroups).toContain('office');
    expect(admin.pdfDpi).toBe(200);
    // Keys the override does not name come from the base document.
    expect(admin.maxPages).toBe(service.currentFilePolicy(null).maxPages);
  });

  it('refuses unknown roles and invalid overrides, naming them, and changes nothing', () => {
    const service = new FilePolicyService(db);
    expect(service.save('pdfDpi: 120\n').ok).toBe(true);
    const unknown = validateFilePolicyYaml('roles:\n  doctor:\n    pdfDpi: 100\n');
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.issues.join()).toContain('roles.doctor');
    const bad = service.save('roles:\n  admin:\n    pdfDpi: -5\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.join()).toMatch(/roles\.admin\.pdfDpi/);
    expect(service.currentFilePolicy('admin').pdfDpi).toBe(120);
  });
});
