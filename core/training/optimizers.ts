// Adam, RMSprop and SGD with momentum in PyTorch's exact update rules, with state we can checkpoint.
import * as tf from '../engine/tf.ts';
import type { Config } from '../api/params.ts';

/** Optimizer state: step count and named slot arrays (`<slot>/<weight>`). */
export interface OptimizerState {
  t: number;
  slots: Record<string, { shape: number[]; values: Float32Array }>;
}

/**
 * One optimizer over a group of variables. Update rules (PyTorch 1.13 docs, weight decay added to g):
 * - adam:    m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  θ ← θ − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε)
 * - rmsprop: v ← α v + (1−α) g²;   θ ← θ − lr·g / (√v + ε)
 * - sgd:     b ← μ b + g (b = g at t = 1);  θ ← θ − lr·b
 */
export class Optimizer {
  private t = 0;
  private readonly slots = new Map<string, tf.Variable>();
  private readonly kind: string;
  private readonly c: Config;

  constructor(config: Config) {
    this.kind = config['optimizer'] as string;
    this.c = config;
  }

  private slot(name: string, like: tf.Tensor): tf.Variable {
    let v = this.slots.get(name);
    if (!v) {
      v = tf.variable(tf.zerosLike(like), false);
      this.slots.set(name, v);
    }
    return v;
  }

  /** Apply one update with learning rate `lr` to `vars` (by name) from `grads` (same names). */
  apply(vars: Record<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const t = this.t;
    const c = this.c;
    const wd = c['weightDecay'] as number;
    const eps = c['epsilon'] as number;
    tf.tidy(() => {
      for (const [name, v] of Object.entries(vars)) {
        let g = grads[name];
        if (!g) continue;
        if (wd > 0) g = tf.add(g, tf.mul(wd, v));
        if (this.kind === 'adam') {
          const b1 = c['beta1'] as number;
          const b2 = c['beta2'] as number;
          const m = this.slot(`m/${name}`, v);
          const s = this.slot(`v/${name}`, v);
          m.assign(tf.add(tf.mul(b1, m), tf.mul(1 - b1, g)));
          s.assign(tf.add(tf.mul(b2, s), tf.mul(1 - b2, tf.square(g))));
          const denom = tf.add(tf.div(tf.sqrt(s), Math.sqrt(1 - b2 ** t)), eps);
          v.assign(tf.sub(v, tf.mul(lr / (1 - b1 ** t), tf.div(m, denom))));
        } else if (this.kind === 'rmsprop') {
          const a = c['alpha'] as number;
          const s = this.slot(`v/${name}`, v);
          s.assign(tf.add(tf.mul(a, s), tf.mul(1 - a, tf.square(g))));
          v.assign(tf.sub(v, tf.mul(lr, tf.div(g, tf.add(tf.sqrt(s), eps)))));
        } else {
          const mu = c['momentum'] as number;
          const b = this.slot(`b/${name}`, v);
          b.assign(t === 1 ? g : tf.add(tf.mul(mu, b), g));
          v.assign(tf.sub(v, tf.mul(lr, b)));
        }
      }
    });
  }

  getState(): OptimizerState {
    const slots: OptimizerState['slots'] = {};
    for (const [name, v] of this.slots)
      slots[name] = { shape: [...v.shape], values: (v.dataSync() as Float32Array).slice() };
    return { t: this.t, slots };
  }

  setState(state: OptimizerState): void {
    this.t = state.t;
    for (const [name, s] of Object.entries(state.slots)) {
      const value = tf.tensor(s.values, s.shape, 'float32');
      this.slots.get(name)?.dispose();
      this.slots.set(name, tf.variable(value, false));
      value.dispose();
    }
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}
