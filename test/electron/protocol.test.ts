// The app:// protocol: path resolution with its traversal guard, and responses that always carry the CSP.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { contentType, handleAppRequest, resolveAppPath } from '../../electron/protocol.ts';
import { CONTENT_SECURITY_POLICY } from '../../electron/security.ts';
import { tempDir } from '../helpers/temp.ts';

describe('resolveAppPath', () => {
  const root = '/opt/app/dist/renderer';
  const ok: [string, string][] = [
    ['app://rnnwb/index.html', 'index.html'],
    ['app://rnnwb/', 'index.html'],
    ['app://rnnwb', 'index.html'],
    ['app://rnnwb/assets/index-Bx1.js', 'assets/index-Bx1.js'],
    ['app://rnnwb/assets/', 'assets/index.html'],
    ['app://rnnwb/a%20b.css', 'a b.css'],
    ['app://rnnwb/index.html?x=1#top', 'index.html'],
    // The URL parser removes dot segments before we see them: this stays inside the root.
    ['app://rnnwb/../../etc/passwd', 'etc/passwd'],
    ['app://rnnwb/%2e%2e/%2e%2e/etc/passwd', 'etc/passwd'],
  ];
  for (const [url, rel] of ok)
    it(`${url} → ${rel}`, () => assert.equal(resolveAppPath(root, url), path.join(root, rel)));

  const refused = [
    'app://rnnwb/..%2F..%2F..%2Fetc%2Fpasswd',
    'app://rnnwb/assets/..%2f..%2f..%2f..%2fetc/passwd',
    'app://rnnwb/%2E%2E%2F%2E%2E%2Fsecret',
    'app://rnnwb/index.html%00.png',
    'app://rnnwb/%E0%A4%A',
    'app://other/index.html',
    'https://rnnwb/index.html',
    'file:///etc/passwd',
  ];
  for (const url of refused) it(`refuses ${url}`, () => assert.equal(resolveAppPath(root, url), null));

  it('refuses a sibling folder that shares the root as a prefix', () => {
    assert.equal(resolveAppPath(root, 'app://rnnwb/..%2Frenderer-secrets%2Fkey'), null);
  });

  it('on Windows, refuses backslash traversal and drive paths', () => {
    const winRoot = 'C:\\Program Files\\RNN Workbench\\resources\\app.asar\\dist\\renderer';
    assert.equal(
      resolveAppPath(winRoot, 'app://rnnwb/assets/main.js', path.win32),
      `${winRoot}\\assets\\main.js`,
    );
    for (const url of [
      'app://rnnwb/..%5C..%5C..%5CWindows%5Cwin.ini',
      'app://rnnwb/assets%5C..%5C..%5C..%5Csecret',
      'app://rnnwb/..%5Crenderer-secrets',
    ])
      assert.equal(resolveAppPath(winRoot, url, path.win32), null, url);
    // A drive letter in the path is just a (missing) file below the root, never C:\ itself.
    const drive = resolveAppPath(winRoot, 'app://rnnwb/C:%5CWindows%5Cwin.ini', path.win32);
    assert.ok(drive === null || drive.startsWith(`${winRoot}\\`), String(drive));
  });
});

describe('handleAppRequest', () => {
  function site(t: Parameters<typeof tempDir>[0]): { root: string; secret: string } {
    const dir = tempDir(t);
    const root = path.join(dir, 'renderer');
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>RNN Workbench</title>');
    fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(root, 'assets', 'app.css'), 'body{}');
    const secret = path.join(dir, 'secret.txt');
    fs.writeFileSync(secret, 'do not serve');
    return { root, secret };
  }
  const get = (url: string, method = 'GET') => ({ url, method });

  it('serves files with their type and the CSP', async (t) => {
    const { root } = site(t);
    const res = await handleAppRequest(get('app://rnnwb/assets/app.js'), root);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await res.text(), 'console.log(1)');
    const index = await handleAppRequest(get('app://rnnwb/'), root);
    assert.match(await index.text(), /RNN Workbench/);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  });

  it('puts the CSP on every response: 404, 405, refused paths', async (t) => {
    const { root } = site(t);
    const responses = await Promise.all([
      handleAppRequest(get('app://rnnwb/assets/missing.js'), root),
      handleAppRequest(get('app://rnnwb/..%2Fsecret.txt'), root),
      handleAppRequest(get('app://rnnwb/index.html', 'POST'), root),
      handleAppRequest(get('app://elsewhere/index.html'), root),
    ]);
    assert.deepEqual(
      responses.map((r) => r.status),
      [404, 404, 405, 404],
    );
    for (const r of responses)
      assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  });

  it('never serves a file outside the root', async (t) => {
    const { root } = site(t);
    const read: string[] = [];
    for (const url of [
      'app://rnnwb/..%2Fsecret.txt',
      'app://rnnwb/%2e%2e/secret.txt',
      'app://rnnwb/..%5Csecret.txt',
    ]) {
      const res = await handleAppRequest(get(url), root, async (f) => {
        read.push(f);
        return fs.promises.readFile(f);
      });
      assert.notEqual(await res.text(), 'do not serve', url);
    }
    assert.ok(
      read.every((f) => f.startsWith(root + path.sep)),
      read.join(', '),
    );
  });

  it('answers HEAD without a body', async (t) => {
    const { root } = site(t);
    const res = await handleAppRequest(get('app://rnnwb/assets/app.css', 'HEAD'), root);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(await res.text(), '');
  });

  it('gives client-side routes (no extension) index.html, but a missing asset a 404', async (t) => {
    const { root } = site(t);
    const route = await handleAppRequest(get('app://rnnwb/runs/compare'), root);
    assert.equal(route.status, 200);
    assert.match(await route.text(), /RNN Workbench/);
    assert.equal((await handleAppRequest(get('app://rnnwb/assets/gone.css'), root)).status, 404);
  });

  it('says how to build the UI when it is missing', async (t) => {
    const res = await handleAppRequest(get('app://rnnwb/'), path.join(tempDir(t), 'nothing'));
    assert.equal(res.status, 404);
    assert.match(await res.text(), /npm run build:renderer/);
  });

  it('turns a read error other than "missing" into a 500, still with the CSP', async (t) => {
    const { root } = site(t);
    const res = await handleAppRequest(get('app://rnnwb/index.html'), root, () =>
      Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })),
    );
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  });

  it('knows the types a Vite build emits', () => {
    assert.equal(contentType('a/b/index-1.js'), 'text/javascript; charset=utf-8');
    assert.equal(contentType('x.WOFF2'), 'font/woff2');
    assert.equal(contentType('x.wasm'), 'application/wasm');
    assert.equal(contentType('x.unknown'), 'application/octet-stream');
  });
});
