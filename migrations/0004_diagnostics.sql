-- 0004_diagnostics: diagnostic series of a run that are vectors, not scalars (design.md §1, gradient diagnostics):
-- every `diagEvery` training steps the loop measures, on a fixed probe batch, the gradient norm with respect to the
-- hidden state at each time step, ‖∂L/∂h_t‖ (kind 'grad_h'), and the hidden state's norm ‖h_t‖ (kind 'state_norm'),
-- for t = 1..T. A vector per (run, kind, step) would be T metric keys in `metrics` (and T entries of every
-- RunRecord.latest), so it gets a table of its own: `data` holds the n values as little-endian float64, which keeps
-- NaN and ±Inf (a diverging gradient) that a REAL column turns into NULL. A rowid table: a row holds up to a few
-- KiB (T = 784 for pixel MNIST), too large for a WITHOUT ROWID b-tree. Cascades from runs; resuming deletes the rows
-- after the checkpoint it continues from, as it does the metrics.
CREATE TABLE diagnostics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  step INTEGER NOT NULL CHECK (step >= 0),
  n INTEGER NOT NULL CHECK (n >= 0),
  data BLOB NOT NULL CHECK (length(data) = 8 * n),
  wall_ms REAL NOT NULL,
  PRIMARY KEY (run_id, kind, step)
);
