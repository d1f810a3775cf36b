/**
 * `kekkai serve`'s start: builds the gateway (gateway.ts), makes the first admin,
 * prints what the operator needs (one-time password, certificate fingerprint, URL)
 * and listens. Signals are handled by the CLI (cli/main.ts).
 */
import { ensureFirstAdmin } from './auth/first-admin.js';
import type { Config } from './config/config-schema.js';
import { createGateway, type GatewayOptions, type GatewayServices } from './gateway.js';

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
  /** Re-reads the configured certificate and key (SIGHUP); the self-signed one never changes. */
  reloadTls(): void;
  /** Every service of the running gateway (end-to-end tests look inside, e.g. at the browser layer). */
  readonly services: GatewayServices;
}

export async function startGateway(
  config: Readonly<Config>,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  const gateway = await createGateway(config, options);
  try {
    const { store, tls, audit } = gateway.services;
    const firstAdmin = await ensureFirstAdmin(store.users, config.adminPassword, audit);
    if (firstAdmin?.password) {
      out(`Initial admin account: user "${firstAdmin.name}", one-time password: ${firstAdmin.password}`);
      out('This password is shown only once and must be changed at first sign-in. / このパスワードは一度だけ表示されます。初回ログイン時に変更してください。');
    } else if (firstAdmin) {
      out(`Initial admin account "${firstAdmin.name}" created with the password from KEKKAI_ADMIN_PASSWORD.`);
    }
    if (tls?.selfSigned) out(`TLS: self-signed certificate, SHA-256 fingerprint ${tls.fingerprint256}`);
    const url = await gateway.listen();
    out(`kekkai listening on ${url}`);
    return { url, close: () => gateway.close(), reloadTls: () => gateway.reloadTls(), services: gateway.services };
  } catch (err) {
    await gateway.close();
    throw err;
  }
}
