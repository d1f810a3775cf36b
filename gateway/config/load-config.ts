/**
 * Loads the configuration once at start: YAML file (optional) overlaid by
 * KEKKAI_* environment variables, validated by {@link ConfigSchema}, frozen.
 * This is the only module that reads process.env for settings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ZodError } from 'zod';
import { ConfigSchema, ENV_SETTINGS, type Config } from './config-schema.js';

/** Start-up stops with this error; its message names the offending key. */
export class ConfigError extends Error {
  readonly code = 'KEKKAI_ERR_CONFIG';
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** YAML file path; defaults to env KEKKAI_CONFIG. */
  file?: string;
  /** Programmatic overrides (tests), applied last. */
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadConfigOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.KEKKAI_CONFIG;
  const raw: Record<string, unknown> = file ? readYaml(file) : {};
  for (const setting of ENV_SETTINGS) {
    const value = env[setting.env];
    if (value !== undefined && value !== '') setPath(raw, setting.path, value);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) setPath(raw, key, value);
  try {
    const config = ConfigSchema.parse(raw);
    config.dataDir = path.resolve(config.dataDir);
    return deepFreeze(config);
  } catch (err) {
    if (err instanceof ZodError) throw new ConfigError(describeZodError(err, raw));
    throw err;
  }
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`Config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function describeZodError(err: ZodError, raw: Record<string, unknown>): string {
  const lines = err.issues.map((issue) => {
    const dotted = issue.path.join('.');
    const setting = ENV_SETTINGS.find((s) => s.path === dotted || dotted.startsWith(`${s.path}.`));
    const name = setting ? `${setting.env} (${dotted || 'config'})` : dotted || 'config';
    const shown = setting?.secret ? '(hidden)' : JSON.stringify(getPath(raw, dotted));
    const hint = issue.code === 'unrecognized_keys' ? `unknown keys ${issue.keys.join(', ')}` : issue.message;
    return `  ${name}: ${hint}${shown === undefined ? '' : `; got ${shown}`}`;
  });
  return `Invalid configuration:\n${lines.join('\n')}`;
}

function getPath(obj: Record<string, unknown>, dotted: string): unknown {
  if (!dotted) return undefined;
  let node: unknown = obj;
  for (const key of dotted.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object') {
    for (const value of Object.values(obj)) deepFreeze(value);
    Object.freeze(obj);
  }
  return obj;
}
