import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../../gateway/database.js';
import { checkMigrationOrder } from '../../../../gateway/store/sqlite-database.js';

describe('registered schema migrations', () => {
  it('keep the shipped order and names, so existing databases open unchanged', () => {
    expect(MIGRATIONS.map((m) => `${m.version} ${m.name}`)).toEqual([
      '1 users and auth sessions',
      '2 audit log',
      '3 url policy versions and categories',
      '4 quarantine index',
      '5 account fields, second factor, operator settings, file policy versions',
      '6 quarantine releases',
      '7 remote browser workers',
      '8 external identities',
      '9 session recordings',
    ]);
    expect(SCHEMA_VERSION).toBe(9);
  });

  it('are refused when a feature forgot to register one (a gap) or two share a version', () => {
    const [first, second, third] = MIGRATIONS;
    expect(() => checkMigrationOrder([first!, third!])).toThrow(/position 2 holds version 3/);
    expect(() => checkMigrationOrder([first!, second!, second!])).toThrow(/position 3 holds version 2/);
    expect(() => checkMigrationOrder(MIGRATIONS)).not.toThrow();
  });
});
