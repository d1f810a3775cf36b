/** Where each role may go: the browser for everyone, and the console of its role. */
import { langQuery, t } from './i18n.js';

export type Place = 'viewer' | 'admin' | 'security';

/** Links to the places a role may open, for the header and the viewer's toolbar. */
export function placesFor(role: string): Array<{ href: string; text: string; page: Place }> {
  const q = langQuery();
  const places: Array<{ href: string; text: string; page: Place }> = [{ href: `/${q}`, text: t('nav.viewer'), page: 'viewer' }];
  if (role === 'admin') places.push({ href: `/admin${q}`, text: t('nav.adminConsole'), page: 'admin' });
  if (role === 'security') places.push({ href: `/security${q}`, text: t('nav.securityConsole'), page: 'security' });
  return places;
}

