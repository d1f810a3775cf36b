/**
 * Encryption of scheduled backups with age (https://age-encryption.org, Debian package
 * `age`). The server holds only the recipient — a public key `age1…` or a file of
 * recipients — so a backup, once written, cannot be read back with anything on the
 * server: the identity (private key) that decrypts it is kept apart, offline or with
 * the person responsible for restores (docs/operations.md, "Scheduled backups").
 * age is a well-kept format and tool; kekkai writes no cryptographic format of its own.
 */
import { execFile } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { promisify } from 'node:util';
import { BackupError } from './backup.js';

const run = promisify(execFile);
const RECIPIENT_RE = /^(?:age1[02-9ac-hj-np-z]{58}|ssh-(?:ed25519|rsa) [A-Za-z0-9+/=]{16,}(?: \S*)?)$/;

/** A recipient public key, or an absolute path to a recipients file; anything else is refused. */
export function ageRecipientArgs(encryptTo: string): string[] {
  const value = encryptTo.trim();
  if (RECIPIENT_RE.test(value)) return ['-r', value];
  if (isAbsolute(value)) return ['-R', value];
  throw new BackupError('KEKKAI_BACKUP_ENCRYPT_TO must be an age recipient (age1…), an SSH public key, or the absolute path of a recipients file');
}

async function age(args: string[]): Promise<void> {
  try {
    await run('age', args, { timeout: 6 * 3600_000, maxBuffer: 1024 * 1024 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new BackupError('age is not installed (Debian: apt-get install age); it encrypts and decrypts backups');
    // age prints "age: error: …" and then a line asking for bug reports.
    const lines = (e.stderr ?? e.message).trim().split('\n');
    throw new BackupError(`age failed: ${lines.find((l) => l.includes('error:')) ?? lines[0]}`);
  }
}

/** Encrypts `input` to `output` for the recipient(s). */
export function encryptBackup(input: string, output: string, encryptTo: string): Promise<void> {
  return age(['--encrypt', ...ageRecipientArgs(encryptTo), '--output', output, input]);
}

/** Decrypts `input` to `output` with an identity file (the private key kept apart). */
export function decryptBackup(input: string, output: string, identityFile: string): Promise<void> {
  return age(['--decrypt', '--identity', identityFile, '--output', output, input]);
}

/** age's binary header: encrypted archives are recognised by content, not only by name. */
export const AGE_MAGIC = 'age-encryption.org/v1\n';
