// Dead-run reaper: a runner killed without a chance to say so must not leave its run 'running' forever.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { stmt } from './statements.ts';
import type { Db } from './statements.ts';

/** A runner on this host whose heartbeat is older than this is presumed hung (or its pid reused). */
export const LOCAL_HEARTBEAT_LIMIT_MS = 15 * 60_000;
/** We cannot probe a pid on another host (shared database folder); only a long silence proves it dead. */
export const REMOTE_HEARTBEAT_LIMIT_MS = 24 * 60 * 60_000;
/** A queued run that no runner claimed within this time was orphaned by a launcher that died. */
export const QUEUED_LIMIT_MS = 60_000;

/** Whether the process `pid` exists on this host; EPERM means it exists but belongs to someone else. */
export function pidExists(pid: number): boolean {
  // kill(0 or negative) would signal a whole process group, not probe one process.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err instanceof Error && 'code' in err && err.code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A killed runner whose parent died too is a zombie until something reaps it (in a container, PID 1 may never
 * do so); kill(pid, 0) still succeeds on it. On Linux, /proc/<pid>/stat tells: state 'Z' is dead.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

interface OpenRunRow {
  id: string;
  status: 'queued' | 'running';
  owner_pid: number | null;
  owner_host: string | null;
  heartbeat_at: number | null;
  created_at: number;
  started_at: number | null;
}

/** Why a run's owner is presumed dead, or null when it may still be alive. */
function deathReason(
  row: OpenRunRow,
  isAlive: ((pid: number, host: string) => boolean) | undefined,
  now: number,
): string | null {
  const lastSign = row.heartbeat_at ?? row.started_at ?? row.created_at;
  const when = new Date(lastSign).toISOString();
  if (row.owner_pid === null) {
    if (row.status === 'running')
      return `marked running but no runner process owns it (last heartbeat ${when})`;
    return now - row.created_at > QUEUED_LIMIT_MS
      ? 'queued but no runner process claimed it within a minute'
      : null;
  }
  const owner = `runner process ${row.owner_pid} on ${row.owner_host ?? 'an unknown host'}`;
  if (isAlive)
    return isAlive(row.owner_pid, row.owner_host ?? '') ? null : `${owner} is gone (last heartbeat ${when})`;
  if (row.owner_host === os.hostname()) {
    if (!pidExists(row.owner_pid)) return `${owner} is gone (last heartbeat ${when})`;
    if (now - lastSign > LOCAL_HEARTBEAT_LIMIT_MS) return `${owner} sent no heartbeat since ${when}`;
    return null;
  }
  return now - lastSign > REMOTE_HEARTBEAT_LIMIT_MS ? `${owner} sent no heartbeat since ${when}` : null;
}

/**
 * Marks every 'running' or 'queued' run whose owner is dead as 'interrupted' (resumable from its last
 * checkpoint) and returns their ids. `isAlive` replaces the default test (same host, pid exists, heartbeat
 * within 15 minutes; another host's run only after 24 hours of silence). Each update re-checks owner and
 * heartbeat, so a runner that claims or beats at the same moment is not overwritten.
 */
export function reapDeadRuns(
  db: Db,
  isAlive?: (pid: number, host: string) => boolean,
  now: number = Date.now(),
): string[] {
  const open = stmt<OpenRunRow>(
    db,
    `SELECT id, status, owner_pid, owner_host, heartbeat_at, created_at, started_at FROM runs
     WHERE status IN ('running', 'queued') ORDER BY created_at`,
  ).all();
  const reaped: string[] = [];
  for (const row of open) {
    const why = deathReason(row, isAlive, now);
    if (why === null) continue;
    const changed = stmt(
      db,
      `UPDATE runs SET status = 'interrupted', error = ?, ended_at = ?, owner_pid = NULL
       WHERE id = ? AND status = ? AND owner_pid IS ? AND heartbeat_at IS ?`,
    ).run(
      `interrupted: ${why}`,
      row.heartbeat_at ?? row.started_at ?? row.created_at,
      row.id,
      row.status,
      row.owner_pid,
      row.heartbeat_at,
    );
    if (changed.changes > 0) reaped.push(row.id);
  }
  return reaped;
}
