# Loads workbench exports in plain PyTorch and checks the forward outputs against the workbench's (run by pytorch.test.ts).
"""
Usage: /usr/bin/python3 torch_check.py CASES.json

CASES.json: a list of {name, arch, files: {safetensors, npz}, x: {shape, data}, expected: {shape, data}}, written by
test/core/export/pytorch.test.ts. For every case and file the model is rebuilt with the shipped module
export/pytorch/rnnwb_torch.py from the file alone (its metadata names the architecture and config):

- safetensors: parsed by the minimal reader below (struct + json, not the safetensors package and not the shipped
  module's reader), the tensors handed to build_model(...).load_weights;
- npz: numpy.load, the tensors handed to load_weights likewise;
- both again through the module's own load_model(path).

The outputs must match the workbench's within rtol 1e-5, atol 1e-5 (float64 here, float32 there). Prints one line per
check and a JSON summary last; exits 1 on any failure, 3 when torch cannot be imported (the caller skips).
"""

import json
import os
import struct
import sys

import numpy as np

try:
    import torch
except ImportError as e:  # the test skips with this message
    print(f'SKIP: this interpreter has no torch ({e})')
    sys.exit(3)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'export', 'pytorch'))
import rnnwb_torch as rw  # noqa: E402

RTOL, ATOL = 1e-5, 1e-5


def minimal_safetensors(path):
    """Independent reader: u64 LE header size, JSON header, little-endian float32 data at data_offsets."""
    with open(path, 'rb') as fh:
        raw = fh.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n].decode('utf8'))
    meta = header.pop('__metadata__')
    assert all(isinstance(v, str) for v in meta.values()), 'metadata values must be strings'
    out = {}
    for name, e in header.items():
        assert e['dtype'] == 'F32', (name, e['dtype'])
        begin, end = e['data_offsets']
        count = int(np.prod(e['shape'])) if e['shape'] else 1
        assert end - begin == 4 * count, name
        out[name] = np.array(struct.unpack(f'<{count}f', raw[8 + n + begin:8 + n + end]),
                             dtype=np.float32).reshape(e['shape'])
    return out, meta


def npz_tensors(path):
    with np.load(path) as z:
        tensors = {k: z[k] for k in z.files if k != '__metadata__'}
        meta = json.loads(bytes(z['__metadata__']).decode('utf8'))
    for k, v in tensors.items():
        assert v.dtype in (np.float32, np.complex64), (k, v.dtype)
    return tensors, meta


def build(tensors, meta):
    model = rw.build_model(meta['arch'], json.loads(meta['arch_config']), int(meta['input_dim']),
                           int(meta['output_dim']), meta['every'] == 'true')
    return model.load_weights(tensors).eval()


def main():
    cases = json.load(open(sys.argv[1]))
    results = []
    failed = 0
    for case in cases:
        x = np.array(case['x']['data'], dtype=np.float32).reshape(case['x']['shape'])
        expected = np.array(case['expected']['data'], dtype=np.float64).reshape(case['expected']['shape'])
        models = {}
        tensors, meta = minimal_safetensors(case['files']['safetensors'])
        models['safetensors (minimal reader)'] = build(tensors, meta)
        tensors, meta = npz_tensors(case['files']['npz'])
        models['npz (numpy.load)'] = build(tensors, meta)
        models['safetensors (load_model)'] = rw.load_model(case['files']['safetensors'])
        models['npz (load_model)'] = rw.load_model(case['files']['npz'])
        for how, model in models.items():
            with torch.no_grad():
                got = model(torch.from_numpy(x)).numpy()
            ok = got.shape == expected.shape and np.allclose(got, expected, rtol=RTOL, atol=ATOL)
            err = float(np.max(np.abs(got - expected))) if got.shape == expected.shape else float('inf')
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {case['name']:<28} {how:<30} max |diff| {err:.2e}")
            results.append({'name': case['name'], 'how': how, 'ok': bool(ok), 'maxAbsDiff': err})
    print(json.dumps({'torch': torch.__version__, 'numpy': np.__version__, 'checks': len(results),
                      'failed': failed, 'worstAbsDiff': max((r['maxAbsDiff'] for r in results), default=0.0)}))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
