// Messages for the user: errors from the core (code and message) and short confirmations, shown as toasts.
import { ApiError } from '../client.ts';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

class Toasts {
  items = $state.raw<Toast[]>([]);
  #next = 1;

  push(kind: Toast['kind'], text: string, ms = kind === 'error' ? 12000 : 4000): void {
    const id = this.#next++;
    this.items = [...this.items, { id, kind, text }];
    setTimeout(() => this.dismiss(id), ms);
  }

  /** An error as a person reads it: what was being done, the core's message and its code. */
  error(what: string, err: unknown): void {
    const detail =
      err instanceof ApiError
        ? `${err.message} [${err.code}]`
        : err instanceof Error
          ? err.message
          : String(err);
    this.push('error', `${what}: ${detail}`);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();

/** Runs `fn`, reporting a failure as a toast instead of an unhandled rejection; resolves to undefined then. */
export async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    toasts.error(what, err);
    return undefined;
  }
}
