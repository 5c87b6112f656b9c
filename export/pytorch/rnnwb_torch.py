# RNN Workbench models in plain PyTorch, rebuilt from an export (safetensors or .npz): one class per architecture.
"""
Load weights exported by RNN Workbench (`rnnwb export RUN_ID --format safetensors|npz --out PATH`) into plain
PyTorch modules that compute the same forward pass as the workbench, for every registered architecture.

    import rnnwb_torch as rw
    model = rw.load_model('run.safetensors')          # or 'run.npz'; float64 by default
    y = model(x)                                      # x: [T, B, input_dim] time-major, as the workbench
    # y: [B, output_dim] (last step), or [T, B, output_dim] for per-step tasks (copying)

Needs only PyTorch and NumPy (no `safetensors` package: the reader below is ~20 lines of struct + json).
The file's metadata (`__metadata__`) names the architecture and its config; `build_model(arch, config, input_dim,
output_dim, every)` builds a model without weights, `model.load_weights(tensors)` loads a dict of numpy arrays
under the workbench's tensor names (`rnnwb archs` lists them with their shapes and meaning; the model card beside
each export too). Every model is the cell unrolled over time plus the linear readout `readout.weight`/`.bias`.

Conventions (as the workbench's cells, core/models/cells/*.ts, which follow the official code of each paper):
- nn.Linear layouts are [out, in]; where the official code multiplies row vectors from the right (expRNN, scoRNN,
  the Lipschitz / Noisy RNN's A and W), so does the transcription here.
- Complex weights (uRNN's V, reflection, h_0) are complex tensors here. The safetensors export stores them as
  `<name>.real` and `<name>.imag`, the .npz as complex64; the workbench itself holds them as [Re | Im] halves.
- Stochastic parts are off (evaluation mode, as the workbench's evaluation): no noise (Noisy RNN), no dropout
  (UnICORNN).
"""

import json
import struct

import numpy as np
import torch
from torch import nn

__all__ = ['read_safetensors', 'read_npz', 'read_weights', 'build_model', 'load_model', 'ARCHITECTURES']


# ---------------------------------------------------------------------------------------------- file readers

_ST_DTYPES = {'F32': np.float32, 'F64': np.float64, 'F16': np.float16}


def read_safetensors(path):
    """(tensors, metadata) of a safetensors file: u64 LE header length, JSON header, raw little-endian data."""
    with open(path, 'rb') as fh:
        raw = fh.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop('__metadata__', {})
    base = 8 + n
    tensors = {}
    for name, e in header.items():
        begin, end = e['data_offsets']
        dtype = np.dtype(_ST_DTYPES[e['dtype']]).newbyteorder('<')
        tensors[name] = np.frombuffer(raw[base + begin:base + end], dtype=dtype).reshape(e['shape']).copy()
    return tensors, metadata


def read_npz(path):
    """(tensors, metadata) of an .npz export; the metadata is the JSON text in its `__metadata__` uint8 array."""
    with np.load(path) as npz:
        tensors = {k: npz[k] for k in npz.files if k != '__metadata__'}
        metadata = json.loads(bytes(npz['__metadata__']).decode('utf8')) if '__metadata__' in npz.files else {}
    return tensors, metadata


def read_weights(path):
    """(tensors, metadata) of a safetensors or .npz file, by its first bytes (an .npz is a zip: 'PK')."""
    with open(path, 'rb') as fh:
        magic = fh.read(2)
    return read_npz(path) if magic == b'PK' else read_safetensors(path)


def _complex(tensors, name):
    """A complex weight from a complex array, or from `<name>.real` and `<name>.imag`."""
    if name in tensors:
        return tensors[name].astype(np.complex128)
    return tensors[name + '.real'].astype(np.float64) + 1j * tensors[name + '.imag'].astype(np.float64)


# ---------------------------------------------------------------------------------------------- the models

