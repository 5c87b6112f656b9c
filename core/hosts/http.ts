// Browser / server mode: POST /api/<method> through the one dispatch, a WebSocket of run events, static UI files.
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WorkbenchApi } from '../api/contract.ts';
import type { RunEvent } from '../api/types.ts';
import { dispatch } from './dispatch.ts';
import { MINIMAL_PAGE } from './minimal-page.ts';

export interface ServeOptions {
  port: number;
  host?: string;
  /** Folder of the built renderer; the minimal page is served when it has no index.html. */
  staticDir?: string;
}

export interface Server {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A workbench as the HTTP host needs it: the contract plus its event stream. */
export interface ServedWorkbench extends WorkbenchApi {
  onRunEvent(cb: (e: RunEvent) => void): () => void;
}

const DEFAULT_STATIC = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
const MAX_BODY = 1 << 20;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Loopback hosts only: refuses DNS-rebinding requests whose Host header names another machine. */
function hostAllowed(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body over 1 MiB'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
  );
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

const STATUS_OF: Record<string, number> = { not_found: 404, conflict: 409, internal: 500, storage_full: 507 };

export async function serve(wb: ServedWorkbench, opts: ServeOptions): Promise<Server> {
  const host = opts.host ?? '127.0.0.1';
  const staticDir = opts.staticDir ?? DEFAULT_STATIC;
  let port = opts.port;

  const server = http.createServer((req, res) => {
    void (async () => {
      if (host === '127.0.0.1' && !hostAllowed(req.headers.host, port))
        return sendJson(res, 403, { ok: false, error: { code: 'invalid_input', message: 'forbidden host' } });
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST')
          return sendJson(res, 405, { ok: false, error: { code: 'invalid_input', message: 'use POST' } });
        let input: unknown;
        try {
          const body = await readBody(req);
          input = body.trim() === '' ? {} : (JSON.parse(body) as unknown);
        } catch (err) {
          return sendJson(res, 400, {
            ok: false,
            error: { code: 'invalid_input', message: `bad request body: ${(err as Error).message}` },
          });
        }
        const result = await dispatch(wb, url.pathname.slice('/api/'.length), input);
        return sendJson(res, result.ok ? 200 : (STATUS_OF[result.error.code] ?? 400), result);
      }
      serveStatic(staticDir, url.pathname, res);
    })().catch((err: unknown) =>
      sendJson(res, 500, { ok: false, error: { code: 'internal', message: String(err) } }),
    );
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/events' || !hostAllowed(req.headers.host, port)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const off = wb.onRunEvent((e) => {
    const text = JSON.stringify({ event: 'run', data: e }, (_k, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    );
    wss.clients.forEach((c: WebSocket) => {
      if (c.readyState === c.OPEN) c.send(text);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        off();
        wss.clients.forEach((c) => c.terminate());
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function serveStatic(dir: string, pathname: string, res: http.ServerResponse): void {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) {
    if (pathname === '/' || pathname === '/index.html') {
      res.writeHead(200, { 'content-type': TYPES['.html']! });
      res.end(MINIMAL_PAGE);
    } else sendJson(res, 404, { ok: false, error: { code: 'not_found', message: pathname } });
    return;
  }
  const file = path.normalize(path.join(dir, decodeURIComponent(pathname)));
  const target = file.startsWith(dir) && existsSync(file) && statSync(file).isFile() ? file : index;
  res.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream' });
  createReadStream(target).pipe(res);
}
