// App lifecycle decisions as plain functions: quitting waits for the Workbench to stop its runners.

/**
 * A `before-quit` listener. The first quit is held (preventDefault) while `close` runs: the Workbench asks each
 * runner to stop (it checkpoints first), kills it after the grace period, and closes the database. Quit
 * requests during that time are held too; once closed, `quit` is called again and goes through.
 */
export function quitAfterClose(
  close: () => Promise<void>,
  quit: () => void,
  onError: (err: unknown) => void = () => {},
): (event: { preventDefault(): void }) => void {
  let state: 'open' | 'closing' | 'closed' = 'open';
  return (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    void close()
      .catch(onError)
      .finally(() => {
        state = 'closed';
        quit();
      });
  };
}

/** macOS apps stay open without windows (re-opened from the dock); elsewhere the last window quits the app. */
export function quitsWhenAllWindowsClosed(platform: NodeJS.Platform): boolean {
  return platform !== 'darwin';
}
