// The shell's security policy: CSP, the IPC sender check, navigation / window / permission policies (fakes for Electron).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  externalLink,
  guardWebContents,
  isAppUrl,
  isTrustedSender,
  lockDownSession,
  requestAllowed,
  type FrameLike,
  type GuardedContents,
  type LockableSession,
} from '../../electron/security.ts';

function frame(url: string, over: Partial<FrameLike> = {}): FrameLike {
  return { url, parent: null, processId: 4, routingId: 1, ...over };
}

function contents(main: FrameLike, destroyed = false) {
  return { mainFrame: main, isDestroyed: () => destroyed };
}

describe('content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );

  it('allows nothing by default and scripts only from the app itself', () => {
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'"]);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'none'"]);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
  });

  it('names no remote source, no eval and no inline script anywhere', () => {
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /https?:|\*|unsafe-eval|wasm-unsafe-eval/);
    assert.ok(!directives.get('script-src')!.includes("'unsafe-inline'"));
    assert.ok(!directives.get('connect-src')!.some((s) => s !== "'self'"));
  });
});

describe('isAppUrl', () => {
  const cases: [string, boolean][] = [
    [APP_ENTRY_URL, true],
    ['app://rnnwb/', true],
    ['app://rnnwb/assets/index-abc.js', true],
    ['app://RNNWB/index.html', true],
    ['app://other/index.html', false],
    ['app://rnnwb.evil.com/index.html', false],
    ['app://rnnwb:8080/index.html', false],
    ['app://user@rnnwb/index.html', false],
    ['https://rnnwb/index.html', false],
    ['file:///index.html', false],
    ['http://127.0.0.1:8710/', false],
    ['about:blank', false],
    ['', false],
    ['not a url', false],
  ];
  for (const [url, expected] of cases)
    it(`${JSON.stringify(url)} → ${expected}`, () => assert.equal(isAppUrl(url), expected));
});

describe('isTrustedSender', () => {
  const main = frame(APP_ENTRY_URL);
  const wc = contents(main);

  it('accepts the main frame of the window showing the app', () => {
    assert.equal(isTrustedSender({ sender: wc, senderFrame: main }, wc), true);
    // Electron may hand out a different wrapper object for the same frame: ids decide, not identity.
    assert.equal(isTrustedSender({ sender: wc, senderFrame: frame(`${APP_ENTRY_URL}#runs`) }, wc), true);
  });

  const refused: [string, Parameters<typeof isTrustedSender>[0], Parameters<typeof isTrustedSender>[1]][] = [
    ['no frame (navigated away or destroyed)', { sender: wc, senderFrame: null }, wc],
    ['no window', { sender: wc, senderFrame: main }, null],
    ['a destroyed window', { sender: wc, senderFrame: main }, contents(main, true)],
    ['another WebContents', { sender: contents(main), senderFrame: main }, wc],
    ['a subframe', { sender: wc, senderFrame: frame(APP_ENTRY_URL, { parent: main, routingId: 7 }) }, wc],
    [
      'a subframe claiming no parent',
      { sender: wc, senderFrame: frame(APP_ENTRY_URL, { routingId: 7 }) },
      wc,
    ],
    ['a frame of another process', { sender: wc, senderFrame: frame(APP_ENTRY_URL, { processId: 9 }) }, wc],
    ['a remote page', { sender: wc, senderFrame: frame('https://example.com/') }, wc],
    ['a file page', { sender: wc, senderFrame: frame('file:///tmp/x.html') }, wc],
    ['another app host', { sender: wc, senderFrame: frame('app://evil/index.html') }, wc],
  ];
  for (const [name, event, window] of refused)
    it(`refuses ${name}`, () => assert.equal(isTrustedSender(event, window), false));
});

