// Window options, paths and lifecycle of the shell: the Electron security checklist and a quit that waits for runners.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultDbPath } from '../../core/hosts/default-db.ts';
import { writeBuildAssets } from '../../electron/build-assets.ts';
import { quitAfterClose, quitsWhenAllWindowsClosed } from '../../electron/lifecycle.ts';
import { databasePath, shellPaths, userDataDir } from '../../electron/paths.ts';
import { windowOptions } from '../../electron/window.ts';
import { tempDir } from '../helpers/temp.ts';

describe('windowOptions', () => {
  it('isolates and sandboxes the renderer, with no Node and web security on', () => {
    const prefs = windowOptions('/app/preload.cjs', { devTools: false }).webPreferences!;
    assert.equal(prefs.preload, '/app/preload.cjs');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal(prefs.navigateOnDragDrop, false);
    assert.equal(prefs.devTools, false);
    assert.equal(windowOptions('/p', { devTools: true }).webPreferences!.devTools, true);
  });

  it('shows the window only once it has painted', () => {
    assert.equal(windowOptions('/p', { devTools: false }).show, false);
  });
});

describe('paths', () => {
  it('puts the database in userData unless RNNWB_DB is set', () => {
    const userData = path.join('/home/u/.config', 'rnn-workbench');
    assert.equal(databasePath({}, userData), path.join(userData, 'workbench.sqlite'));
    assert.equal(databasePath({ RNNWB_DB: '/data/wb.sqlite' }, '/ud'), '/data/wb.sqlite');
    assert.equal(databasePath({ RNNWB_DB: '' }, '/ud'), path.join('/ud', 'workbench.sqlite'));
  });

  it('uses the same database as the CLI (core/hosts/default-db.ts) on every platform', () => {
    // Electron's appData: $XDG_CONFIG_HOME or ~/.config, ~/Library/Application Support, %APPDATA%.
    const cases: [NodeJS.Platform, NodeJS.ProcessEnv, string][] = [
      ['linux', { XDG_CONFIG_HOME: '/xdg' }, '/xdg'],
      ['win32', { APPDATA: '/roaming' }, '/roaming'],
    ];
    for (const [platform, env, appData] of cases)
      assert.equal(databasePath({}, userDataDir(appData)), defaultDbPath(env, platform), platform);
    const mac = defaultDbPath({}, 'darwin');
    assert.equal(databasePath({}, userDataDir(path.dirname(path.dirname(mac)))), mac);
  });

  it('finds the renderer in the app folder and the preload beside main.js', () => {
    const p = shellPaths('/opt/RNN Workbench/resources/app.asar', '/opt/x/dist/electron/electron');
    assert.equal(p.rendererDir, path.join('/opt/RNN Workbench/resources/app.asar', 'dist', 'renderer'));
    assert.equal(p.preload, path.join('/opt/x/dist/electron/electron', 'preload.cjs'));
  });
});

describe('quitAfterClose', () => {
  const event = () => {
    const e = { prevented: false, preventDefault: () => (e.prevented = true) };
    return e;
  };

  it('holds the first quit until the workbench is closed, then quits for real', async () => {
    let finishClose!: () => void;
    const closing = new Promise<void>((resolve) => (finishClose = resolve));
    let closes = 0;
    let quits = 0;
    const onQuit = quitAfterClose(
      () => {
        closes++;
        return closing;
      },
      () => quits++,
    );
    const first = event();
    onQuit(first);
    assert.equal(first.prevented, true);
    const again = event();
    onQuit(again); // a second Cmd+Q while runners checkpoint
    assert.equal(again.prevented, true);
    assert.equal(closes, 1);
    assert.equal(quits, 0);
    finishClose();
    await closing;
    await new Promise((r) => setImmediate(r));
    assert.equal(quits, 1);
    const last = event();
    onQuit(last); // the quit that quitAfterClose issued itself
    assert.equal(last.prevented, false);
    assert.equal(closes, 1);
  });

  it('still quits when closing fails, and reports why', async () => {
    const errors: unknown[] = [];
    let quits = 0;
    const onQuit = quitAfterClose(
      () => Promise.reject(new Error('disk full')),
      () => quits++,
      (err) => errors.push(err),
    );
    onQuit(event());
    await new Promise((r) => setImmediate(r));
    assert.equal(quits, 1);
    assert.match(String(errors[0]), /disk full/);
  });

  it('keeps the app alive without windows on macOS only', () => {
    assert.equal(quitsWhenAllWindowsClosed('darwin'), false);
    assert.equal(quitsWhenAllWindowsClosed('linux'), true);
    assert.equal(quitsWhenAllWindowsClosed('win32'), true);
  });
});

describe('writeBuildAssets', () => {
  it('puts the migrations and an ES-module package.json where the compiled core looks for them', (t) => {
    const out = tempDir(t);
    const root = path.resolve(import.meta.dirname, '../..');
    fs.mkdirSync(path.join(out, 'migrations'));
    fs.writeFileSync(path.join(out, 'migrations', '0099_stale.sql'), '-- removed by the copy');
    writeBuildAssets(root, out);
    assert.deepEqual(
      fs.readdirSync(path.join(out, 'migrations')),
      fs.readdirSync(path.join(root, 'migrations')),
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(pkg['type'], 'module');
    assert.equal(pkg['version'], rootPkg.version);
    assert.equal(pkg['main'], undefined);
  });
});
