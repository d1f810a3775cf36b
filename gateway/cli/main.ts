/**
 * The `kekkai` command. Each subcommand lives in its own module; this file only
 * parses the command line and reports errors without a stack trace.
 */
import { ConfigError, loadConfig } from '../config/load-config.js';
import { runAudit } from './audit-command.js';
import { runBackup, runRestore } from './backup-command.js';
import { runPolicy } from './policy-command.js';
import { runSanitize } from './sanitize-command.js';
import { runUserAdd } from './user-add.js';
import { runWorkerCommand } from './worker-command.js';

const HELP = `kekkai — browser-isolation gateway for hospitals

Usage:
  kekkai serve [--config FILE]                 start the gateway (prints "kekkai listening on URL")
  kekkai user add NAME --role staff|admin|security [--department D] [--job J] [--expires YYYY-MM-DD]
                                               add an account; the password is read from a prompt
                                               or, when stdin is not a terminal, from its first line
  kekkai policy test URL [--policy FILE] [--role ROLE] [--source-ip IP] [--json]
                                               judge a URL against the current (or a given) URL policy
  kekkai policy validate FILE | import FILE.yaml [--comment TEXT] | export [--version N]
  kekkai policy history | diff FROM TO | rollback N
  kekkai policy categories import NAME FILE [--format hosts|plain|auto] | categories import-ut1 DIR
                                               manage URL policy versions and category lists
  kekkai audit verify [--key FILE] [--head SEQ:MAC]
                                               check the audit log's HMAC chain and that nothing was cut off its
                                               end (head anchor; exit 1 names the first bad or missing record)
  kekkai audit anchor --reset --reason TEXT    acknowledge a known loss at the log's end (audited) and anchor anew
  kekkai audit export --format csv|csv-sjis|jsonl [--from ISO] [--to ISO] [--out FILE]
  kekkai sanitize FILE... --out DIR [--json]   scan and rebuild files like downloads (e.g. USB import);
                                               only sanitized files are written to DIR
  kekkai backup --out FILE [--with-quarantine] consistent online backup (mode 0600; store it encrypted)
  kekkai backup --scheduled                    the daily backup (KEKKAI_BACKUP_*): encrypted, rotated, copied apart,
                                               its outcome audited, logged and shown in /metrics and the compliance page
  kekkai restore FILE [--identity KEY] [--force]
                                               verify and restore into an empty (or, stopped, --force) data directory;
                                               an encrypted (age) backup needs its private key file
  kekkai worker --control wss://HOST:PORT --token-file FILE [--state-dir DIR]
                                               run a browser worker on this machine for that control plane
  kekkai worker ca init | token create | token revoke | list | revoke | drain | status
                                               remote worker credentials and maintenance (kekkai worker help)
  kekkai --help                                show this help

Settings come from KEKKAI_* environment variables and an optional YAML file
(KEKKAI_CONFIG or --config); see docs/configuration.md.
`;

export async function main(argv: string[]): Promise<number> {
  const { command, rest, configFile } = splitArgs(argv);
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 1;
  }
  try {
    const config = () => loadConfig(configFile ? { file: configFile } : {});
    switch (command) {
      case 'serve': {
        const { startGateway } = await import('../server.js');
        // Handlers go in before the gateway starts: a SIGTERM right after the
        // "listening" line (or during start-up) must still close Chromium and the run directory.
        let gateway: Awaited<ReturnType<typeof startGateway>> | null = null;
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          // Last resort; each shutdown step is bounded well below this (server.ts).
          setTimeout(() => process.exit(1), 15_000).unref();
          if (gateway) void gateway.close().then(() => process.exit(0));
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        process.on('SIGHUP', () => gateway?.reloadTls());
        gateway = await startGateway(config());
        if (stopping) await gateway.close().then(() => process.exit(0));
        return await new Promise<number>(() => undefined);
      }
      case 'worker':
        // Browser workers and their credentials (docs/workers.md).
        return await runWorkerCommand(rest, config);
      case 'user':
        if (rest[0] !== 'add') break;
        return await runUserAdd(rest.slice(1), config());
      case 'policy':
        return await runPolicy(rest, config());
      case 'audit':
        return await runAudit(rest, config());
      case 'sanitize':
        return await runSanitize(rest, config());
      case 'backup':
        return await runBackup(rest, config());
      case 'restore':
        return await runRestore(rest, config());
    }
    process.stderr.write(`Unknown command: ${[command, ...rest].join(' ')}\n\n${HELP}`);
    return 2;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 78;
    }
    process.stderr.write(`kekkai: ${(err as Error).message}\n`);
    return 1;
  }
}

function splitArgs(argv: string[]): { command: string | undefined; rest: string[]; configFile: string | undefined } {
  const args = [...argv];
  let configFile: string | undefined;
  const i = args.indexOf('--config');
  if (i >= 0) {
    configFile = args[i + 1];
    args.splice(i, 2);
  }
  return { command: args[0], rest: args.slice(1), configFile };
}