describe('navigation and window policy', () => {
  it('externalLink passes http(s) only', () => {
    assert.equal(externalLink('https://arxiv.org/abs/2010.00951'), 'https://arxiv.org/abs/2010.00951');
    assert.equal(externalLink('http://example.com/'), 'http://example.com/');
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://rnnwb/x', 'smb://host/share', 'x'])
      assert.equal(externalLink(url), null, url);
  });

  it('requestAllowed lets the app, DevTools and inline data through, nothing remote', () => {
    for (const url of [
      'app://rnnwb/index.html',
      'devtools://devtools/bundled/x.html',
      'data:image/png;base64,AA',
    ])
      assert.equal(requestAllowed(url), true, url);
    for (const url of [
      'https://cdn.example.com/x.js',
      'http://127.0.0.1:8710/api/runs',
      'wss://x',
      'file:///etc/passwd',
    ])
      assert.equal(requestAllowed(url), false, url);
  });

  class FakeContents extends EventEmitter implements GuardedContents {
    openHandler: Parameters<GuardedContents['setWindowOpenHandler']>[0] | null = null;
    setWindowOpenHandler(handler: Parameters<GuardedContents['setWindowOpenHandler']>[0]): void {
      this.openHandler = handler;
    }
  }
  const navEvent = (url: string, isSameDocument = false) => {
    const e = { url, isSameDocument, prevented: false, preventDefault: () => (e.prevented = true) };
    return e;
  };

  it('refuses every navigation and redirect; an http(s) link goes to the system browser instead', () => {
    const wc = new FakeContents();
    const opened: string[] = [];
    guardWebContents(wc, (u) => opened.push(u));
    for (const channel of ['will-navigate', 'will-frame-navigate'] as const) {
      for (const url of ['https://evil.example/', 'app://rnnwb/other.html', 'file:///etc/passwd']) {
        const e = navEvent(url);
        wc.emit(channel, e);
        assert.equal(e.prevented, true, `${channel} ${url}`);
      }
    }
    const redirect = navEvent('https://elsewhere.example/');
    wc.emit('will-redirect', redirect);
    assert.equal(redirect.prevented, true);
    assert.deepEqual(opened, ['https://evil.example/', 'https://evil.example/']);
  });

  it('leaves in-page (same-document) moves alone', () => {
    const wc = new FakeContents();
    guardWebContents(wc, () => assert.fail('nothing to open'));
    const e = navEvent(`${APP_ENTRY_URL}#compare`, true);
    wc.emit('will-frame-navigate', e);
    assert.equal(e.prevented, false);
  });

  it('denies every new window and every <webview>', () => {
    const wc = new FakeContents();
    const opened: string[] = [];
    guardWebContents(wc, (u) => opened.push(u));
    const details = (url: string) =>
      ({
        url,
        frameName: '',
        features: '',
        disposition: 'new-window',
        referrer: {},
        postBody: undefined,
      }) as never;
    assert.deepEqual(wc.openHandler!(details('https://arxiv.org/abs/1511.06464')), { action: 'deny' });
    assert.deepEqual(wc.openHandler!(details('app://rnnwb/index.html')), { action: 'deny' });
    assert.deepEqual(wc.openHandler!(details('file:///etc/passwd')), { action: 'deny' });
    assert.deepEqual(opened, ['https://arxiv.org/abs/1511.06464']);
    const attach = navEvent('');
    wc.emit('will-attach-webview', attach);
    assert.equal(attach.prevented, true);
  });
});

describe('lockDownSession', () => {
  it('refuses every permission request and check, every device, and remote requests', () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: (...args: never[]) => unknown) => (handlers['request'] = h),
      setPermissionCheckHandler: (h: (...args: never[]) => unknown) => (handlers['check'] = h),
      setDevicePermissionHandler: (h: (...args: never[]) => unknown) => (handlers['device'] = h),
      webRequest: { onBeforeRequest: (h: (...args: never[]) => unknown) => (handlers['request-url'] = h) },
    } as unknown as LockableSession;
    lockDownSession(session);

    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      let granted: boolean | null = null;
      (handlers['request'] as (wc: unknown, p: string, cb: (ok: boolean) => void) => void)(
        {},
        permission,
        (ok) => (granted = ok),
      );
      assert.equal(granted, false, permission);
      assert.equal((handlers['check'] as (wc: unknown, p: string) => boolean)({}, permission), false);
    }
    assert.equal((handlers['device'] as (d: unknown) => boolean)({ deviceType: 'usb' }), false);

    const decide = (url: string) => {
      let cancel: boolean | undefined;
      (handlers['request-url'] as (d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void)(
        { url },
        (r) => (cancel = r.cancel),
      );
      return cancel;
    };
    assert.equal(decide('https://fonts.example.com/x.woff2'), true);
    assert.equal(decide('app://rnnwb/assets/x.js'), false);
  });
});
