-- 0001_init: the first schema of the run store, after MLflow's tracking store (design.md §6).
-- Creates experiments; runs (what, where, when, status and which process owns it); write-once
-- params; an append-only metric history with non-finite values kept explicitly (SQLite stores NaN
-- as NULL) plus latest_metrics for list views; mutable tags and notes; artifacts; and the newest
-- checkpoints of each run. Every child table cascades from runs so deleting a run leaves nothing.
-- Times are epoch milliseconds. Forward-only: never edit this file once merged; add 0002_<slug>.sql.

CREATE TABLE experiments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments (id),
  arch TEXT NOT NULL,
  task TEXT NOT NULL,
  -- Must list RUN_STATUSES of core/api/types.ts (a test checks that they agree).
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'stopped', 'diverged', 'failed', 'interrupted')),
  seed INTEGER NOT NULL,
  -- Step budget; a resumed run may extend it (spec.steps follows, the `steps` param does not).
  steps INTEGER NOT NULL,
  -- Last completed step.
  step INTEGER NOT NULL DEFAULT 0,
  -- The full RunSpec as JSON; the columns above copy the parts that are filtered on.
  spec TEXT NOT NULL CHECK (json_valid(spec)),
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  -- Backend and device the run actually executed on (spec.backend is what was asked for); NULL until it starts.
  backend TEXT,
  device TEXT,
  -- RunEnvironment as JSON.
  env TEXT CHECK (env IS NULL OR json_valid(env)),
  param_count INTEGER,
  baseline REAL,
  error TEXT,
  -- The runner process that owns a running run, so a dead one can be detected and its run marked interrupted.
  owner_pid INTEGER,
  owner_host TEXT,
  heartbeat_at INTEGER,
  stop_requested INTEGER NOT NULL DEFAULT 0 CHECK (stop_requested IN (0, 1))
);

CREATE INDEX runs_created ON runs (created_at);
CREATE INDEX runs_status ON runs (status, created_at);
CREATE INDEX runs_arch ON runs (arch, created_at);
CREATE INDEX runs_task ON runs (task, created_at);
CREATE INDEX runs_experiment ON runs (experiment_id);

-- Hyper-parameters, written once when the run is created (values are JSON text).
CREATE TABLE params (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

-- Write-once, as in MLflow: a run's recorded configuration must never drift from what it trained with.
CREATE TRIGGER params_no_update BEFORE UPDATE ON params
BEGIN
  SELECT RAISE(ABORT, 'params are write-once');
END;

-- INSERT OR REPLACE would otherwise overwrite a param without firing an UPDATE trigger.
CREATE TRIGGER params_no_overwrite BEFORE INSERT ON params
WHEN EXISTS (SELECT 1 FROM params WHERE run_id = NEW.run_id AND key = NEW.key)
BEGIN
  SELECT RAISE(ABORT, 'params are write-once');
END;

-- Params go only with their run (the cascade deletes them after the run row is gone).
CREATE TRIGGER params_no_delete BEFORE DELETE ON params
WHEN EXISTS (SELECT 1 FROM runs WHERE id = OLD.run_id)
BEGIN
  SELECT RAISE(ABORT, 'params are write-once');
END;

-- Metric history: value is NULL exactly when the point is non-finite, and `nonfinite` says which.
CREATE TABLE metrics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  nonfinite TEXT CHECK (nonfinite IN ('nan', 'inf', '-inf')),
  wall_ms REAL NOT NULL,
  PRIMARY KEY (run_id, key, step),
  CHECK ((value IS NULL) = (nonfinite IS NOT NULL))
) WITHOUT ROWID;

-- The newest point of every (run, key), so list views never scan the history.
CREATE TABLE latest_metrics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  nonfinite TEXT CHECK (nonfinite IN ('nan', 'inf', '-inf')),
  wall_ms REAL NOT NULL,
  PRIMARY KEY (run_id, key),
  CHECK ((value IS NULL) = (nonfinite IS NOT NULL))
) WITHOUT ROWID;

CREATE TABLE tags (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE notes (
  run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Files a run produced (exports, figures), with a hash so a moved or altered file is noticed.
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  meta TEXT CHECK (meta IS NULL OR json_valid(meta))
);

CREATE INDEX artifacts_run ON artifacts (run_id);

-- Serialized training state to resume from; the store keeps only the newest few per run.
-- A rowid table on purpose: large blobs do not belong in WITHOUT ROWID b-trees.
CREATE TABLE checkpoints (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, step)
);
