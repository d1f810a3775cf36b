/**
 * Issue 9, item 16: failed sign-ins with made-up names used to lock every account out
 * from that address — behind the documented TLS-terminating proxy, everyone. Now the
 * throttle counts per name and address, and X-Forwarded-For names the address only
 * when it comes from a configured trusted proxy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../gateway/auth/passwords.js';
import { buildTestApp, PASSWORD, type AppHarness } from './app-harness.js';

const host = 'kekkai.test';
let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function login(username: string, password: string, forwardedFor?: string) {
  const headers: Record<string, string> = { host, origin: `https://${host}` };
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  return h!.app.inject({ method: 'POST', url: '/api/login', headers, payload: { username, password } });
}

function lastLoginRecord() {
  return [...h!.audit.records({})].filter((r) => r.event === 'login').at(-1);
}

describe('sign-in throttling per name and address', () => {
  it('20 failures with made-up names from one address leave a real user there able to sign in', async () => {
    h = await buildTestApp();
    for (let i = 0; i < 20; i++) expect((await login(`no-such-user-${i}`, 'guess-Password-1!')).statusCode).toBe(401);
    expect((await login('nurse', PASSWORD)).statusCode).toBe(200);
  });

  it('5 failures for one name lock that name, even with the right password, but not a colleague at the same address', async () => {
    h = await buildTestApp();
    h.store.users.create({ name: 'doctor', role: 'staff', passwordHash: await hashPassword(PASSWORD), mustChangePassword: false });
    for (let i = 0; i < 5; i++) expect((await login('nurse', `wrong-${i}-Password!`)).statusCode).toBe(401);
    const locked = await login('nurse', PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('KEKKAI_ERR_LOCKED');
    expect((await login('doctor', PASSWORD)).statusCode).toBe(200);
  });

  it('with a trusted proxy, X-Forwarded-For decides the address', async () => {
    // app.inject() connects from 127.0.0.1: that is the proxy here.
    h = await buildTestApp({ trustedProxies: ['127.0.0.1/32'] });
    for (let i = 0; i < 5; i++) expect((await login('nurse', `wrong-${i}-Password!`, '10.1.1.1')).statusCode).toBe(401);
    expect((await login('nurse', PASSWORD, '10.1.1.1')).statusCode).toBe(429);
    expect((await login('nurse', PASSWORD, '10.1.1.2')).statusCode).toBe(200);
    expect(lastLoginRecord()).toMatchObject({ outcome: 'success', sourceIp: '10.1.1.2' });
    // A client cannot prepend its own entry: the right-most untrusted address counts.
    expect((await login('nurse', PASSWORD, '10.1.1.2, 10.1.1.1')).statusCode).toBe(429);
  });

  it('without a trusted proxy, X-Forwarded-For is ignored', async () => {
    h = await buildTestApp();
    for (let i = 0; i < 5; i++) expect((await login('nurse', `wrong-${i}-Password!`, '10.1.1.1')).statusCode).toBe(401);
    expect((await login('nurse', PASSWORD, '10.1.1.2')).statusCode).toBe(429);
    expect(lastLoginRecord()).toMatchObject({ outcome: 'failure', sourceIp: '127.0.0.1' });
  });
});
