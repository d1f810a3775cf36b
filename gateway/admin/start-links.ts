/**
 * The hospital's start page for the viewer (issue 12 leftover): a heading and a list of
 * links (title + http/https address) the admin keeps in the console. The viewer shows
 * them over a blank tab; opening one navigates the remote browser, so the URL policy
 * still decides. Stored with the operator settings.
 */
import { z } from 'zod';
import type { SettingsRepository } from '../store/repositories.js';

export const START_LINKS_KEY = 'startLinks';

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'http or https URL');

export const StartLinksSchema = z.object({
  heading: z.string().trim().max(100).default(''),
  links: z.array(z.object({ title: z.string().trim().min(1).max(100), url: httpUrl })).max(30),
});

export type StartLinks = z.infer<typeof StartLinksSchema>;

export function readStartLinks(repo: SettingsRepository): StartLinks {
  const parsed = StartLinksSchema.safeParse(repo.get(START_LINKS_KEY));
  return parsed.success ? parsed.data : { heading: '', links: [] };
}

export function writeStartLinks(repo: SettingsRepository, value: StartLinks): { before: StartLinks; after: StartLinks } {
  const before = readStartLinks(repo);
  repo.set(START_LINKS_KEY, value);
  return { before, after: readStartLinks(repo) };
}
