// The CLI's side of exports, imports and diagnostics: files on disk to and from the contract, and their human output.
import fs from 'node:fs';
import path from 'node:path';
import type { WeightFilesInput } from '../api/contract.ts';
import { WorkbenchError } from '../api/errors.ts';
import type { ExportResult, RunDiagnostics, SpectrumInfo } from '../api/types.ts';

/**
 * Writes an export's files. `out` is a folder (it exists, ends with a separator, or the format is TF.js, whose export
 * is several files): every file goes in under its own name. Otherwise `out` is the weight file's path and the model
 * card goes beside it as `<out without extension>.card.json`. Returns the paths written.
 */
export function writeExport(result: ExportResult, out: string): string[] {
  const isDir =
    result.format === 'tfjs' ||
    out.endsWith('/') ||
    out.endsWith(path.sep) ||
    fs.statSync(out, { throwIfNoEntry: false })?.isDirectory() === true;
  const card = result.files.find((f) => f.name.endsWith('.card.json'));
  const written: string[] = [];
  const write = (p: string, base64: string) => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, Buffer.from(base64, 'base64'));
    written.push(p);
  };
  if (isDir) {
    for (const f of result.files) write(path.join(out, f.name), f.base64);
    return written;
  }
  const weights = result.files.filter((f) => f !== card);
  if (weights.length !== 1)
    throw new WorkbenchError('invalid_input', `a ${result.format} export is a folder: give --out DIR`);
  write(out, weights[0]!.base64);
  if (card) write(out.replace(/(\.[^./\\]*)?$/, '.card.json'), card.base64);
  return written;
}

/**
 * The files of `--init-from PATH`: the file itself, or for a TF.js model.json the manifest and the shards it names
 * (from its folder).
 */
export function readInitFiles(file: string): WeightFilesInput {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (err) {
    throw new WorkbenchError('invalid_input', `cannot read ${file}: ${(err as Error).message}`);
  }
  const files = [{ name: path.basename(file), base64: data.toString('base64') }];
  if (file.endsWith('.json')) {
    let manifest: { weightsManifest?: { paths?: unknown }[] };
    try {
      manifest = JSON.parse(data.toString('utf8')) as typeof manifest;
    } catch {
      throw new WorkbenchError('invalid_input', `${file}: not JSON (a TF.js model.json was expected)`);
    }
    for (const group of manifest.weightsManifest ?? [])
      for (const p of Array.isArray(group.paths) ? group.paths : []) {
        if (typeof p !== 'string' || p.includes('..')) continue;
        const shard = path.join(path.dirname(file), p);
        if (fs.existsSync(shard)) files.push({ name: p, base64: fs.readFileSync(shard).toString('base64') });
      }
  }
  return { files };
}

const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined ? '—' : Number.isFinite(v) ? v.toExponential(digits) : String(v);

/** Parameters per tensor, then one line per probe: ‖∂L/∂h_1‖, ‖∂L/∂h_T‖ and their ratio, then speed and memory. */
export function formatDiagnostics(d: RunDiagnostics): string {
  const lines = [
    `run ${d.runId}: ${d.paramCount} parameters (${d.effectiveParamCount} as the papers count them)`,
  ];
  const width = Math.max(...d.params.map((p) => p.name.length));
  for (const p of d.params)
    lines.push(
      `  ${p.name.padEnd(width)}  [${p.shape.join(', ')}]`.padEnd(width + 22) +
        `${String(p.count).padStart(9)}  ${p.doc}`,
    );
  lines.push(
    d.diagEvery === null
      ? 'gradient over time: off for this run (diagEvery = 0)'
      : `gradient over time (probe batch ${d.probeBatch}, every ${d.diagEvery} steps):`,
  );
  if (d.probes.length > 0) lines.push('  step      ‖∂L/∂h_1‖   ‖∂L/∂h_T‖   ratio       ‖h_T‖');
  for (const p of d.probes) {
    const first = p.gradNorms[0];
    const last = p.gradNorms[p.gradNorms.length - 1];
    const ratio = first !== undefined && last !== undefined ? first / last : null;
    lines.push(
      `  ${String(p.step).padEnd(9)} ${fmt(first, 2).padEnd(11)} ${fmt(last, 2).padEnd(11)} ${fmt(ratio, 2).padEnd(11)} ${fmt(p.stateNorms.at(-1), 2)}`,
    );
  }
  lines.push(
    `median ms/step: ${d.medianStepMs === null ? '—' : d.medianStepMs.toFixed(1)}   peak memory: ${d.peakRssMb === null ? '—' : `${d.peakRssMb.toFixed(0)} MiB`}`,
  );
  return lines.join('\n');
}

/** The spectrum's extremes and the eigenvalues nearest the unit circle from either side. */
export function formatSpectrum(s: SpectrumInfo): string {
  const moduli = s.re.map((re, i) => Math.hypot(re, s.im[i]!));
  const outside = moduli.filter((m) => m > 1 + 1e-6).length;
  const inside = moduli.filter((m) => m < 1 - 1e-6).length;
  return [
    `run ${s.runId} at step ${s.step}: ${s.what}, ${s.n} × ${s.n}`,
    `spectral radius max|λ| = ${s.spectralRadius.toPrecision(6)}; |λ| > 1: ${outside}, |λ| ≈ 1: ${s.n - outside - inside}, |λ| < 1: ${inside}`,
    `singular values: max ${s.singularValues[0]?.toPrecision(6) ?? '—'}, min ${s.singularValues.at(-1)?.toPrecision(6) ?? '—'}`,
  ].join('\n');
}
