// The New-run form: architectures, task, every hyper-parameter as typed, seed, steps and backend; checked inline.
import type { StartRunInput } from '../../../../core/api/contract.ts';
import { defaultsOf, type Config, type ConfigSchema } from '../../../../core/api/params.ts';
import type { RunRecord } from '../../../../core/api/types.ts';
import { fieldOf, fieldProblem, integerProblem, parseField, type FieldValue } from '../form.ts';
import { catalogue } from './catalogue.svelte.ts';

/** A group of fields: 'task', 'arch:<name>' or 'train:<name>' (training defaults differ per architecture). */
export type Scope = string;
export interface Problem {
  scope: Scope;
  key: string;
  message: string;
}

const MAX_SEED = 2 ** 32 - 1;
const asFields = (c: Config) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, fieldOf(v)]));

class NewRunForm {
  archs = $state.raw<string[]>([]);
  task = $state.raw('');
  values = $state.raw<Record<Scope, Record<string, FieldValue>>>({});
  seed = $state.raw('');
  steps = $state.raw('');
  backend = $state.raw('auto');
  /** Dataset id of a real-data task; '' for the task's built-in dataset (MNIST). */
  dataset = $state.raw('');
  /** The re-run this form was filled from, if any. */
  from = $state.raw<string | null>(null);

  problems = $derived.by((): Problem[] => {
    const out: Problem[] = [];
    if (this.archs.length === 0)
      out.push({ scope: 'run', key: 'archs', message: 'pick at least one architecture' });
    const task = catalogue.task(this.task);
    if (!task) out.push({ scope: 'run', key: 'task', message: 'pick a task' });
    if (task?.dataset && !task.dataset.builtin && this.dataset === '')
      out.push({ scope: 'run', key: 'dataset', message: 'choose a dataset (import one first)' });
    for (const scope of this.scopes())
      for (const [key, spec] of Object.entries(this.schemaOf(scope))) {
        const message = fieldProblem(spec, this.values[scope]?.[key] ?? fieldOf(spec.default));
        if (message) out.push({ scope, key, message });
      }
    const seed = integerProblem(this.seed, 0, MAX_SEED, true);
    if (seed) out.push({ scope: 'run', key: 'seed', message: seed });
    const steps = integerProblem(this.steps, 1, 1e9, false);
    if (steps) out.push({ scope: 'run', key: 'steps', message: steps });
    return out;
  });

  /** Fills what is still empty with the catalogue's defaults (first visit). */
  ensureDefaults(): void {
    if (!catalogue.loaded) return;
    if (!catalogue.task(this.task)) this.setTask(catalogue.tasks[0]?.name ?? '');
    // coRNN on the adding problem is the workbench's reference pairing (README quick start).
    const first = catalogue.arch('cornn') ?? catalogue.archs[0];
    if (this.archs.length === 0 && first) this.toggleArch(first.name, true);
    if (this.steps === '') this.steps = String(catalogue.training?.defaultSteps ?? 1000);
  }

  scopes(): Scope[] {
    return ['task', ...this.archs.flatMap((a) => [`arch:${a}`, `train:${a}`])];
  }

  schemaOf(scope: Scope): ConfigSchema {
    if (scope === 'task') return catalogue.task(this.task)?.config ?? {};
    const [kind, name = ''] = scope.split(':');
    if (kind === 'arch') return catalogue.arch(name)?.config ?? {};
    return catalogue.training?.config ?? {};
  }

  toggleArch(name: string, on: boolean): void {
    const arch = catalogue.arch(name);
    if (!arch) return;
    if (!on) {
      this.archs = this.archs.filter((a) => a !== name);
      return;
    }
    if (this.archs.includes(name)) return;
    this.archs = [...this.archs, name];
    this.values = {
      ...this.values,
      [`arch:${name}`]: this.values[`arch:${name}`] ?? asFields(defaultsOf(arch.config)),
      [`train:${name}`]:
        this.values[`train:${name}`] ??
        asFields({ ...defaultsOf(catalogue.training?.config ?? {}), ...arch.trainDefaults }),
    };
  }

  setTask(name: string): void {
    this.task = name;
    this.dataset = '';
    this.values = { ...this.values, task: asFields(defaultsOf(catalogue.task(name)?.config ?? {})) };
  }

  set(scope: Scope, key: string, v: FieldValue): void {
    this.values = { ...this.values, [scope]: { ...this.values[scope], [key]: v } };
  }

  /** Back to the catalogue's defaults for everything picked. */
  reset(): void {
    const archs = this.archs;
    this.values = {};
    this.archs = [];
    this.from = null;
    this.seed = '';
    this.steps = String(catalogue.training?.defaultSteps ?? 1000);
    this.backend = 'auto';
    this.setTask(this.task);
    for (const a of archs) this.toggleArch(a, true);
  }

  /** The exact config, seed, budget and backend of an earlier run (Re-run). */
  prefill(run: RunRecord): void {
    const { spec } = run;
    this.archs = [spec.arch];
    this.task = spec.task;
    this.values = {
      task: asFields(spec.taskConfig),
      [`arch:${spec.arch}`]: asFields(spec.archConfig),
      [`train:${spec.arch}`]: asFields(spec.trainConfig),
    };
    this.seed = String(spec.seed);
    this.steps = String(spec.steps);
    this.backend = spec.backend;
    this.dataset = spec.dataset && !spec.dataset.id.startsWith('builtin:') ? spec.dataset.id : '';
    this.from = run.id;
  }

  /** The task's settings as typed and parsed (for the dataset preview), without the `task.` prefix. */
  taskSettings(): Record<string, string | number | boolean> {
    const schema = this.schemaOf('task');
    const out: Record<string, string | number | boolean> = {};
    for (const [key, spec] of Object.entries(schema)) {
      const v = this.values['task']?.[key];
      if (v !== undefined && fieldProblem(spec, v) === null) out[key] = parseField(spec, v);
    }
    return out;
  }

  /** One startRun input per architecture, sharing task, seed, budget and backend. */
  inputs(): StartRunInput[] {
    const seed = this.seed.trim() === '' ? Math.floor(Math.random() * 2 ** 31) : Number(this.seed);
    const typed = (scope: Scope, prefix: string) =>
      Object.fromEntries(
        Object.entries(this.schemaOf(scope))
          .filter(([key]) => this.values[scope]?.[key] !== undefined)
          .map(([key, spec]) => [`${prefix}.${key}`, parseField(spec, this.values[scope]![key]!)]),
      );
    return this.archs.map((arch) => ({
      arch,
      task: this.task,
      seed,
      steps: Number(this.steps),
      backend: this.backend,
      ...(this.dataset !== '' && catalogue.task(this.task)?.dataset ? { dataset: this.dataset } : {}),
      set: { ...typed('task', 'task'), ...typed(`arch:${arch}`, 'arch'), ...typed(`train:${arch}`, 'train') },
    }));
  }
}

export const newRunForm = new NewRunForm();
