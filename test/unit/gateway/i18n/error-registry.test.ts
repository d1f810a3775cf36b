import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, errorEntry, errorsWithoutMessage, isErrorId, type ErrorId } from '../../../../gateway/i18n/error-registry.js';
import { httpError } from '../../../../gateway/http/errors.js';
import { SecurityRefusal } from '../../../../gateway/security/security-errors.js';
import { signInRefusal } from '../../../../gateway/http/sign-in-audit.js';

describe('error registry', () => {
  it('gives every id a Japanese and English message and an HTTP error status', () => {
    expect(errorsWithoutMessage()).toEqual([]);
    for (const id of Object.keys(ERRORS) as ErrorId[]) {
      const e = errorEntry(id);
      expect(e.status >= 400 && e.status <= 599, id).toBe(true);
      expect(e.code).toMatch(/^KEKKAI_ERR_[A-Z0-9_]+$/);
    }
  });

  it('is what routes and services answer with', () => {
    const err = httpError('user-exists');
    expect([err.statusCode, err.code, err.messageCode]).toEqual([409, 'KEKKAI_ERR_USER_EXISTS', 'user-exists']);
    expect(httpError('totp-already-active')).toMatchObject({ statusCode: 409, code: 'KEKKAI_ERR_FORBIDDEN', messageCode: 'forbidden' });
    expect(new SecurityRefusal('release-scan-unavailable').status).toBe(503);
    expect(new SecurityRefusal('self-approval').status).toBe(errorEntry('self-approval').status);
    expect(signInRefusal('locked')).toMatchObject({ statusCode: 429, code: 'KEKKAI_ERR_LOCKED' });
    // An unknown reason never leaks as its own code.
    expect(signInRefusal('no-such-reason')).toMatchObject({ statusCode: 401, code: 'KEKKAI_ERR_INVALID_CREDENTIALS' });
    expect(isErrorId('toString')).toBe(false);
  });

  it('is the only way routes and services build an HTTP error (no status written by hand)', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    const handMade = walk('gateway')
      .filter((file) => file !== path.join('gateway', 'http', 'errors.ts'))
      .filter((file) => /new HttpError\(/.test(readFileSync(file, 'utf8')));
    expect(handMade).toEqual([]);
  });
});
