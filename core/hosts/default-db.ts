// Where the database lives: --db, else $RNNWB_DB, else the platform's user-data folder (as Electron's userData).
import os from 'node:os';
import path from 'node:path';

export const APP_DIR = 'rnn-workbench';
export const DB_FILE = 'workbench.sqlite';

/** …/rnn-workbench/workbench.sqlite in %APPDATA% (Windows), ~/Library/Application Support (macOS), $XDG_CONFIG_HOME or ~/.config (Linux). */
export function defaultDbPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env['RNNWB_DB']) return env['RNNWB_DB'];
  const home = os.homedir();
  const base =
    platform === 'win32'
      ? (env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : (env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'));
  return path.join(base, APP_DIR, DB_FILE);
}
