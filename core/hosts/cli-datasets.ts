// CLI commands of the data side: `rnnwb datasets [import PATH | delete ID]` and `rnnwb robustness RUN_ID`.
import type { ImportDatasetInput, MethodName, RobustnessInput } from '../api/contract.ts';
import type { DatasetFormat, DatasetRecord, Perturbation, RobustnessCurve } from '../api/types.ts';
import { DATASET_FORMATS, PERTURBATIONS } from '../api/types.ts';

export const DATASET_USAGE = `  rnnwb datasets [--json]                imported datasets (and the built-in MNIST)
  rnnwb datasets import PATH [--format idx|cifar10|npy|npz|csv] [--name NAME] [--kind classification|regression]
        npy: --labels Y.npy   npz: [--x-key K] [--y-key K] [--lengths-key K]
        csv: [--id-col C] [--time-col C] [--label-col C] [--feature-cols A,B,…] [--delimiter D]
  rnnwb datasets delete NAME_OR_ID
  rnnwb robustness RUN_ID --kind gaussian|multiplicative|salt-pepper --levels 0,0.1,0.2 [--seed N] [--limit N] [--json]
                                         test accuracy of a trained run under input noise, per level (stored)`;

/** parseArgs options these commands add (--dataset and --epochs are train's). */
export const DATASET_OPTIONS = {
  dataset: { type: 'string' },
  epochs: { type: 'string' },
  name: { type: 'string' },
  kind: { type: 'string' },
  labels: { type: 'string' },
  'x-key': { type: 'string' },
  'y-key': { type: 'string' },
  'lengths-key': { type: 'string' },
  'id-col': { type: 'string' },
  'time-col': { type: 'string' },
  'label-col': { type: 'string' },
  'feature-cols': { type: 'string' },
  delimiter: { type: 'string' },
  levels: { type: 'string' },
  limit: { type: 'string' },
} as const;

type Flags = Partial<Record<keyof typeof DATASET_OPTIONS | 'format' | 'seed', string | undefined>>;
export type Call = <T>(method: MethodName, input: unknown) => Promise<T>;
export interface Output {
  human: string;
  data: unknown;
}

/** Flag → import option, per format. */
const OPTION_FLAGS: [keyof Flags, string][] = [
  ['labels', 'labels'],
  ['x-key', 'xKey'],
  ['y-key', 'yKey'],
  ['lengths-key', 'lengthsKey'],
  ['id-col', 'idColumn'],
  ['time-col', 'timeColumn'],
  ['label-col', 'labelColumn'],
  ['feature-cols', 'featureColumns'],
  ['delimiter', 'delimiter'],
  ['kind', 'kind'],
];

const fmtNum = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));

export function formatDataset(d: DatasetRecord): string {
  const s = d.shape;
  const len = s.minSeqLen === s.seqLen ? String(s.seqLen) : `${s.minSeqLen}–${s.seqLen}`;
  const lines = [
    `${d.name}  (${d.builtin ? 'built-in' : d.id})  ${d.format}, ${d.kind}`,
    `  ${s.examples} examples${s.testExamples ? ` + ${s.testExamples} test` : ''}, length ${len}, ${s.inputDim} features/step, ` +
      (s.classes !== null ? `${s.classes} classes` : `${s.targetDim} targets`),
    `  source ${d.source}`,
    `  sha256 ${d.sha256}  (${(d.bytes / 1e6).toFixed(1)} MB)`,
    `  feature mean ${d.stats.featureMean.slice(0, 6).map(fmtNum).join(', ')}${d.stats.featureMean.length > 6 ? ' …' : ''}` +
      `, std ${d.stats.featureStd.slice(0, 6).map(fmtNum).join(', ')}${d.stats.featureStd.length > 6 ? ' …' : ''}`,
  ];
  if (Object.keys(d.options).length > 0) lines.push(`  options ${JSON.stringify(d.options)}`);
  return lines.join('\n');
}

function nonNegInt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} expects a non-negative integer, got '${v}'`);
  return n;
}

/** `rnnwb datasets`, `rnnwb datasets import PATH …`, `rnnwb datasets delete ID`. */
export async function datasetsCommand(
  call: Call,
  sub: string | undefined,
  target: string | undefined,
  f: Flags,
): Promise<Output> {
  if (sub === undefined || sub === 'list') {
    const list = await call<DatasetRecord[]>('datasets', {});
    return { human: list.map(formatDataset).join('\n\n'), data: list };
  }
  if (sub === 'delete') {
    if (!target) throw new Error('datasets delete needs a NAME or ID');
    const r = await call<{ deleted: string }>('deleteDataset', { datasetId: target });
    return { human: `deleted dataset ${r.deleted}`, data: r };
  }
  if (sub !== 'import') throw new Error(`unknown datasets command '${sub}' (list, import, delete)`);
  if (!target) throw new Error('datasets import needs a PATH (a file, or a folder of IDX or CIFAR-10 files)');
  if (f.format !== undefined && !(DATASET_FORMATS as readonly string[]).includes(f.format))
    throw new Error(`--format must be one of ${DATASET_FORMATS.join(', ')}, not '${f.format}'`);
  const options: Record<string, string> = {};
  for (const [flag, key] of OPTION_FLAGS) if (f[flag] !== undefined) options[key] = f[flag];
  const input: ImportDatasetInput = {
    path: target,
    ...(f.format !== undefined ? { format: f.format as DatasetFormat } : {}),
    ...(f.name !== undefined ? { name: f.name } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
  const d = await call<DatasetRecord>('importDataset', input);
  return { human: `imported\n${formatDataset(d)}`, data: d };
}

export function formatCurve(c: RobustnessCurve): string {
  const rows = c.points.map(
    (p) =>
      `  ${fmtNum(p.level).padStart(8)}  ${p.accuracy === null ? '-'.padStart(8) : p.accuracy.toFixed(4).padStart(8)}  ${p.loss.toPrecision(4)}`,
  );
  return [
    `run ${c.runId}: ${c.kind} noise, checkpoint step ${c.step}, ${c.examples} test examples, seed ${c.seed}`,
    `     level  accuracy  loss`,
    ...rows,
  ].join('\n');
}

/** `rnnwb robustness RUN_ID --kind K --levels a,b,c [--seed N] [--limit N]`. */
export async function robustnessCommand(call: Call, runId: string, f: Flags): Promise<Output> {
  const kind = f.kind ?? 'gaussian';
  if (!(PERTURBATIONS as readonly string[]).includes(kind))
    throw new Error(`--kind must be one of ${PERTURBATIONS.join(', ')}, not '${kind}'`);
  const levels = (f.levels ?? '0,0.05,0.1,0.2,0.3').split(',').map((s) => Number(s.trim()));
  if (levels.some((l) => !Number.isFinite(l) || l < 0))
    throw new Error(`--levels expects comma-separated non-negative numbers, got '${f.levels}'`);
  const seed = nonNegInt(f.seed, 'seed');
  const limit = nonNegInt(f.limit, 'limit');
  const input: RobustnessInput = {
    runId,
    kind: kind as Perturbation,
    levels,
    ...(seed !== undefined ? { seed } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
  const c = await call<RobustnessCurve>('robustness', input);
  return { human: formatCurve(c), data: c };
}
