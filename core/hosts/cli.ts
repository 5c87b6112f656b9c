#!/usr/bin/env node
// rnnwb: the command-line host. Every command goes through the same dispatch as HTTP and IPC.
import { parseArgs } from 'node:util';
import type { MethodName } from '../api/contract.ts';
import type { ErrorData } from '../api/errors.ts';
import type {
  ArchInfo,
  ExportResult,
  RunDiagnostics,
  RunEvent,
  RunRecord,
  SpectrumInfo,
  TaskInfo,
} from '../api/types.ts';
import { formatDiagnostics, formatSpectrum, readInitFiles, writeExport } from './cli-export.ts';
import { DATASET_OPTIONS, DATASET_USAGE, datasetsCommand, robustnessCommand } from './cli-datasets.ts';
import type { RunSummary } from '../api/contract.ts';
import { isEvalKey } from '../api/types.ts';
import { Workbench } from '../workbench.ts';
import { defaultDbPath } from './default-db.ts';
import { dispatch } from './dispatch.ts';
import { formatRun, formatRunsTable, formatCatalogue, ProgressLine } from './cli-format.ts';

const USAGE = `rnnwb — RNN Workbench from the command line

  rnnwb archs [--json]                   architectures with their config schemas
  rnnwb tasks [--json]                   tasks with their config schemas
  rnnwb train --arch NAME --task NAME [--set key=value …] [--steps N] [--seed N] [--backend NAME] [--json]
              [--dataset NAME] [--epochs N]   real-data tasks: the dataset (default: built-in MNIST), an epoch budget
              [--init-from FILE]         start from exported weights (safetensors, .npz, TF.js model.json)
  rnnwb runs [--json]                    every stored run
  rnnwb show RUN_ID [--json]             config, status, latest metrics, backend
  rnnwb resume RUN_ID [--steps N] [--json]   continue from the last checkpoint
  rnnwb stop RUN_ID                      ask a running run to stop (it checkpoints first)
  rnnwb export RUN_ID --format safetensors|npz|tfjs --out PATH [--step N]
                                         weights at a checkpoint (0: initial) and a model card beside them
  rnnwb diagnostics RUN_ID [--json]      parameters per tensor, gradient norm over time, ms/step, peak memory
  rnnwb spectrum RUN_ID [--step N] [--json]   eigenvalues and singular values of the recurrent matrix
${DATASET_USAGE}
  rnnwb serve [--port N] [--host H]      HTTP API + WebSocket events + the UI on 127.0.0.1

Every command takes --db PATH (default: $RNNWB_DB, else ${defaultDbPath()}).
Backends: auto (default), node-gpu, node, wasm, cpu.`;

/** Exit codes: 0 ok; 1 the run ended other than completed; 2 bad input or any refused call. */
class CliExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}

async function call<T>(wb: Workbench, method: MethodName, input: unknown): Promise<T> {
  const r = await dispatch(wb, method, input);
  if (!r.ok) throw new CliExit(2, errorText(r.error));
  return r.value as T;
}

const errorText = (e: ErrorData) => `rnnwb: ${e.message} [${e.code}]`;

function parseSets(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new CliExit(2, `rnnwb: --set expects key=value, got '${s}'`);
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new CliExit(2, `rnnwb: --${name} expects a non-negative integer, got '${value}'`);
  return n;
}

