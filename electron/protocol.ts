// The app:// protocol: serves the files of the built renderer (dist/renderer/) with a strict CSP, nothing outside it.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { APP_SCHEME, SECURITY_HEADERS, isAppUrl } from './security.ts';

/** Registered before `ready`: standard (relative URLs, origin), secure (like https), fetch allowed for its own files. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` that an app:// URL names, or null when the URL is not ours or would leave `root`
 * (`..`, encoded `%2e%2e` or `%2f`, backslashes on Windows, NUL bytes, malformed escapes). A folder means its
 * index.html. `p` is the path flavour, so the Windows rules are testable anywhere.
 */
export function resolveAppPath(root: string, url: string, p: path.PlatformPath = path): string | null {
  if (!isAppUrl(url)) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  if (rel === '') rel = '/';
  if (rel.endsWith('/')) rel += 'index.html';
  const base = p.resolve(root);
  const file = p.resolve(base, `.${p.sep}${rel}`);
  const inside = p.relative(base, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${p.sep}`) || p.isAbsolute(inside))
    return null;
  return file;
}

export type ReadFile = (file: string) => Promise<Uint8Array>;

function respond(status: number, body: Uint8Array | string | null, type: string): Response {
  const payload = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return new Response(payload === null ? null : new Blob([new Uint8Array(payload)]), {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-cache' },
  });
}

function missing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}

/**
 * The protocol handler: GET/HEAD of a file under `root`. A path without an extension that names no file gets
 * index.html (client-side routes); a missing asset is a 404. Every response carries the security headers.
 */
export async function handleAppRequest(
  request: { readonly url: string; readonly method: string },
  root: string,
  readFile: ReadFile = (f) => fs.readFile(f),
): Promise<Response> {
  const head = request.method === 'HEAD';
  if (request.method !== 'GET' && !head) return respond(405, 'method not allowed', TYPES['.txt']!);
  const file = resolveAppPath(root, request.url);
  if (file === null) return respond(404, 'not found', TYPES['.txt']!);
  const candidates = path.extname(file) === '' ? [file, path.join(root, 'index.html')] : [file];
  for (const candidate of candidates) {
    try {
      const body = await readFile(candidate);
      return respond(200, head ? null : body, contentType(candidate));
    } catch (err) {
      if (!missing(err)) return respond(500, 'cannot read file', TYPES['.txt']!);
    }
  }
  const index = path.join(root, 'index.html');
  const hint = candidates.includes(index) ? ' (the UI is not built: run npm run build:renderer)' : '';
  return respond(404, `not found${hint}`, TYPES['.txt']!);
}
