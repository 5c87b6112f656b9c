// Vector-field RNN (construction after Azencot et al. 2021): h transported by exp(Δt·D_V) of a learned field V.
import * as tf from '../../engine/tf.ts';
import type { Config } from '../../api/params.ts';
import type { CellSpec, Weights, WeightSpec } from '../cell.ts';
import { unitsOf } from '../cell.ts';
import { normal, uniform, zeros } from '../init.ts';
import { expm } from '../linalg.ts';
import { modRelu } from './exprnn.ts';

/** softplus⁻¹(1) = ln(e − 1): the initial `metric.m`, so that M = diag(softplus(m)) starts as I. */
export const SOFTPLUS_INV_ONE = Math.log(Math.E - 1);

/** Number of gradient directions k (config `directions`). */
export function directionsOf(config: Config): number {
  const k = config['directions'];
  if (typeof k !== 'number') throw new Error('vector-field config has no numeric directions');
  return k;
}

/** The index pairs (a, b), a < b, of the co-exact potentials ψ_ab, in the row order of `potential.psi`. */
export function potentialPairs(k: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) pairs.push([a, b]);
  return pairs;
}

/** What the recurrent operator is built from, and the operator itself (for tests, diagnostics and export). */
export interface VectorFieldOperator {
  /** μ [n]: M = diag(μ), the latent inner product's node weights (ones for `metric: 'identity'`). */
  metric: tf.Tensor1D;
  /** V [n, k]: V[:, j] is the field's j-th component at every node. */
  field: tf.Tensor2D;
  /** div V [n] as the operator uses it: Δφ = −M⁻¹Σ_j G_jᵀ M G_j φ; zeros when `divergenceFree`. */
  divergence: tf.Tensor1D;
  /** D [n, n] (column convention, D f for a latent function f): M-skew part of D_V − ½ diag(div V). */
  operator: tf.Tensor2D;
}

/**
 * The recurrent operator D and its ingredients (see `vectorField` for the formulas and every choice behind them):
 *   V = ∇φ + δΨ + c,   D_V = Σ_j diag(V[:, j]) G_j,   MD = skew(M D_V) + ½ diag(Σ_j G_jᵀ M G_j φ).
 * `divergenceFree` drops φ (and with it the second term), leaving MD skew-symmetric by construction.
 */