/** Follow a run started by this process until its runner exits, printing progress; Ctrl-C stops it cleanly. */
async function follow(wb: Workbench, run: RunRecord, json: boolean): Promise<RunRecord> {
  const progress = !json && process.stderr.isTTY ? new ProgressLine(process.stderr, run.spec.steps) : null;
  const off = wb.onRunEvent((e: RunEvent) => {
    if (e.runId !== run.id) return;
    if (json) process.stdout.write(JSON.stringify(e) + '\n');
    else if (progress && e.type === 'metrics') progress.update(e.step, e.values);
    else if (!progress && e.type === 'metrics' && Object.keys(e.values).some(isEvalKey))
      process.stdout.write(
        `step ${e.step}: ${Object.entries(e.values)
          .map(([k, v]) => `${k}=${v.toPrecision(4)}`)
          .join(' ')}\n`,
      );
  });
  const onSigint = () => {
    process.stderr.write(
      `\nrnnwb: stopping run ${run.id} (it saves a checkpoint; Ctrl-C again to abandon)…\n`,
    );
    process.off('SIGINT', onSigint);
    void wb.stopRun({ runId: run.id }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  const final = await wb.waitForRun(run.id);
  process.off('SIGINT', onSigint);
  off();
  progress?.finish();
  return final;
}

function summary(run: RunRecord): Record<string, unknown> {
  return {
    type: 'summary',
    id: run.id,
    status: run.status,
    arch: run.spec.arch,
    task: run.spec.task,
    step: run.step,
    steps: run.spec.steps,
    seed: run.spec.seed,
    backend: run.env?.backend ?? null,
    baseline: run.baseline,
    paramCount: run.paramCount,
    latest: Object.fromEntries(Object.entries(run.latest).map(([k, p]) => [k, p.value])),
    error: run.error,
  };
}

async function main(argv: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      arch: { type: 'string' },
      task: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      steps: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      step: { type: 'string' },
      'init-from': { type: 'string' },
      ...DATASET_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg, arg2] = positionals;
  if (o.help || !command) {
    process.stdout.write(USAGE + '\n');
    return command || o.help ? 0 : 2;
  }
  const dbPath = o.db ?? defaultDbPath();
  const out = (human: string, data: unknown) =>
    process.stdout.write((o.json ? JSON.stringify(data, null, 2) : human) + '\n');
  const needId = () => {
    if (!arg) throw new CliExit(2, `rnnwb: ${command} needs a RUN_ID`);
    return arg;
  };
  const known = [
    'archs',
    'tasks',
    'train',
    'runs',
    'show',
    'resume',
    'stop',
    'serve',
    'export',
    'diagnostics',
    'spectrum',
    'datasets',
    'robustness',
  ];
  if (!known.includes(command)) throw new CliExit(2, `rnnwb: unknown command '${command}'\n\n${USAGE}`);

  const wb = new Workbench({ dbPath });
  try {
    switch (command) {
      case 'archs': {
        const archs = await call<ArchInfo[]>(wb, 'archs', {});
        out(formatCatalogue(archs), archs);
        return 0;
      }
      case 'tasks': {
        const tasks = await call<TaskInfo[]>(wb, 'tasks', {});
        out(formatCatalogue(tasks), tasks);
        return 0;
      }
      case 'runs': {
        const runs = await call<RunRecord[]>(wb, 'runs', {});
        out(formatRunsTable(runs), runs);
        return 0;
      }
      case 'show': {
        const run = await call<RunRecord>(wb, 'run', { runId: needId() });
        out(formatRun(run), run);
        return 0;
      }
      case 'stop': {
        const run = await call<RunRecord>(wb, 'stopRun', { runId: needId() });
        out(`stop requested for run ${run.id}`, { id: run.id, stopRequested: true });
        return 0;
      }
      case 'export': {
        if (!o.format || !o.out)
          throw new CliExit(2, 'rnnwb: export needs --format safetensors|npz|tfjs and --out PATH');
        const step = intOption(o.step, 'step');
        const result = await call<ExportResult>(wb, 'exportWeights', {
          runId: needId(),
          format: o.format,
          ...(step !== undefined ? { step } : {}),
        });
        const paths = writeExport(result, o.out);
        out(
          `run ${result.runId} at step ${result.step} (${result.format}):\n${paths.map((p) => `  ${p}`).join('\n')}`,
          {
            ...result,
            files: result.files.map(({ base64: _, ...f }, i) => ({ ...f, path: paths[i] })),
          },
        );
        return 0;
      }
      case 'datasets': {
        const r = await datasetsCommand((m, i) => call(wb, m, i), arg, arg2, o);
        out(r.human, r.data);
        return 0;
      }
      case 'robustness': {
        const r = await robustnessCommand((m, i) => call(wb, m, i), needId(), o);
        out(r.human, r.data);
        return 0;
      }
      case 'diagnostics': {
        const d = await call<RunDiagnostics>(wb, 'diagnostics', { runId: needId() });
        out(formatDiagnostics(d), d);
        return 0;
      }
      case 'spectrum': {
        const step = intOption(o.step, 'step');
        const s = await call<SpectrumInfo>(wb, 'spectrum', {
          runId: needId(),
          ...(step !== undefined ? { step } : {}),
        });
        out(formatSpectrum(s), s);
        return 0;
      }
      case 'train':
      case 'resume': {
        let run: RunRecord;
        if (command === 'train') {
          if (!o.arch || !o.task) throw new CliExit(2, 'rnnwb: train needs --arch NAME and --task NAME');
          run = await call<RunRecord>(wb, 'startRun', {
            arch: o.arch,
            task: o.task,
            set: parseSets(o.set),
            ...(o.steps !== undefined ? { steps: intOption(o.steps, 'steps') } : {}),
            ...(o.seed !== undefined ? { seed: intOption(o.seed, 'seed') } : {}),
            ...(o.backend !== undefined ? { backend: o.backend } : {}),
            ...(o['init-from'] !== undefined ? { initFrom: readInitFiles(o['init-from']) } : {}),
            ...(o.dataset !== undefined ? { dataset: o.dataset } : {}),
            ...(o.epochs !== undefined ? { epochs: intOption(o.epochs, 'epochs') } : {}),
          });
        } else {
          const steps = intOption(o.steps, 'steps');
          run = await call<RunRecord>(wb, 'resumeRun', {
            runId: needId(),
            ...(steps !== undefined ? { steps } : {}),
          });
        }
        if (!o.json)
          process.stderr.write(
            `run ${run.id}: ${run.spec.arch} on ${run.spec.task}, seed ${run.spec.seed}, ${run.spec.steps} steps, db ${dbPath}\n`,
          );
        const final = await follow(wb, run, o.json);
        // Dataset tasks: the test number as the run's protocol reports it (best-validation or last evaluation).
        const [row] = await call<RunSummary[]>(wb, 'summarize', { runIds: [final.id] });
        const test = row?.test ?? null;
        if (o.json) process.stdout.write(JSON.stringify({ ...summary(final), test }) + '\n');
        else
          process.stdout.write(
            formatRun(final) +
              (test
                ? `\n  reported ${test.metric} = ${test.value.toPrecision(4)} (step ${test.step}, ${test.protocol})`
                : '') +
              '\n',
          );
        return final.status === 'completed' ? 0 : 1;
      }
      case 'serve': {
        const { serve } = await import('./http.ts');
        const port = intOption(o.port, 'port') ?? 8710;
        const server = await serve(wb, { port, host: o.host ?? '127.0.0.1' });
        process.stderr.write(`rnnwb: serving on ${server.url} (db ${dbPath}); Ctrl-C to stop\n`);
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
        await server.close();
        return 0;
      }
    }
    return 2;
  } finally {
    await wb.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliExit) {
      process.stderr.write(err.message + '\n');
      process.exitCode = err.exitCode;
      return;
    }
    const e = err as { code?: string; message?: string };
    // parseArgs and openStore errors are the user's input too: a message, not a stack trace.
    process.stderr.write(`rnnwb: ${e.message ?? String(err)}${e.code ? ` [${e.code}]` : ''}\n`);
    process.exitCode = 2;
  },
);
