// Runs torch_check.py (Debian's /usr/bin/python3 with python3-torch) over export cases; skips where torch is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const CHECK = fileURLToPath(new URL('./torch_check.py', import.meta.url));

/** One model to check: its exported files, an input and the workbench's outputs for it. */
export interface TorchCase {
  name: string;
  files: { safetensors: string; npz: string };
  x: { shape: number[]; data: number[] };
  expected: { shape: number[]; data: number[] };
}

/** Why the check cannot run here (no interpreter, no torch), or null. */
export function torchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (!probe.error && probe.status === 0) return null;
  return `${PYTHON} cannot import torch and numpy (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}); install Debian's python3-torch`;
}

/** Loads every case four ways in PyTorch (torch_check.py) and asserts the outputs match; returns its lines. */
export function assertTorchReproduces(t: TestContext, dir: string, cases: readonly TorchCase[]): string[] {
  const casesPath = path.join(dir, 'cases.json');
  fs.writeFileSync(casesPath, JSON.stringify(cases));
  const r = spawnSync(PYTHON, [CHECK, casesPath], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  assert.equal(r.status, 0, `torch_check.py failed:\n${r.stdout}\n${r.stderr}`);
  const summary = JSON.parse(lines.at(-1)!) as { checks: number; failed: number; worstAbsDiff: number };
  assert.equal(summary.failed, 0);
  // Four loads (two readers × two formats) per case.
  assert.equal(summary.checks, 4 * cases.length);
  t.diagnostic(
    `${summary.checks} loads in PyTorch, worst max |diff| ${summary.worstAbsDiff.toExponential(2)}`,
  );
  return lines;
}