class WorkbenchModel(nn.Module):
    """A cell unrolled over x [T, B, d] from its initial state, and the readout on its features."""

    #: the weight names of this architecture whose values are complex
    complex_weights = ()

    def __init__(self, config, input_dim, output_dim, every, dtype=torch.float64):
        super().__init__()
        self.config = dict(config)
        self.input_dim = int(input_dim)
        self.every = bool(every)
        self.dtype = dtype
        self.units = int(config['units'])
        self.readout = nn.Linear(self.feature_size(), int(output_dim), dtype=dtype)

    # subclasses: feature_size, init_state, step, features, and load_cell(tensors)
    def feature_size(self):
        return self.units

    def features(self, state):
        return state[0]

    def prepare(self):
        """Tensors the cell derives once per sequence (W = exp(A), …), as the workbench's CellSpec.prepare."""
        return {}

    def param(self, name, value):
        """Register `value` as the parameter named `name` (dots become '__': attribute names cannot hold dots)."""
        t = torch.as_tensor(np.asarray(value), dtype=torch.complex128 if np.iscomplexobj(value) else self.dtype)
        if t.is_complex() and self.dtype == torch.float32:
            t = t.to(torch.complex64)
        self.register_parameter(name.replace('.', '__'), nn.Parameter(t))

    def w(self, name):
        return getattr(self, name.replace('.', '__'))

    def load_weights(self, tensors):
        """Load a dict of numpy arrays under the workbench's names (readout.weight / readout.bias included)."""
        self.load_cell(tensors)
        with torch.no_grad():
            self.readout.weight.copy_(torch.as_tensor(tensors['readout.weight']))
            self.readout.bias.copy_(torch.as_tensor(tensors['readout.bias']))
        return self

    def forward(self, x):
        x = torch.as_tensor(x).to(self.dtype)
        T, B = x.shape[0], x.shape[1]
        derived = self.prepare()
        state = self.init_state(B)
        outs = []
        for t in range(T):
            state = self.step(x[t], state, derived)
            if self.every:
                outs.append(self.features(state))
        feat = torch.stack(outs, 0) if self.every else self.features(state)
        return self.readout(feat)


def _load_plain(model, tensors, names):
    for name in names:
        model.param(name, tensors[name])


class ElmanRNN(WorkbenchModel):
    """rnn-tanh / irnn: torch.nn.RNNCell (tanh or ReLU); weight_ih, weight_hh, bias_ih, bias_hh as its state_dict."""

    nonlinearity = 'tanh'

    def load_cell(self, tensors):
        self.cell = nn.RNNCell(self.input_dim, self.units, nonlinearity=self.nonlinearity, dtype=self.dtype)
        self.cell.load_state_dict({k: torch.as_tensor(tensors[k]) for k in self.cell.state_dict()})

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype)]

    def step(self, x, state, derived):
        return [self.cell(x, state[0])]


class IRNN(ElmanRNN):
    nonlinearity = 'relu'


class LSTM(WorkbenchModel):
    """lstm: torch.nn.LSTMCell (gates i, f, g, o); state [h, c]; the readout reads h."""

    def load_cell(self, tensors):
        self.cell = nn.LSTMCell(self.input_dim, self.units, dtype=self.dtype)
        self.cell.load_state_dict({k: torch.as_tensor(tensors[k]) for k in self.cell.state_dict()})

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype), torch.zeros(B, self.units, dtype=self.dtype)]

    def step(self, x, state, derived):
        return list(self.cell(x, (state[0], state[1])))


class GRU(WorkbenchModel):
    """gru: torch.nn.GRUCell (gates r, z, n; r applied after W_hn h + b_hn)."""

    def load_cell(self, tensors):
        self.cell = nn.GRUCell(self.input_dim, self.units, dtype=self.dtype)
        self.cell.load_state_dict({k: torch.as_tensor(tensors[k]) for k in self.cell.state_dict()})

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype)]

    def step(self, x, state, derived):
        return [self.cell(x, state[0])]


