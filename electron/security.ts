// Security policy of the shell as plain functions: CSP, who may call IPC, where a window may go, what it may ask for.
import type { Event, Session, WebContents } from 'electron';

/** The app's origin: the UI is served from this custom scheme and host, never from a web server. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'rnnwb';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Only the app's own files run; nothing is fetched from anywhere else. Styles allow inline because Svelte
 * and Chart.js set style attributes; scripts never do (no inline script, no eval).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response of the app:// protocol, errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/** True for URLs of the app's own origin (scheme and host compared; WHATWG gives custom schemes an opaque origin). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host.toLowerCase() === APP_HOST && u.username === '';
  } catch {
    return false;
  }
}

/** The parts of a frame (WebFrameMain) the sender check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: object | null;
  readonly processId: number;
  readonly routingId: number;
}
/** The parts of the window's WebContents the sender check reads. */
export interface ContentsLike {
  readonly mainFrame: FrameLike;
  isDestroyed(): boolean;
}

/**
 * An IPC call is served only when it comes from the main (top) frame of our window while that frame shows the
 * app's origin: never from an iframe, another window, or a page the window was somehow made to show.
 */
export function isTrustedSender(
  event: { readonly sender: unknown; readonly senderFrame: FrameLike | null },
  contents: ContentsLike | null,
): boolean {
  const frame = event.senderFrame;
  if (!frame || !contents || contents.isDestroyed() || event.sender !== contents) return false;
  const main = contents.mainFrame;
  return (
    frame.parent === null &&
    frame.processId === main.processId &&
    frame.routingId === main.routingId &&
    isAppUrl(frame.url)
  );
}

/** Links the user may follow out of the app, in the system browser; everything else goes nowhere. */
export function externalLink(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** Requests a window may make at all: its own origin, the DevTools' and inline data; nothing remote. */
export function requestAllowed(url: string): boolean {
  try {
    return ['app:', 'devtools:', 'data:', 'blob:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

type NavigationEvent = Pick<Event, 'preventDefault'> & {
  readonly url: string;
  readonly isSameDocument?: boolean;
};

/** What guardWebContents needs of a WebContents (a fake in the tests). */
export interface GuardedContents {
  on(
    event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect',
    cb: (e: NavigationEvent) => void,
  ): unknown;
  on(event: 'will-attach-webview', cb: (e: Pick<Event, 'preventDefault'>) => void): unknown;
  setWindowOpenHandler: WebContents['setWindowOpenHandler'];
}

/**
 * The window never leaves the app: navigations and redirects are refused (an http(s) link opens in the system
 * browser instead), new windows are refused, and no <webview> may attach. In-page (same-document) moves stay.
 */
export function guardWebContents(contents: GuardedContents, openExternal: (url: string) => void): void {
  const refuse = (e: NavigationEvent) => {
    if (e.isSameDocument === true) return;
    e.preventDefault();
    const link = externalLink(e.url);
    if (link !== null) openExternal(link);
  };
  contents.on('will-navigate', refuse);
  contents.on('will-frame-navigate', refuse);
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const link = externalLink(url);
    if (link !== null) openExternal(link);
    return { action: 'deny' };
  });
}

/** What lockDownSession needs of a Session. */
export type LockableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
> & { webRequest: Pick<Session['webRequest'], 'onBeforeRequest'> };

/** Every permission (camera, notifications, clipboard, USB …) is refused, and no request leaves the app. */
export function lockDownSession(session: LockableSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) =>
    callback({ cancel: !requestAllowed(details.url) }),
  );
}
