// Exponential moving average for noisy training curves, debiased as TensorBoard's scalar dashboard does.

/**
 * s_0 = 0, s_n = w·s_{n−1} + (1 − w)·v_n, shown as s_n / (1 − w^n) (the debiasing of Adam, Kingma & Ba 2015,
 * §3, as TensorBoard's smoothing slider applies it), n counting finite values only. Non-finite values pass
 * through unchanged and do not enter the average, so a single NaN does not erase the rest of the curve.
 * `weight` is clamped to [0, 0.999]; 0 returns the values unchanged.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return values.slice();
  let s = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    s = w * s + (1 - w) * v;
    n += 1;
    return s / (1 - w ** n);
  });
}
