// Where the desktop app keeps its database and finds its files (pure: main.ts passes Electron's paths in).
import path from 'node:path';

/** The userData folder name: the same as core/hosts/default-db.ts, so the app and the CLI share one database. */
export const APP_DIR_NAME = 'rnn-workbench';
export const DB_FILE_NAME = 'workbench.sqlite';

/**
 * userData pinned to `<appData>/rnn-workbench`: Electron would otherwise derive it from the product name
 * ("RNN Workbench") in a packaged build and from the package name in development.
 */
export function userDataDir(appData: string): string {
  return path.join(appData, APP_DIR_NAME);
}

/** `$RNNWB_DB` when set, else `<userData>/workbench.sqlite`. */
export function databasePath(env: NodeJS.ProcessEnv, userData: string): string {
  const fromEnv = env['RNNWB_DB'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : path.join(userData, DB_FILE_NAME);
}

/**
 * The built renderer (served as app://) sits in the app folder (the repository in development, app.asar when
 * packaged); the preload is compiled next to main.js.
 */
export function shellPaths(appPath: string, shellDir: string): { rendererDir: string; preload: string } {
  return {
    rendererDir: path.join(appPath, 'dist', 'renderer'),
    preload: path.join(shellDir, 'preload.cjs'),
  };
}
