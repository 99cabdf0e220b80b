/**
 * Serves the built console (console/dist) from the embedded default's origin: `/` is the
 * app, `/assets/*` its files. Everything else is left to the API. Only names Vite writes
 * are served, so no path can reach outside the directory.
 */
import { createReadStream, existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
};

/**
 * The console's own headers: no inline script or style, no framing, calls only to this
 * origin. (On AWS, CloudFront's response headers policy sets the same.)
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Answers a console request and says so; false for anything that is not the console's. */
export function serveConsole(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  dir: string,
): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (pathname === '/config.json') {
    // How this deployment signs in and follows changes (console/src/session.ts, ConsoleConfig).
    res.writeHead(200, {
      ...CONSOLE_HEADERS,
      'content-type': 'application/json',
      'cache-control': 'no-cache',
    });
    res.end(JSON.stringify({ auth: 'token', live: 'sse' }));
    return true;
  }
  const name =
    pathname === '/' || pathname === '/index.html'
      ? 'index.html'
      : /^\/assets\/([\w.-]+)$/.exec(pathname)?.[1];
  if (!name || name.startsWith('.')) return false;
  const file = name === 'index.html' ? join(dir, name) : join(dir, 'assets', name);
  if (!existsSync(file)) {
    if (name !== 'index.html') return false;
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The console is not built yet: run `npm run console:build`, or restart with `npm start`.\n');
    return true;
  }
  res.writeHead(200, {
    ...CONSOLE_HEADERS,
    'content-type': TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream',
    // Asset names carry a content hash; index.html must be read again after each build.
    'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(file).pipe(res);
  return true;
}
