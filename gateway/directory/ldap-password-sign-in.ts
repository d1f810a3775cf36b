/**
 * Password sign-in against the directory (AuthService's `PasswordDirectory`): the
 * directory checks the password, ExternalSignIn does the rest. A wrong password
 * counts towards the sign-in throttle like a local one; a directory that cannot be
 * reached refuses with its own message and counts nothing (local accounts still work).
 */
import type { PasswordDirectory, SignInResult } from '../auth/auth-service.js';
import type { ExternalSignIn } from '../auth/external/external-sign-in.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { Logger } from '../logging.js';
import type { DirectoryError } from './ldap-connection.js';
import type { LdapDirectory } from './ldap-directory.js';

export class LdapPasswordSignIn implements PasswordDirectory {
  constructor(
    private readonly directory: LdapDirectory,
    private readonly external: ExternalSignIn,
    private readonly throttle: LoginThrottle,
    private readonly log: Logger,
  ) {}

  async signIn(name: string, password: string, sourceIp: string): Promise<SignInResult> {
    let result;
    try {
      result = await this.directory.authenticate(name, password);
    } catch (err) {
      const { problem, url, message } = err as DirectoryError;
      this.log.warn({ component: 'directory', problem, url, err: message }, 'directory unavailable for sign-in');
      return { failure: 'directory-unavailable', details: { checkedBy: 'ldap', problem: problem ?? 'protocol' } };
    }
    if ('failure' in result) {
      this.throttle.recordFailure(name, sourceIp);
      return { failure: 'invalid-credentials', details: { checkedBy: 'ldap', ...(result.directoryDisabled ? { directoryDisabled: true } : {}) } };
    }
    return this.external.complete(result.identity, sourceIp);
  }

  async accepts(name: string, password: string): Promise<boolean> {
    try {
      return 'identity' in (await this.directory.authenticate(name, password));
    } catch {
      return false;
    }
  }
}
