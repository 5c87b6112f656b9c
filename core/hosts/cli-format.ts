// Human-readable CLI output: catalogue, runs table, one run, and a progress line for a terminal.
import type { ConfigSchema, ParamSpec } from '../api/params.ts';
import type { CatalogueEntry, RunRecord } from '../api/types.ts';
import { evalKey, isEvalKey, METRIC } from '../api/types.ts';

function rangeText(p: ParamSpec): string {
  if (p.type === 'enum') return p.choices.join('|');
  if (p.type === 'boolean') return 'true|false';
  const lo = p.min === undefined ? '' : `${p.type === 'number' && p.exclusiveMin ? '(' : '['}${p.min}`;
  const hi = p.max === undefined ? '' : `${p.max}]`;
  return `${p.type}${lo || hi ? ` ${lo || '(−∞'}, ${hi || '∞)'}` : ''}`;
}

export function formatSchema(schema: ConfigSchema, indent = '    '): string {
  return Object.entries(schema)
    .map(([k, p]) => `${indent}${k} = ${String(p.default)}  (${rangeText(p)})  ${p.description}`)
    .join('\n');
}

export function formatCatalogue(entries: readonly CatalogueEntry[]): string {
  return entries
    .map((e) => `${e.name} — ${e.title}: ${e.summary}\n  ${e.paper}\n${formatSchema(e.config)}`)
    .join('\n\n');
}

const fmt = (v: number | undefined) =>
  v === undefined ? '-' : Number.isFinite(v) ? v.toPrecision(4) : String(v);

function headline(run: RunRecord): [string, number | undefined] {
  const key = Object.keys(run.latest).find((k) => isEvalKey(k) && k !== evalKey('accuracy')) ?? METRIC.loss;
  return [key, run.latest[key]?.value];
}

export function formatRunsTable(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'no runs yet: start one with `rnnwb train --arch cornn --task adding`';
  const rows = runs.map((r) => {
    const [key, value] = headline(r);
    return [
      r.id,
      r.spec.arch,
      r.spec.task,
      r.status,
      `${r.step}/${r.spec.steps}`,
      `${key}=${fmt(value)}`,
      r.env?.backend ?? '-',
      new Date(r.createdAt).toISOString().slice(0, 16),
    ];
  });
  const header = ['id', 'arch', 'task', 'status', 'steps', 'latest', 'backend', 'created'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatRun(run: RunRecord): string {
  const lines = [
    `run ${run.id}  ${run.spec.arch} on ${run.spec.task}  ${run.status}${run.error ? ` (${run.error})` : ''}`,
    `  step ${run.step}/${run.spec.steps}, seed ${run.spec.seed}, params ${run.paramCount ?? '-'}, baseline ${fmt(run.baseline ?? undefined)}`,
    `  backend ${run.env ? `${run.env.backend} on ${run.env.device} (${run.env.host})` : '-'}`,
    `  arch ${JSON.stringify(run.spec.archConfig)}`,
    `  task ${JSON.stringify(run.spec.taskConfig)}`,
    ...(run.spec.dataset
      ? [
          `  dataset ${run.spec.dataset.name} (${run.spec.dataset.id}, ${run.spec.dataset.format}, sha256 ${run.spec.dataset.sha256.slice(0, 16)}…) ${run.spec.dataset.source}`,
        ]
      : []),
    `  train ${JSON.stringify(run.spec.trainConfig)}`,
    '  latest:',
    ...Object.entries(run.latest).map(([k, p]) => `    ${k} = ${fmt(p.value)} (step ${p.step})`),
  ];
  if (Object.keys(run.tags).length > 0) lines.push(`  tags ${JSON.stringify(run.tags)}`);
  if (run.note) lines.push(`  note ${run.note}`);
  return lines.join('\n');
}

/** One self-rewriting line: bar, step, loss, latest evaluation, speed. */
export class ProgressLine {
  private readonly stream: NodeJS.WriteStream;
  private readonly total: number;
  private lastEval = '';
  private readonly started = Date.now();
  private firstStep: number | null = null;

  constructor(stream: NodeJS.WriteStream, total: number) {
    this.stream = stream;
    this.total = total;
  }

  update(step: number, values: Record<string, number>): void {
    this.firstStep ??= step;
    const evals = Object.entries(values).filter(([k]) => isEvalKey(k));
    if (evals.length > 0) this.lastEval = evals.map(([k, v]) => `${k} ${fmt(v)}`).join(' ');
    const width = 24;
    const done = Math.round((width * step) / Math.max(1, this.total));
    const rate = (step - this.firstStep) / Math.max(1e-3, (Date.now() - this.started) / 1000);
    const loss = values[METRIC.loss];
    this.stream.write(
      `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${step}/${this.total} loss ${fmt(loss)} ${this.lastEval} ${rate.toFixed(2)} steps/s\x1b[K`,
    );
  }

  finish(): void {
    this.stream.write('\n');
  }
}
