// Packaging check (npm run check:package): an electron-builder --dir build against a stand-in Electron, then the
// packed app's compiled core run under Node. Not a test: it takes about a minute. Exits 1 when a check fails.
//
//   node bench/package-dir.ts [--skip-build] [--keep]
//
// --skip-build packs the existing dist/ (no build:electron); --keep leaves the output folder for inspection.
// The real Electron binary cannot be downloaded here, so `electronDist` points at a folder holding a fake
// `electron` executable: electron-builder copies it, renames it and writes resources/app.asar(.unpacked) beside it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import asar from '@electron/asar';

const root = fileURLToPath(new URL('../', import.meta.url));
const args = new Set(process.argv.slice(2));
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what}`);
  if (!ok) failures.push(what);
};
const timed = <T>(label: string, f: () => T): T => {
  const t0 = performance.now();
  const out = f();
  console.log(`      ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnwb-package-'));
try {
  if (!args.has('--skip-build')) {
    const build = timed('npm run build:electron', () =>
      spawnSync('npm run --silent build:electron', { cwd: root, stdio: 'inherit', shell: true }),
    );
    check(build.status === 0, 'npm run build:electron');
    if (build.status !== 0)
      throw new Error('build:electron failed: fix it, or pack the existing dist/ with --skip-build');
  }

  const electronDist = path.join(work, 'electron-dist');
  fs.mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
  fs.mkdirSync(path.join(electronDist, 'locales'));
  fs.writeFileSync(path.join(electronDist, 'locales', 'en-US.pak'), '');
  fs.writeFileSync(
    path.join(electronDist, 'electron'),
    '#!/bin/sh\necho "stand-in for the Electron binary"\n',
    {
      mode: 0o755,
    },
  );
  const output = path.join(work, 'out');
  const builder = timed('electron-builder --linux dir --x64', () =>
    spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'electron-builder', 'cli.js'),
        '--linux',
        'dir',
        '--x64',
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${output}`,
      ],
      { cwd: root, encoding: 'utf8' },
    ),
  );
  check(builder.status === 0, `electron-builder exited with ${builder.status}`);
  if (builder.status !== 0) {
    console.log(builder.stdout, builder.stderr);
    throw new Error('electron-builder failed (see its output above)');
  }

  const resources = path.join(output, 'linux-unpacked', 'resources');
  const archive = path.join(resources, 'app.asar');
  check(
    fs.existsSync(path.join(output, 'linux-unpacked', 'rnn-workbench')),
    'executable linux-unpacked/rnn-workbench',
  );
  check(fs.existsSync(archive), 'resources/app.asar');

  // Native code must sit outside the archive: the asar header marks it unpacked and the file lies beside it.
  const sqliteNode = 'node_modules/better-sqlite3/prebuilds/linux-x64.node';
  const unpackedFile = path.join(resources, 'app.asar.unpacked', sqliteNode);
  check(
    fs.existsSync(unpackedFile),
    `better-sqlite3 binary outside the asar: ${path.relative(output, unpackedFile)}`,
  );
  const entry = asar.statFile(archive, sqliteNode, false) as { unpacked?: boolean };
  check(entry.unpacked === true, `app.asar lists ${sqliteNode} as unpacked`);

  const files = new Set(asar.listPackage(archive, { isPack: false }).map((f) => f.replaceAll('\\', '/')));
  for (const f of [
    '/package.json',
    '/dist/electron/electron/main.js',
    '/dist/electron/electron/preload.cjs',
    '/dist/electron/core/runner/child-main.js',
    '/dist/electron/migrations/0001_init.sql',
    '/dist/electron/package.json',
    '/node_modules/better-sqlite3/lib/index.js',
    '/node_modules/@tensorflow/tfjs-core/package.json',
  ])
    check(files.has(f), `app.asar contains ${f}`);
  check(![...files].some((f) => f.endsWith('.map')), 'no source maps packed');
  const foreign = [...files].filter((f) => /better-sqlite3\/prebuilds\/(darwin|win32)-/.test(f));
  check(
    foreign.length === 0,
    `no macOS/Windows better-sqlite3 binaries in the Linux build (${foreign.length})`,
  );
  const manifest = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string };
  check(manifest.main === 'dist/electron/electron/main.js', `package.json main is ${manifest.main}`);

  // Run the packed core as the app would (minus Electron): its imports, migrations, package.json and
  // dependencies must all resolve inside the packed layout. Only here, on the platform it was packed for.
  if (process.platform === 'linux' && process.arch === 'x64') {
    const app = path.join(work, 'app');
    timed('extract app.asar', () => asar.extractAll(archive, app));
    const script = path.join(work, 'smoke.mjs');
    fs.writeFileSync(script, smokeScript(app));
    const smoke = timed('a 5-step run of the packed core', () =>
      spawnSync(process.execPath, [script], { cwd: work, encoding: 'utf8', timeout: 180_000 }),
    );
    console.log(smoke.stdout.trim(), smoke.stderr.trim());
    check(smoke.status === 0 && smoke.stdout.includes('status=completed'), 'packed core completes a run');
  } else console.log('skip  packed-core run (needs linux-x64, the platform packed here)');
} catch (err) {
  check(false, err instanceof Error ? err.message : String(err));
} finally {
  if (args.has('--keep')) console.log(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
console.log(
  failures.length === 0 ? 'package check passed' : `package check FAILED: ${failures.length} check(s)`,
);
process.exitCode = failures.length === 0 ? 0 : 1;

/** A module run by a fresh Node: the packed Workbench with the packed utility launcher over a parentPort shim. */
function smokeScript(app: string): string {
  const url = (p: string) => JSON.stringify(pathToFileURL(p).href);
  return `
    import path from 'node:path';
    const { Workbench } = await import(${url(path.join(app, 'dist/electron/core/workbench.js'))});
    const { utilityLauncher } = await import(${url(path.join(app, 'dist/electron/electron/utility-launcher.js'))});
    const { shimFork } = await import(${url(path.join(root, 'test/electron/shim-fork.ts'))});
    const wb = new Workbench({ dbPath: path.resolve('smoke.sqlite'), launcher: utilityLauncher(shimFork().forkFn) });
    const run = await wb.startRun({ arch: 'gru', task: 'adding', seed: 1, steps: 5, backend: 'cpu',
      set: { seqLen: 8, units: 6, evalSize: 16, evalEvery: 10, checkpointEvery: 5 } });
    const done = await wb.waitForRun(run.id);
    console.log('packed run: status=' + done.status + ' step=' + done.step + ' backend=' + done.env?.backend
      + ' version=' + done.env?.versions?.['rnn-workbench'] + (done.error ? ' error=' + done.error : ''));
    await wb.close();
  `;
}
