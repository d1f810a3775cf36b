/**
 * What the admin console's file-policy form shows, read from the schema itself
 * (sanitizer/file-policy.ts): the type groups with their size limits, and every
 * top-level choice (an enum such as `office` or `macroOffice`) with its options.
 * A new enum field or group in the schema appears in the form without a client change
 * (it needs only a label in client/messages). The form edits the YAML document's
 * top-level values and keeps everything else (per-role overrides, timeouts) untouched.
 */
import { parse as parseYaml, stringify } from 'yaml';
import { z } from 'zod';
import { filePolicySchema, TYPE_GROUPS } from '../../sanitizer/file-policy.js';

export interface FilePolicyFormSchema {
  groups: string[];
  /** Top-level enum fields: name → allowed values. */
  choices: Record<string, string[]>;
}

function unwrap(type: z.ZodTypeAny): z.ZodTypeAny {
  let t = type;
  while (t instanceof z.ZodDefault || t instanceof z.ZodOptional || t instanceof z.ZodNullable) t = t instanceof z.ZodDefault ? t._def.innerType : t.unwrap();
  return t;
}

export function filePolicyFormSchema(): FilePolicyFormSchema {
  const choices: Record<string, string[]> = {};
  for (const [name, type] of Object.entries(filePolicySchema.shape as Record<string, z.ZodTypeAny>)) {
    const inner = unwrap(type);
    if (inner instanceof z.ZodEnum) choices[name] = [...(inner.options as string[])];
  }
  return { groups: [...TYPE_GROUPS], choices };
}

/** The stored YAML as a plain object (an empty document is `{}`); null when it is not a map. */
export function yamlDocument(yaml: string): Record<string, unknown> | null {
  let doc: unknown;
  try {
    doc = parseYaml(yaml);
  } catch {
    return null;
  }
  if (doc === null || doc === undefined) return {};
  return typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : null;
}

/** A form-edited document back to YAML (validated by the save like any YAML). */
export function documentYaml(document: Record<string, unknown>): string {
  return stringify(document);
}