export function vectorFieldOperator(w: Weights, config: Config): VectorFieldOperator {
  const n = unitsOf(config);
  const k = directionsOf(config);
  const divergenceFree = config['divergenceFree'] === true;
  const g = w['gradient.G'] as tf.Tensor3D; // [k, n, n]
  const gFlat = tf.reshape<tf.Rank.R2>(g, [k * n, n]); // rows (j, i): Σ_j G_jᵀ y_j = gFlatᵀ y_flat
  // null for M = I: then no product with μ is formed, so D − (−Dᵀ) is zero bit for bit, not just to rounding.
  const mu = config['metric'] === 'identity' ? null : tf.softplus(w['metric.m'] as tf.Tensor1D);

  // Harmonic part c: the constant field c_j in direction j.
  let field = tf.mul<tf.Tensor2D>(tf.ones([n, 1]), tf.reshape(w['field.harmonic']!, [1, k]));
  // Co-exact part δΨ: V_j += Σ_l G_l ψ_lj with ψ antisymmetric, stored as its pairs ψ_ab (a < b).
  if (k >= 2) {
    const pairs = potentialPairs(k);
    const scatter = new Float32Array(k * k * pairs.length);
    pairs.forEach(([a, b], q) => {
      scatter[(a * k + b) * pairs.length + q] = 1; // ψ_ab = +ψ_q
      scatter[(b * k + a) * pairs.length + q] = -1; // ψ_ba = −ψ_q
    });
    const psi = tf.matMul(tf.tensor2d(scatter, [k * k, pairs.length]), w['potential.psi'] as tf.Tensor2D);
    const psiByL = tf.transpose<tf.Tensor3D>(tf.reshape(psi, [k, k, n]), [0, 2, 1]); // [l, node, j]
    field = tf.add(field, tf.sum(tf.matMul(g, psiByL), 0)); // Σ_l (G_l ψ_l·)[i, j]
  }
  let lapPhi: tf.Tensor1D | null = null; // Σ_j G_jᵀ M G_j φ (= −M Δφ)
  if (!divergenceFree) {
    // Exact part ∇φ: V_j += G_j φ.
    const gradPhi = tf.reshape<tf.Rank.R2>(tf.matMul(gFlat, tf.reshape(w['potential.phi']!, [n, 1])), [k, n]);
    field = tf.add(field, tf.transpose(gradPhi));
    const weighted = mu ? tf.mul(gradPhi, tf.reshape(mu, [1, n])) : gradPhi;
    lapPhi = tf.reshape(tf.matMul(gFlat, tf.reshape(weighted, [k * n, 1]), true, false), [n]);
  }
  // D_V = Σ_j diag(V_j) G_j, the directional derivative f ↦ ⟨V, ∇f⟩ at every node.
  const raw = tf.sum<tf.Tensor2D>(tf.mul(tf.reshape(tf.transpose(field), [k, n, 1]), g), 0);
  const mRaw = mu ? tf.mul(tf.reshape(mu, [n, 1]), raw) : raw;
  // skew(M D_V) = ½(M D_V − D_Vᵀ M); entry (i, j) and (j, i) are negatives of the same rounded difference.
  let md: tf.Tensor2D = tf.mul(tf.sub(mRaw, tf.transpose(mRaw)), 0.5);
  if (lapPhi) md = tf.add(md, tf.mul(tf.eye(n), tf.reshape(tf.mul(lapPhi, 0.5), [n, 1])));
  const operator = mu ? tf.div<tf.Tensor2D>(md, tf.reshape(mu, [n, 1])) : md;
  const metric = mu ?? tf.ones([n]);
  const divergence = lapPhi ? tf.neg(tf.div<tf.Tensor1D>(lapPhi, metric)) : tf.zeros<tf.Rank.R1>([n]);
  return { metric, field, divergence, operator };
}

/** W = exp(Δt·D) (column convention: the next pre-activation is W h); what `prepare` derives once per sequence. */
export function vectorFieldRecurrent(w: Weights, config: Config): tf.Tensor2D {
  const dt = config['dt'] as number;
  return expm(tf.mul(vectorFieldOperator(w, config).operator, dt));
}

