// The registered tasks: adding a task is one file in tasks/ and one line here.
import { WorkbenchError } from '../api/errors.ts';
import type { TaskSpec } from './task.ts';
import { adding } from './tasks/adding.ts';
import { cifar10NoisePadded, cifar10Pixel } from './tasks/cifar10.ts';
import { copying } from './tasks/copying.ts';
import { psmnist, smnist } from './tasks/mnist.ts';
import { seqClassification, seqRegression } from './tasks/sequences.ts';

export const TASKS: readonly TaskSpec[] = [
  adding,
  copying,
  smnist,
  psmnist,
  cifar10Pixel,
  cifar10NoisePadded,
  seqClassification,
  seqRegression,
];

export function getTask(name: string): TaskSpec {
  const task = TASKS.find((t) => t.name === name);
  if (!task)
    throw new WorkbenchError(
      'unknown_task',
      `unknown task '${name}' (known: ${TASKS.map((t) => t.name).join(', ')})`,
    );
  return task;
}
