// The renderer bundles no Node code: from core/ it imports only API types, the dependency-free modules
// core/api/params.ts (validators) and core/api/types.ts (status lists), and core/compare/ (pure functions
// that themselves import only core/api).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function filesUnder(dir: string, ext: RegExp): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => ext.test(f))
    .map((f) => path.join(dir, f));
}

/** Every `import … from '…'` of a file: its specifier and whether it imports types only. */
function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/import\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => ({
    spec: m[2]!,
    typeOnly: m[1] !== undefined,
  }));
}

describe('renderer imports', () => {
  it('takes only types, params.ts, types.ts and core/compare from core/', () => {
    const bad: string[] = [];
    for (const file of filesUnder(path.join(ROOT, 'renderer', 'src'), /\.(ts|svelte)$/))
      for (const { spec, typeOnly } of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
        if (!target.startsWith('core')) continue;
        const ok =
          target === path.join('core', 'api', 'params.ts') ||
          target === path.join('core', 'api', 'types.ts') ||
          target.startsWith(path.join('core', 'compare') + path.sep) ||
          (typeOnly && target.startsWith(path.join('core', 'api') + path.sep));
        if (!ok) bad.push(`${path.relative(ROOT, file)} imports ${target}${typeOnly ? ' (types)' : ''}`);
      }
    assert.deepEqual(bad, []);
  });

  it('core/compare imports only core/api (no schemas) and itself', () => {
    const bad: string[] = [];
    for (const file of filesUnder(path.join(ROOT, 'core', 'compare'), /\.ts$/))
      for (const { spec } of importsOf(file))
        if (!/^\.\.\/api\/(types|contract|params|errors)\.ts$/.test(spec) && !/^\.\/[\w-]+\.ts$/.test(spec))
          bad.push(`${path.relative(ROOT, file)} imports ${spec}`);
    assert.deepEqual(bad, []);
  });
});