class CoRNN(WorkbenchModel):
    """cornn (tk-rusch/coRNN): z += Δt(tanh(i2h([u, z, y])) − γy − εz); y += Δt z; the readout reads y."""

    def load_cell(self, tensors):
        self.i2h = nn.Linear(self.input_dim + 2 * self.units, self.units, dtype=self.dtype)
        self.i2h.load_state_dict({'weight': torch.as_tensor(tensors['i2h.weight']),
                                  'bias': torch.as_tensor(tensors['i2h.bias'])})

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype), torch.zeros(B, self.units, dtype=self.dtype)]

    def step(self, x, state, derived):
        y, z = state
        c = self.config
        z = z + c['dt'] * (torch.tanh(self.i2h(torch.cat([x, z, y], 1))) - c['gamma'] * y - c['epsilon'] * z)
        y = y + c['dt'] * z
        return [y, z]


def _skew_from_upper(p):
    upper = torch.triu(p, 1)
    return upper - upper.T


def _modrelu(z, b):
    return torch.sign(z) * torch.relu(z.abs() + b)


class ExpRNN(WorkbenchModel):
    """exprnn (lezcano/expRNN): W = exp(A), A = triu(P, 1) − triu(P, 1)ᵀ; h = modReLU(x Tᵀ + h W)."""

    def load_cell(self, tensors):
        _load_plain(self, tensors, ['recurrent_kernel.A', 'input_kernel.weight', 'nonlinearity.b'])

    def prepare(self):
        return {'W': torch.matrix_exp(_skew_from_upper(self.w('recurrent_kernel.A')))}

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype)]

    def step(self, x, state, derived):
        pre = x @ self.w('input_kernel.weight').T + state[0] @ derived['W']
        return [_modrelu(pre, self.w('nonlinearity.b'))]


class ScoRNN(WorkbenchModel):
    """scornn (SpartinStuff/scoRNN): W = (I + A)⁻¹(I − A)D, D = diag(+1 ×(N−ρ), −1 ×ρ); h = modReLU(x U + h W)."""

    def load_cell(self, tensors):
        _load_plain(self, tensors, ['A', 'b', 'U'])

    def prepare(self):
        n = self.units
        rho = min(int(self.config['negOnes']), n)
        A = _skew_from_upper(self.w('A'))
        eye = torch.eye(n, dtype=self.dtype)
        d = torch.ones(n, dtype=self.dtype)
        d[n - rho:] = -1
        return {'W': torch.linalg.solve(eye + A, eye - A) * d[None, :]}

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype)]

    def step(self, x, state, derived):
        return [_modrelu(x @ self.w('U') + state[0] @ derived['W'], self.w('b'))]


def _beta_mix(M, beta, gamma):
    """(1 − β)(M + Mᵀ) + β(M − Mᵀ) − γI (Lipschitz RNN's A and W, AntisymmetricRNN's K with β = 1)."""
    return beta * (M - M.T) + (1 - beta) * (M + M.T) - gamma * torch.eye(M.shape[0], dtype=M.dtype)


class LipschitzRNN(WorkbenchModel):
    """lipschitz (erichson/LipschitzRNN): h += ε(α h A + tanh(h W + x Eᵀ + b)), A, W β-mixed from B and C."""

    def load_cell(self, tensors):
        _load_plain(self, tensors, ['C', 'B', 'E.weight', 'E.bias'])

    def prepare(self):
        c = self.config
        return {'A': _beta_mix(self.w('B'), c['beta'], c['gammaA']),
                'W': _beta_mix(self.w('C'), c['beta'], c['gammaW'])}

    def drift(self, x, h, derived):
        z = x @ self.w('E.weight').T + self.w('E.bias')
        return self.config['alpha'] * (h @ derived['A']) + torch.tanh(h @ derived['W'] + z)

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype)]

    def step(self, x, state, derived):
        return [state[0] + self.config['eps'] * self.drift(x, state[0], derived)]


class NoisyRNN(LipschitzRNN):
    """noisy-rnn (erichson/NoisyRNN), evaluation mode (no noise): h += d ⊙ (α h A + tanh(h W + x Eᵀ + b))."""

    def load_cell(self, tensors):
        _load_plain(self, tensors, ['C', 'B', 'd', 'E.weight', 'E.bias'])

    def step(self, x, state, derived):
        return [state[0] + self.w('d') * self.drift(x, state[0], derived)]


