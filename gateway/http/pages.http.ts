/**
 * HTML shells of the client pages. The server only picks the language and the
 * script; the client builds the page (no inline script, strict CSP).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-service.js';
import { currentSession } from './auth-guard.js';
import { pickLanguage, type Lang } from './language.js';

const TITLES: Record<Lang, string> = { ja: 'kekkai 安全ブラウザ', en: 'kekkai secure browser' };

type PageName = 'login' | 'viewer' | 'password' | 'admin' | 'security';

function shell(page: PageName, lang: Lang): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLES[lang]}</title>
<link rel="stylesheet" href="/assets/kekkai.css">
<script type="module" src="/assets/${page}.js"></script>
</head>
<body data-page="${page}">
<noscript>${lang === 'ja' ? 'JavaScript を有効にしてください。' : 'Please enable JavaScript.'}</noscript>
</body>
</html>
`;
}

/** The page a role lands on after sign-in. */
export function landingPath(role: string): '/' | '/admin' | '/security' {
  return role === 'admin' ? '/admin' : role === 'security' ? '/security' : '/';
}

function langOf(req: FastifyRequest): Lang {
  return pickLanguage((req.query as Record<string, unknown>).lang, req.headers['accept-language']);
}

function sendShell(reply: FastifyReply, page: PageName, lang: Lang): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(shell(page, lang));
}

export function registerPageRoutes(app: FastifyInstance, auth: AuthService): void {
  app.get('/', async (req, reply) => {
    const lang = langOf(req);
    const current = currentSession(auth, req);
    if (!current) return reply.redirect(lang === 'en' ? '/login?lang=en' : '/login');
    if (current.user.mustChangePassword) return reply.redirect(lang === 'en' ? '/password?lang=en' : '/password');
    return sendShell(reply, 'viewer', lang);
  });
  // Console shells need a sign-in; their APIs check the role (gateway/auth/permissions.ts).
  for (const page of ['admin', 'security'] as const) {
    app.get(`/${page}`, async (req, reply) => {
      const lang = langOf(req);
      const current = currentSession(auth, req);
      if (!current) return reply.redirect(lang === 'en' ? '/login?lang=en' : '/login');
      if (current.user.mustChangePassword) return reply.redirect(lang === 'en' ? '/password?lang=en' : '/password');
      return sendShell(reply, page, lang);
    });
  }
  // Where each role works (issue 13): staff browse, admins and security officers open their console.
  app.get('/start', async (req, reply) => {
    const lang = langOf(req);
    const current = currentSession(auth, req);
    const q = lang === 'en' ? '?lang=en' : '';
    if (!current) return reply.redirect(`/login${q}`);
    if (current.user.mustChangePassword) return reply.redirect(`/password${q}`);
    return reply.redirect(`${landingPath(current.user.role)}${q}`);
  });
  app.get('/password', async (req, reply) => {
    const lang = langOf(req);
    if (!currentSession(auth, req)) return reply.redirect(lang === 'en' ? '/login?lang=en' : '/login');
    return sendShell(reply, 'password', lang);
  });
  app.get('/login', async (req, reply) => sendShell(reply, 'login', langOf(req)));
}
