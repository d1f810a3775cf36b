/**
 * A small OpenID provider for integration tests, over HTTPS on loopback with a test
 * CA: discovery, keys, a token endpoint that checks the client secret, the code and
 * the PKCE verifier, and hands out the ID token the test asks for — valid, or
 * tampered, expired, for another audience, with another nonce, signed by another
 * key. ID tokens are signed with `jose`. The authorization step (a person at the
 * provider) is the test calling the callback with the code; the browser test uses
 * the real `oidc-provider` instead (test/e2e/federated-sign-in.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { makeCa, makeServerCert } from '../directory/test-ca.js';

export const CLIENT_ID = 'kekkai-test';
export const CLIENT_SECRET = 'test-client-secret-0123456789';

export interface TokenRequest {
  /** The nonce kekkai sent in the authorization request for this code. */
  nonce: string;
  sign(claims: Record<string, unknown>, opts?: { key?: CryptoKey; kid?: string }): Promise<string>;
}

export interface TestIssuer {
  issuer: string;
  caFile: string;
  /** What the token endpoint answers for a code; set per test. */
  idToken: (req: TokenRequest) => Promise<string>;
  /** Registers the authorization request (from kekkai's redirect) and returns a code for it. */
  authorize(authorizationUrl: string): { code: string; state: string; nonce: string };
  /** Valid claims for the person (iss, aud, iat, exp, nonce filled in). */
  claims(nonce: string, extra?: Record<string, unknown>): Record<string, unknown>;
  /** A key the provider does not publish. */
  otherKey: CryptoKey;
  tokenRequests: number;
  close(): Promise<void>;
}

export async function startTestIssuer(dir: string): Promise<TestIssuer> {
  const ca = makeCa('kekkai test OIDC CA');
  const tls = makeServerCert(ca);
  const caFile = path.join(dir, 'oidc-ca.pem');
  writeFileSync(caFile, ca.cert);
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; redirectUri: string }>();
  let issuer = '';

  const sign = (claims: Record<string, unknown>, opts: { key?: CryptoKey; kid?: string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'k1' }).sign(opts.key ?? privateKey);

  const state: TestIssuer = {
    issuer: '',
    caFile,
    idToken: async (req) => req.sign(state.claims(req.nonce)),
    authorize(authorizationUrl) {
      const url = new URL(authorizationUrl);
      const p = url.searchParams;
      if (p.get('client_id') !== CLIENT_ID || p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) throw new Error(`unexpected authorization request ${url.search}`);
      const code = randomBytes(16).toString('hex');
      codes.set(code, { nonce: p.get('nonce')!, challenge: p.get('code_challenge')!, redirectUri: p.get('redirect_uri')! });
      return { code, state: p.get('state')!, nonce: p.get('nonce')! };
    },
    claims: (nonce, extra = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return { iss: issuer, aud: CLIENT_ID, sub: 'sub-tanaka', iat: now, exp: now + 300, nonce, preferred_username: 'tanaka', name: '田中 花子', groups: ['kekkai-staff'], department: '看護部', ...extra };
    },
    otherKey: other.privateKey,
    tokenRequests: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        end_session_endpoint: `${issuer}/logout`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (req.method === 'POST' && url.pathname === '/token') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        state.tokenRequests += 1;
        const form = new URLSearchParams(body);
        // RFC 6749 2.3.1: id and secret are form-encoded before Basic.
        const [user, pass] = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':').map((p) => decodeURIComponent(p.replace(/\+/g, ' ')));
        if (user !== CLIENT_ID || pass !== CLIENT_SECRET) return json(401, { error: 'invalid_client' });
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!grant || grant.challenge !== challenge || grant.redirectUri !== form.get('redirect_uri')) return json(400, { error: 'invalid_grant' });
        void state.idToken({ nonce: grant.nonce, sign }).then((idToken) => json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken }));
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.issuer = issuer;
  return state;
}
