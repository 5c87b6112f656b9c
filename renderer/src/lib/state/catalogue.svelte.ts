// The catalogue: architectures, tasks and training options with their config schemas, loaded once.
import type { TrainingOptions } from '../../../../core/api/contract.ts';
import type { ArchInfo, TaskInfo } from '../../../../core/api/types.ts';
import { client } from '../client.ts';
import { attempt } from './toasts.svelte.ts';

class Catalogue {
  archs = $state.raw<ArchInfo[]>([]);
  tasks = $state.raw<TaskInfo[]>([]);
  training = $state.raw<TrainingOptions | null>(null);
  loaded = $state.raw(false);
  #loading: Promise<void> | null = null;

  load(): Promise<void> {
    this.#loading ??= (async () => {
      const got = await attempt('Loading architectures and tasks', () =>
        Promise.all([client.call('archs', {}), client.call('tasks', {}), client.call('trainingOptions', {})]),
      );
      if (!got) {
        this.#loading = null;
        return;
      }
      [this.archs, this.tasks, this.training] = got;
      this.loaded = true;
    })();
    return this.#loading;
  }

  arch(name: string): ArchInfo | undefined {
    return this.archs.find((a) => a.name === name);
  }

  task(name: string): TaskInfo | undefined {
    return this.tasks.find((t) => t.name === name);
  }
}

export const catalogue = new Catalogue();