class AntisymmetricRNN(WorkbenchModel):
    """antisymmetric (Chang et al. 2019): K = W_h − W_hᵀ − γI; h += ε tanh(K h + V_h x + b_h)."""

    gated = False

    def load_cell(self, tensors):
        names = ['W_h', 'V_h', 'b_h'] + (['V_z', 'b_z'] if self.gated else [])
        _load_plain(self, tensors, names)

    def prepare(self):
        return {'K': _beta_mix(self.w('W_h'), 1.0, self.config['gamma'])}

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype)]

    def step(self, x, state, derived):
        h = state[0]
        Kh = h @ derived['K'].T
        update = torch.tanh(Kh + x @ self.w('V_h').T + self.w('b_h'))
        if self.gated:
            update = torch.sigmoid(Kh + x @ self.w('V_z').T + self.w('b_z')) * update
        return [h + self.config['eps'] * update]


class AntisymmetricGatedRNN(AntisymmetricRNN):
    """antisymmetric-gated: the update scaled by z = σ(K h + V_z x + b_z)."""

    gated = True


class UnICORNN(WorkbenchModel):
    """unicornn (tk-rusch/unicornn), no dropout: per layer z −= Δt̂(tanh(w y + V u + b) + α y); y += Δt̂ z."""

    def load_cell(self, tensors):
        L = int(self.config['layers'])
        names = []
        for l in range(L):
            names += [f'DIs.{l}.fc.weight', f'DIs.{l}.fc.bias', f'RNNs.{l}.c_', f'RNNs.{l}.weight_hh']
        _load_plain(self, tensors, names)

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype) for _ in range(2 * int(self.config['layers']))]

    def step(self, x, state, derived):
        c = self.config
        out = []
        u = x
        for l in range(int(c['layers'])):
            y, z = state[2 * l], state[2 * l + 1]
            drive = u @ self.w(f'DIs.{l}.fc.weight').T + self.w(f'DIs.{l}.fc.bias')
            dt = c['dt'] * torch.sigmoid(self.w(f'RNNs.{l}.c_'))
            z = z - dt * (torch.tanh(self.w(f'RNNs.{l}.weight_hh') * y + drive) + c['alpha'] * y)
            y = y + dt * z
            out += [y, z]
            u = y
        return out

    def features(self, state):
        return state[2 * (int(self.config['layers']) - 1)]


class URNN(WorkbenchModel):
    """
    urnn (amarshah/complex_RNN), with complex tensors: z = W h + x V, W = D₃R₂F⁻¹D₂ΠR₁FD₁ (D_k = diag(e^{iθ_k}),
    F the unitary DFT, R_k h = h − 2 v̄_k (v_kᵀ h)/‖v_k‖², Π = numpy.random.RandomState(permSeed).permutation(n)),
    h = z · ReLU(|z| + b)/(|z| + 1e−5); h_0 learned; the readout reads [Re h | Im h].
    """

    complex_weights = ('V', 'reflection', 'h_0')

    def feature_size(self):
        return 2 * self.units

    def load_cell(self, tensors):
        for name in self.complex_weights:
            self.param(name, _complex(tensors, name))
        _load_plain(self, tensors, ['hidden_bias', 'theta'])
        perm = np.random.RandomState(int(self.config['permSeed'])).permutation(self.units)
        self.register_buffer('perm', torch.as_tensor(perm, dtype=torch.long))

    def init_state(self, B):
        return [self.w('h_0').expand(B, self.units)]

    def recurrent(self, h):
        theta, v = self.w('theta'), self.w('reflection')

        def diag(h, k):
            return h * torch.exp(1j * theta[k])

        def reflect(h, k):
            s = h @ v[k]  # vᵀh, no conjugate (the official times_reflection)
            return h - 2 * s[:, None] * v[k].conj()[None, :] / (v[k].abs() ** 2).sum()

        h = diag(h, 0)
        h = torch.fft.fft(h, norm='ortho')
        h = reflect(h, 0)
        h = h[:, self.perm]
        h = diag(h, 1)
        h = torch.fft.ifft(h, norm='ortho')
        h = reflect(h, 1)
        return diag(h, 2)

    def step(self, x, state, derived):
        z = self.recurrent(state[0]) + x.to(self.w('V').dtype) @ self.w('V')
        modulus = z.abs()
        return [z * (torch.relu(modulus + self.w('hidden_bias')) / (modulus + 1e-5))]

    def features(self, state):
        return torch.cat([state[0].real, state[0].imag], 1)


