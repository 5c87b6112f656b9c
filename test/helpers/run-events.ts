// Waiting on a workbench's run events in tests: resolves at the first event that satisfies the predicate.
import type { RunEvent } from '../../core/api/types.ts';

export function untilRunEvent(
  wb: { onRunEvent(cb: (e: RunEvent) => void): () => void },
  predicate: (e: RunEvent) => boolean,
): Promise<RunEvent> {
  return new Promise((resolve) => {
    const off = wb.onRunEvent((e) => {
      if (!predicate(e)) return;
      off();
      resolve(e);
    });
  });
}
