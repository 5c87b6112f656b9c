// Electron main process: wires Electron's APIs to the tested modules beside it (window, protocol, IPC, lifecycle).
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell, utilityProcess } from 'electron';
import { Workbench } from '../core/workbench.ts';
import { registerIpc } from './ipc.ts';
import { quitAfterClose, quitsWhenAllWindowsClosed } from './lifecycle.ts';
import { databasePath, shellPaths, userDataDir } from './paths.ts';
import { APP_SCHEME_PRIVILEGES, handleAppRequest } from './protocol.ts';
import { APP_ENTRY_URL, APP_SCHEME, guardWebContents, lockDownSession } from './security.ts';
import { utilityLauncher } from './utility-launcher.ts';
import { windowOptions } from './window.ts';

/** How long quitting waits for a run to checkpoint and stop before its runner is killed. */
const RUNNER_GRACE_MS = 10_000;

const openExternal = (url: string) => void shell.openExternal(url);

// Before 'ready': the privileged scheme, the sandbox for every renderer, the shared userData folder. (These run
// before 'ready' because nothing this module imports uses top-level await; one that did would delay them.)
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
app.setPath('userData', userDataDir(app.getPath('appData')));

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the window and the runners: it is focused (see 'second-instance') and this one leaves.
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  let workbench: Workbench | null = null;
  const paths = shellPaths(app.getAppPath(), import.meta.dirname);

  const createWindow = () => {
    const win = new BrowserWindow(windowOptions(paths.preload, { devTools: !app.isPackaged }));
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null;
    });
    mainWindow = win;
    win.loadURL(APP_ENTRY_URL).catch((err: unknown) => console.error('loading the UI failed:', err));
  };

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, openExternal));

  app.on('second-instance', () => {
    if (!mainWindow) {
      if (workbench) createWindow(); // macOS, all windows closed: the app was still running
      return;
    }
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => {
    if (quitsWhenAllWindowsClosed(process.platform)) app.quit();
  });

  app.on('activate', () => {
    if (app.isReady() && workbench && BrowserWindow.getAllWindows().length === 0) createWindow();
  });

  app.on(
    'before-quit',
    quitAfterClose(
      async () => workbench?.close(RUNNER_GRACE_MS),
      () => app.quit(),
      (err) => console.error('closing the workbench failed:', err),
    ),
  );

  const start = async () => {
    lockDownSession(session.defaultSession);
    protocol.handle(APP_SCHEME, (request) => handleAppRequest(request, paths.rendererDir));
    workbench = new Workbench({
      dbPath: databasePath(process.env, app.getPath('userData')),
      launcher: utilityLauncher((modulePath, args, options) =>
        utilityProcess.fork(modulePath, args, options),
      ),
    });
    registerIpc(ipcMain, workbench, () =>
      mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null,
    );
    createWindow();
  };

  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      // E.g. a database written by a newer version, or not a database: say so and leave it untouched.
      dialog.showErrorBox('RNN Workbench could not start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });
}