class VectorFieldRNN(WorkbenchModel):
    """
    vector-field (the workbench's construction after Azencot et al. 2021): W = exp(Δt·D), D built from the field
    V = ∇φ + δΨ + c on n latent nodes (core/models/cells/vector-field.ts); h = modReLU(W h + U x).
    """

    def load_cell(self, tensors):
        names = ['gradient.G', 'field.harmonic', 'input_kernel.weight', 'nonlinearity.b']
        if self.config['metric'] != 'identity':
            names.append('metric.m')
        if not self.config['divergenceFree']:
            names.append('potential.phi')
        if int(self.config['directions']) >= 2:
            names.append('potential.psi')
        _load_plain(self, tensors, names)

    def prepare(self):
        c, n, k = self.config, self.units, int(self.config['directions'])
        G = self.w('gradient.G')
        identity = c['metric'] == 'identity'
        mu = torch.ones(n, dtype=self.dtype) if identity else torch.nn.functional.softplus(self.w('metric.m'))
        cols = [self.w('field.harmonic')[j] * torch.ones(n, dtype=self.dtype) for j in range(k)]
        q = 0
        for a in range(k):
            for b in range(a + 1, k):
                psi = self.w('potential.psi')[q]
                cols[b] = cols[b] + G[a] @ psi  # ψ_ab = +ψ_q
                cols[a] = cols[a] - G[b] @ psi  # ψ_ba = −ψ_q
                q += 1
        lap = torch.zeros(n, dtype=self.dtype)
        if not c['divergenceFree']:
            phi = self.w('potential.phi')
            cols = [cols[j] + G[j] @ phi for j in range(k)]
            lap = sum(G[j].T @ (mu * (G[j] @ phi)) for j in range(k))
        V = torch.stack(cols, 1)
        raw = sum(V[:, j][:, None] * G[j] for j in range(k))
        m_raw = mu[:, None] * raw
        MD = 0.5 * (m_raw - m_raw.T) + torch.diag(0.5 * lap)
        D = MD / mu[:, None]
        return {'W': torch.matrix_exp(c['dt'] * D)}

    def init_state(self, B):
        return [torch.zeros(B, self.units, dtype=self.dtype)]

    def step(self, x, state, derived):
        pre = x @ self.w('input_kernel.weight').T + state[0] @ derived['W'].T
        return [_modrelu(pre, self.w('nonlinearity.b'))]


ARCHITECTURES = {
    'rnn-tanh': ElmanRNN,
    'irnn': IRNN,
    'lstm': LSTM,
    'gru': GRU,
    'cornn': CoRNN,
    'exprnn': ExpRNN,
    'scornn': ScoRNN,
    'lipschitz': LipschitzRNN,
    'noisy-rnn': NoisyRNN,
    'antisymmetric': AntisymmetricRNN,
    'antisymmetric-gated': AntisymmetricGatedRNN,
    'unicornn': UnICORNN,
    'urnn': URNN,
    'vector-field': VectorFieldRNN,
}


def build_model(arch, config, input_dim, output_dim, every, dtype=torch.float64):
    """An architecture's model without weights (call load_weights next)."""
    if arch not in ARCHITECTURES:
        raise ValueError(f'unknown architecture {arch!r} (known: {", ".join(ARCHITECTURES)})')
    return ARCHITECTURES[arch](config, input_dim, output_dim, every, dtype=dtype)


def load_model(path, dtype=torch.float64):
    """The model of an export file (safetensors or .npz), its weights loaded, in evaluation mode."""
    tensors, meta = read_weights(path)
    model = build_model(meta['arch'], json.loads(meta['arch_config']), int(meta['input_dim']),
                        int(meta['output_dim']), meta['every'] == 'true', dtype=dtype)
    return model.load_weights(tensors).eval()
