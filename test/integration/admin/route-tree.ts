/** The registered routes, read from Fastify's router (so routes added later are seen too). */
export interface RouteEntry {
  method: string;
  url: string;
}

/** Parses `printRoutes({ commonPrefix: false })`: each label extends its parent's path. */
export function routesOf(tree: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ├└─]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + (depth > 0 && stack[depth - 1] === '/' ? m[2]!.replace(/^\//, '') : m[2]!);
    stack[depth] = path;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      if (method !== 'HEAD') out.push({ method, url: path });
    }
  }
  return out;
}
