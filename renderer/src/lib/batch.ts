// Coalesce a burst of items (run events arrive once per training step) into one update per frame.

/** Returns `push`: items pushed within `ms` of the first are handed to `flush` together. */
export function batcher<T>(flush: (items: T[]) => void, ms = 50): (item: T) => void {
  let queue: T[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  return (item) => {
    queue.push(item);
    timer ??= setTimeout(() => {
      const items = queue;
      queue = [];
      timer = null;
      flush(items);
    }, ms);
  };
}