/**
 * h_t = modReLU(exp(Δt·D) h_{t−1} + U x_t);  h_0 = 0;  the readout reads h.
 *
 * Provenance. Azencot, Erichson, Ben-Chen & Mahoney (2021) publish neither code nor (to us) a readable full text;
 * this is OUR construction (models-and-tasks.md §1.2–1.3, A.4), not "the paper's model". What comes from the
 * paper's abstract [PAPER]: orthogonal RNNs correspond to divergence-free vector fields on a latent space
 * (skew-symmetric operators); the new model's hidden-to-hidden operator spans general vector fields, parameterised
 * through directional derivatives of scalar functions, which requires a latent inner product, gradient and
 * divergence. What is standard differential geometry [DG]: D_V f = ⟨V, ∇f⟩ is a derivation; div = −∇* (adjoint
 * for the L² product); integration by parts ⟨D_V f, g⟩ + ⟨f, D_V g⟩ = −⟨fg, div V⟩, so the symmetric part of D_V
 * is the multiplication by −½ div V and D_V is skew iff div V = 0; functions are transported along the flow of V
 * by f_t = exp(t D_V) f_0; the Hodge–Helmholtz decomposition V = ∇φ + δΨ + (harmonic) on a flat closed latent
 * space (torus), in which δΨ (components (δΨ)_j = Σ_l ∂_l ψ_lj, ψ antisymmetric) and the constant harmonic fields
 * are divergence-free and div V = Δφ. Everything below marked [OURS] is a design choice.
 *
 * Discrete latent space [OURS, §1.3 sketch]. h ∈ Rⁿ holds a latent function's values at n nodes.
 * - Inner product ⟨f, g⟩_M = fᵀ M g, M = diag(μ), μ = softplus(m) > 0 (a lumped mass matrix, node areas) —
 *   learned, starting at M = I; `metric: 'identity'` fixes M = I (then the divergence-free model is exactly
 *   orthogonal). Why learned by default: node weights are the only freedom of a diagonal metric and cost n
 *   scalars; with M ≠ I the divergence-free W is M-orthogonal, i.e. orthogonal up to the fixed similarity M^½.
 * - Gradient ∇f = (G_1 f, …, G_k f), G_j ∈ R^{n×n} fully learned (k = `directions`, a k-dimensional latent
 *   space), init N(0, 1/n) (rows of unit expected norm, so G_j f has f's scale). Why not fixed differences plus a
 *   learned part: the nodes are abstract hidden units with no known layout, so any fixed stencil (ring, grid)
 *   would impose an arbitrary topology; and the properties the construction needs (exact skewness, the
 *   integration-by-parts identity) are enforced by how D is built from G, not by G. Not even G 1 = 0 (∇ of a
 *   constant vanishes) is imposed: nothing below relies on it, and for hidden units the constant vector has no
 *   special role that would justify the constraint.
 * - Divergence: the negative M-adjoint of ∇ [DG, discretised]: ⟨∇f, V⟩ = Σ_j (G_j f)ᵀ M V_j, so
 *   div V = −M⁻¹ Σ_j G_jᵀ M V_j, and Δ = div ∇ = −M⁻¹L with L = Σ_j G_jᵀ M G_j (stiffness matrix; M⁻¹L is the
 *   finite-element form of the Laplace–Beltrami operator).
 * - Vector field from potentials (the abstract's "directional derivatives of scalar functions") [OURS, by the
 *   Hodge decomposition]: V_j = G_j φ + Σ_l G_l ψ_lj + c_j, with φ ∈ Rⁿ (exact part ∇φ), one potential ψ_ab ∈ Rⁿ
 *   per pair a < b (co-exact part δΨ; for k = 2 the stream-function field (−∂₂ψ, ∂₁ψ)), c ∈ R^k (harmonic
 *   part: constant fields). All three together span general fields (for k = 2: 2n + 2 scalars for a field of 2n).
 * - Operator [OURS]: D_V = Σ_j diag(V_j) G_j (the directional derivative at every node) is discretised in its
 *   skew-symmetric ("split") form, as energy-conserving advection schemes do (Morinishi et al., J. Comput. Phys.
 *   143, 1998; Verstappen & Veldman, J. Comput. Phys. 187, 2003):
 *       M D = skew(M D_V) − ½ M diag(div V),   div V := Δφ = −M⁻¹ L φ,   skew(X) = ½(X − Xᵀ),
 *   i.e. D f = ½(V·∇f + div(fV)) − ½ f div V. In the continuum this IS D_V (its skew part plus its symmetric
 *   part −½ div V, §1.2 item 2); in the discrete setting it satisfies integration by parts exactly,
 *   D + M⁻¹DᵀM = −diag(div V), which the plain product Σ diag(V_j) G_j would satisfy only if the learned G obeyed
 *   a discrete Leibniz rule (§1.3's caveat). div V is taken from the Hodge potentials: δΨ and c are divergence-free
 *   in the continuum (∂_a∂_b = ∂_b∂_a), so div V = Δφ; the discrete div of δΨ (non-zero, since learned G_a, G_b
 *   do not commute) is not used — it would be discretisation error, and using it would make even φ = 0 non-skew.
 *   Consequences: ‖f‖²_M evolves as d/dt ‖f‖²_M = −⟨f², div V⟩_M (compression where div V < 0, expansion where
 *   > 0), det W = exp(−½ Δt Σ_i div V_i) (the skew part is traceless), and W is exactly M-orthogonal when φ = 0.
 * - `divergenceFree: true` [OURS]: V = δΨ + c (no `potential.phi` weight), M D = skew(M D_V): skew-symmetric by
 *   construction (entries (i, j) and (j, i) are negatives of one rounded number), so W = exp(Δt D) satisfies
 *   Wᵀ M W = M; with M = I, W ∈ SO(n): the expRNN recurrence, its A being Δt Dᵀ (expRNN multiplies the row h
 *   by exp(A) from the right). Why it should reach what expRNN reaches: the part of the derivative of M D along
 *   G_j that holds V fixed, δG ↦ skew(M diag(V_j) δG), is onto the skew matrices wherever V_j has no zero entry
 *   (we have not proved the same of the full derivative, which adds V's own dependence on G). With
 *   `divergenceFree: false` at φ = 0 the two modes give the same operator, so the general model starts (φ init 0)
 *   as the divergence-free one — an (M-)orthogonal RNN, expRNN's well-conditioned start — and leaves the
 *   orthogonal group only as training moves φ.
 * - Update [OURS]: W = exp(Δt D) (linalg.ts `expm`, exact gradient), built once per sequence in `prepare`, the
 *   flow of V for time Δt (§1.2 item 3). Nonlinearity: real modReLU, as expRNN (σ(z) = sign(z)·ReLU(|z| + b));
 *   why: with φ = 0 and M = I the cell is then exactly an expRNN (one cell generalising the other, so they can be
 *   compared like for like), and modReLU's slope is 1 wherever it is active, so it keeps the norm preservation
 *   of an orthogonal W instead of damping it as tanh′ < 1 would. b is modReLU's bias (expRNN has no additive
 *   bias either), U is expRNN's bias-free input map. The batch holds h as rows, so the step computes h Wᵀ.
 * - Initialisation [OURS]: G ~ N(0, 1/n); ψ, c ~ N(0, 1/k²) (then V's entries have variance 1/k and D's 1/n
 *   whatever k, and the eigenvalues of D, on the imaginary axis, typically reach ±1 to ±2 with median |λ| ≈ 0.5
 *   (sampled for n = 16…512, k = 1…4): rotations of the size of expRNN's Cayley init, θ ∈ (−1, 0]); φ = 0 (above);
 *   m = softplus⁻¹(1) (M = I); U ~ N(0, 2/d) and b ~ U[−0.01, 0.01] as expRNN.
 *
 * Weights (names are stable: stored, exported):
 * - `metric.m` [n]: M = diag(softplus(m)); only with `metric: 'learned'`.
 * - `gradient.G` [k, n, n]: G_j = gradient.G[j], the j-th partial derivative on the n nodes.
 * - `potential.phi` [n]: φ, the exact (gradient) potential, the only source of divergence; only when
 *   `divergenceFree` is false.
 * - `potential.psi` [k(k−1)/2, n]: ψ_ab for the pairs a < b in lexicographic order ((0,1), (0,2), …, (1,2), …);
 *   only when k ≥ 2.
 * - `field.harmonic` [k]: c, the constant field.
 * - `input_kernel.weight` [n, d]: U (no bias), as expRNN's.
 * - `nonlinearity.b` [n]: modReLU bias b.
 * All but U and b form the recurrent operator and are optimizer group 'orthogonal' (lr·orthLrScale), as expRNN's
 * A: they reach W only through the generator of the exponential, whose every change is compounded over the T steps
 * of a sequence (and D is quadratic in G), the reason for expRNN's smaller lr_orth = lr/10; the divergence-free
 * model then trains with expRNN's optimizer set-up. State: [h].
 */
