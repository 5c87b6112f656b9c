-- 0003_datasets: imported datasets and robustness evaluations (issue 7).
-- `datasets` registers a user's data files (MNIST-format IDX folders, CIFAR-10 binary folders, .npy / .npz
-- arrays, long-format CSV) so a run can say exactly what it trained on: its source path, the files read, a
-- sha256 over their contents, the format options needed to read them again (column mapping, array keys),
-- and the shapes and statistics computed at import (JSON). A run copies the reference (id, hash, path)
-- into its spec and params; at training time the files are hashed again and a changed file is refused.
-- A row is inserted only after the files were read and checked in full, so nothing is half-registered.
-- Deleting a dataset leaves the runs that used it (their spec keeps the reference).
--
-- `robustness` holds evaluations of a trained run under input perturbations at inference (Noisy RNN,
-- Lim et al. 2021): one row per (run, perturbation kind, level index) with the level, the accuracy
-- (NULL for regression tasks) and the loss, on `examples` test sequences with noise drawn from `seed`,
-- using the weights of the checkpoint at `step`. Evaluating a kind again replaces its rows. It cascades
-- from runs like every child table.

CREATE TABLE datasets (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL CHECK (format IN ('idx', 'cifar10', 'npy', 'npz', 'csv')),
  kind TEXT NOT NULL CHECK (kind IN ('images', 'classification', 'regression')),
  source TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  -- {files, options, shape, stats} as JSON (DatasetRecord of core/api/types.ts).
  info TEXT NOT NULL CHECK (json_valid(info)),
  created_at INTEGER NOT NULL
);

CREATE TABLE robustness (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  level_index INTEGER NOT NULL,
  level REAL NOT NULL,
  accuracy REAL,
  -- NULL when the loss was not finite.
  loss REAL,
  examples INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  step INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, kind, level_index)
) WITHOUT ROWID;
