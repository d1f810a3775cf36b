/** zod issues become field errors (field + rule), never a library sentence. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors } from '../../../../gateway/http/admin-context.http.js';

const Schema = z.object({ name: z.string().regex(/^[a-z]+$/), days: z.number().int().max(10), role: z.enum(['staff', 'admin']), links: z.array(z.object({ url: z.string().max(5) })) });

describe('fieldErrors', () => {
  it('names each field and the rule it broke', () => {
    const parsed = Schema.safeParse({ name: '山田 花子', days: '3', role: 'nurse', links: [{ url: 'https://x' }] });
    expect(parsed.success).toBe(false);
    const errors = fieldErrors((parsed as { error: z.ZodError }).error);
    expect(errors).toEqual([
      { field: 'name', rule: 'pattern' },
      { field: 'days', rule: 'number' },
      { field: 'role', rule: 'enum' },
      { field: 'links.0.url', rule: 'max', limit: 5 },
    ]);
    expect(JSON.stringify(errors)).not.toMatch(/Expected|received|Invalid/);
  });

  it('calls a missing field required', () => {
    const parsed = Schema.safeParse({ days: 1, role: 'staff', links: [] });
    expect(fieldErrors((parsed as { error: z.ZodError }).error)).toEqual([{ field: 'name', rule: 'required' }]);
  });
});
