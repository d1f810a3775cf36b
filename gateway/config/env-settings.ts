/**
 * Environment variables are declared on the schema leaves they set (`fromEnv` in
 * config-schema.ts), and the table of them, ENV_SETTINGS, is read off the schema —
 * so a setting, its variable and its description live in one place.
 */
import { z } from 'zod';

export interface EnvSetting {
  /** KEKKAI_* name. */
  env: string;
  /** Dotted key in the schema and the YAML file, e.g. `session.maxTabs`. */
  path: string;
  /** Never echoed in errors; must be empty in docker/.env.example. */
  secret?: boolean;
  doc: string;
}

const DECLARED = new WeakMap<z.ZodTypeAny, Omit<EnvSetting, 'path'>>();

/** Marks a schema leaf as set by the environment variable `env`. Returns the schema itself. */
export function fromEnv<T extends z.ZodTypeAny>(schema: T, env: string, doc: string, options: { secret?: boolean } = {}): T {
  DECLARED.set(schema, { env, doc, ...(options.secret ? { secret: true } : {}) });
  return schema;
}

/** The object inside defaults, optionals and refinements, if there is one. */
function objectInside(schema: z.ZodTypeAny): z.AnyZodObject | null {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return objectInside(schema._def.innerType);
  if (schema instanceof z.ZodEffects) return objectInside(schema._def.schema);
  return null;
}

/**
 * Walks the schema in declaration order. Every leaf must declare its variable:
 * a leaf without one is reported in `undeclared` (a unit test keeps it empty).
 */
export function envSettingsOf(schema: z.ZodTypeAny, prefix = ''): { settings: EnvSetting[]; undeclared: string[] } {
  const settings: EnvSetting[] = [];
  const undeclared: string[] = [];
  const object = objectInside(schema);
  for (const [key, child] of Object.entries(object?.shape ?? {}) as [string, z.ZodTypeAny][]) {
    const path = prefix ? `${prefix}.${key}` : key;
    const declared = DECLARED.get(child);
    if (declared) settings.push({ env: declared.env, path, ...(declared.secret ? { secret: true } : {}), doc: declared.doc });
    else if (objectInside(child)) {
      const nested = envSettingsOf(child, path);
      settings.push(...nested.settings);
      undeclared.push(...nested.undeclared);
    } else undeclared.push(path);
  }
  return { settings, undeclared };
}
