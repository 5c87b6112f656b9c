// After tsc: put next to the compiled core what core finds relative to its own modules (run by build:electron).
// core/storage/migrate.ts reads ../../migrations/ and core/engine/backend.ts reads ../../package.json; compiled to
// dist/electron/core/…, both resolve inside dist/electron/, so the migrations and a package.json go there.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function writeBuildAssets(repoRoot: string, outDir: string): void {
  const migrations = path.join(outDir, 'migrations');
  fs.rmSync(migrations, { recursive: true, force: true });
  fs.cpSync(path.join(repoRoot, 'migrations'), migrations, { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  // Only what the compiled code reads (its version) and needs (ES modules); not a second app manifest.
  const manifest = { name: `${pkg.name}-build`, version: pkg.version, private: true, type: 'module' };
  fs.writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../', import.meta.url));
  writeBuildAssets(root, path.join(root, 'dist', 'electron'));
}