export const vectorField: CellSpec = {
  name: 'vector-field',
  title: 'vector-field RNN (construction after Azencot et al.)',
  summary:
    'h is a function on n latent nodes, transported for time Δt along a learned vector field V (W = exp(Δt·D_V)), then modReLU. V = ∇φ + δΨ + c from scalar potentials, with learned metric and gradients; divergence-free V gives an orthogonal (expRNN-like) recurrence, general V contracts and expands.',
  paper:
    'Azencot, Erichson, Ben-Chen & Mahoney, "A Differential Geometry Perspective on Orthogonal Recurrent Models", arXiv:2102.09589 (2021); no official code: our construction from the abstract and standard differential geometry (models-and-tasks.md §1.2–1.3, A.4)',
  config: {
    units: {
      type: 'integer',
      default: 170,
      min: 1,
      max: 4096,
      description: 'number of latent nodes n (hidden size; 170 as expRNN on MNIST)',
    },
    directions: {
      type: 'integer',
      default: 2,
      min: 1,
      max: 16,
      description:
        'gradient directions k (latent dimension); k ≥ 2 for stream-function fields, k = 1 leaves only the constant field divergence-free',
    },
    dt: {
      type: 'number',
      default: 1,
      min: 0,
      exclusiveMin: true,
      max: 100,
      description: 'flow time Δt per step: W = exp(Δt·D_V)',
    },
    divergenceFree: {
      type: 'boolean',
      default: false,
      description:
        'divergence-free field only (no gradient potential φ): D is M-skew and W M-orthogonal (orthogonal for metric identity)',
    },
    metric: {
      type: 'enum',
      default: 'learned',
      choices: ['learned', 'identity'],
      description: 'latent inner product M = diag(softplus(m)) learned (starting at I) or fixed to I',
    },
  },
  // expRNN's 2_mnist.py set-up (RMSprop, lr 7e-4, the operator's parameters at lr/10, batch 128): the
  // divergence-free model is an expRNN, so the same optimizer is the like-for-like starting point.
  trainDefaults: { optimizer: 'rmsprop', lr: 7e-4, orthLrScale: 0.1, batchSize: 128 },
  weights(inputDim, config) {
    const n = unitsOf(config);
    const k = directionsOf(config);
    const specs: WeightSpec[] = [];
    if (config['metric'] !== 'identity')
      specs.push({
        name: 'metric.m',
        shape: [n],
        doc: 'm: latent inner product M = diag(softplus(m)) (node weights)',
        group: 'orthogonal',
        init: () => new Float32Array(n).fill(SOFTPLUS_INV_ONE),
      });
    specs.push({
      name: 'gradient.G',
      shape: [k, n, n],
      doc: 'G_j = G[j]: gradient operators, ∇f = (G_1 f, …, G_k f)',
      group: 'orthogonal',
      init: normal([k, n, n], 1 / Math.sqrt(n)),
    });
    if (config['divergenceFree'] !== true)
      specs.push({
        name: 'potential.phi',
        shape: [n],
        doc: 'φ: exact part ∇φ of V, div V = Δφ',
        group: 'orthogonal',
        init: zeros([n]),
      });
    if (k >= 2)
      specs.push({
        name: 'potential.psi',
        shape: [(k * (k - 1)) / 2, n],
        doc: 'ψ_ab (a < b, lexicographic): co-exact part δΨ of V, V_j += Σ_l G_l ψ_lj',
        group: 'orthogonal',
        init: normal([(k * (k - 1)) / 2, n], 1 / k),
      });
    specs.push(
      {
        name: 'field.harmonic',
        shape: [k],
        doc: 'c: harmonic (constant) part of V',
        group: 'orthogonal',
        init: normal([k], 1 / k),
      },
      {
        name: 'input_kernel.weight',
        shape: [n, inputDim],
        doc: 'U: input to hidden [n, d] (no bias)',
        init: normal([n, inputDim], Math.sqrt(2 / inputDim)),
      },
      { name: 'nonlinearity.b', shape: [n], doc: 'modReLU bias b', init: uniform([n], -0.01, 0.01) },
    );
    return specs;
  },
  prepare: (w, config) => ({ 'derived.W': vectorFieldRecurrent(w, config) }),
  initState(batch, _w, config) {
    return [tf.zeros([batch, unitsOf(config)])];
  },
  step(x, [h], w) {
    const fromInput = tf.matMul(x, w['input_kernel.weight']!, false, true);
    const pre = tf.add<tf.Tensor2D>(fromInput, tf.matMul(h!, w['derived.W']!, false, true));
    return [modRelu(pre, w['nonlinearity.b']!)];
  },
  features: ([h]) => h!,
  featureSize: (config) => unitsOf(config),
};
