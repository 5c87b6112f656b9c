#!/usr/bin/env python3
"""PyTorch CPU reference for bench/step-time.ts: ms per training step of coRNN or LSTM, and peak RSS.

One step = zero_grad, forward over the whole sequence, MSE (or --loss ce) on the readout of the last step, backward
through time, Adam update (lr 1e-3) -- the same work as core/training/loop.ts `Stepper.step`.

coRNN is written as the official cell (tk-rusch/coRNN, psMNIST/network.py `coRNNCell`): one
nn.Linear(d + 2N -> N) on cat(x, z, y), explicit damping, a Python loop over time, the readout an
nn.Linear on the last y. LSTM is torch.nn.LSTM with an nn.Linear on the last output.

Run (from the repository root; step-time.ts does this for you):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/torch_step.py --model cornn
Prints exactly one JSON line on stdout; {"ok": false, "error": ...} when torch cannot be imported.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time


def loaded_libraries(pattern_words):
    """Shared objects of this process whose path names one of `pattern_words` (which BLAS really got loaded)."""
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if line.strip() else ""
                if path.startswith("/") and any(w in os.path.basename(path) for w in pattern_words):
                    found.add(path)
    except OSError:
        pass  # not Linux: the list is informational only
    return sorted(found)


def peak_rss_mb():
    # ru_maxrss is KiB on Linux (bytes on macOS); the workbench runs these benches on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_model(torch, nn, args):
    class CoRNNCell(nn.Module):
        """z <- z + dt (tanh(W [x, z, y] + b) - gamma y - eps z);  y <- y + dt z   (official code's update)."""

        def __init__(self, n_inp, n_hid, dt, gamma, epsilon):
            super().__init__()
            self.dt, self.gamma, self.epsilon = dt, gamma, epsilon
            self.i2h = nn.Linear(n_inp + 2 * n_hid, n_hid)

        def forward(self, x, hy, hz):
            drive = torch.tanh(self.i2h(torch.cat((x, hz, hy), 1))) - self.gamma * hy - self.epsilon * hz
            hz = hz + self.dt * drive
            hy = hy + self.dt * hz
            return hy, hz

    class CoRNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = CoRNNCell(args.input, args.hidden, args.dt, args.gamma, args.epsilon)
            self.readout = nn.Linear(args.hidden, args.output)

        def forward(self, x):
            hy = x.new_zeros(x.size(1), args.hidden)
            hz = x.new_zeros(x.size(1), args.hidden)
            for t in range(x.size(0)):
                hy, hz = self.cell(x[t], hy, hz)
            return self.readout(hy)

    class LSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(args.input, args.hidden)
            self.readout = nn.Linear(args.hidden, args.output)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.readout(out[-1])

    return CoRNN() if args.model == "cornn" else LSTM()


def cpu_seconds():
    # All threads of this process (OpenMP workers included): lets the caller tell our CPU use from others'.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def runqueue_wait_s():
    """Seconds the main thread has spent runnable but waiting for a CPU (Linux schedstat), or None elsewhere.

    The main thread only, as bench/step-time.ts does for Node: it runs the Python loop over time and its share
    of every GEMM, so its waiting is the part of a step's time that measured the machine's other load."""
    try:
        with open("/proc/self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=["cornn", "lstm"], required=True)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--length", type=int, default=256)
    ap.add_argument("--input", type=int, default=1)
    ap.add_argument("--output", type=int, default=1)
    ap.add_argument(
        "--loss",
        choices=["mse", "ce"],
        default="mse",
        help="mse on random targets, or cross-entropy over --output classes (psMNIST: 10)",
    )
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (the bench machine has 2 cores)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dt", type=float, default=0.06)
    ap.add_argument("--gamma", type=float, default=66.0)
    ap.add_argument("--epsilon", type=float, default=15.0)
    ap.add_argument(
        "--no-flush-denormal",
        action="store_true",
        help="leave denormals on (PyTorch's own default); coRNN's backward then runs several times slower",
    )
    args = ap.parse_args()
    if args.steps < 1:
        ap.error("--steps must be at least 1")

    try:
        import torch
        from torch import nn
    except Exception as err:  # any import failure means "no reference here", not a crash of the TS bench
        print(json.dumps({"ok": False, "error": f"cannot import torch under {sys.executable}: {err}"}), flush=True)
        return 3

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    # On by default because PyTorch users do turn it on for these cells: coRNN's states decay into the
    # denormal range, and without FTZ/DAZ the backward pass is dominated by denormal arithmetic.
    want_flush = not args.no_flush_denormal
    flush = torch.set_flush_denormal(want_flush) and want_flush  # False where the CPU lacks FTZ/DAZ

    model = build_model(torch, nn, args)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss() if args.loss == "mse" else nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed + 1)
    x = torch.rand(args.length, args.batch, args.input, generator=gen)  # time-major [T, B, D], as the workbench
    if args.loss == "mse":
        y = torch.rand(args.batch, args.output, generator=gen)
    else:
        y = torch.randint(0, args.output, (args.batch,), generator=gen)

    times, forward_ms, backward_ms = [], [], []
    loss_value = float("nan")
    wait0 = timed0 = None
    for i in range(args.warmup + args.steps):
        if i == args.warmup:
            wait0, timed0 = runqueue_wait_s(), time.perf_counter()
        t0 = time.perf_counter()
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        optimizer.step()
        loss_value = loss.item()
        t3 = time.perf_counter()
        print(f"torch {args.model} step {i + 1}/{args.warmup + args.steps}: {(t3 - t0) * 1e3:.1f} ms", file=sys.stderr)
        if i >= args.warmup:
            times.append((t3 - t0) * 1e3)
            forward_ms.append((t1 - t0) * 1e3)
            backward_ms.append((t2 - t1) * 1e3)
    wait1, timed_s = runqueue_wait_s(), time.perf_counter() - timed0
    cpu_wait = (wait1 - wait0) / timed_s if wait0 is not None and wait1 is not None else None

    result = {
        "ok": True,
        "engine": "pytorch-cpu",
        "model": args.model,
        "loss": args.loss,
        "hidden": args.hidden,
        "batch": args.batch,
        "length": args.length,
        "params": sum(p.numel() for p in model.parameters()),
        "warmup": args.warmup,
        "steps": args.steps,
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "forward_median_ms": statistics.median(forward_ms),
        "backward_median_ms": statistics.median(backward_ms),
        "times_ms": [round(t, 2) for t in times],
        "peak_rss_mb": peak_rss_mb(),
        "cpu_s": cpu_seconds(),
        "cpu_wait": cpu_wait,
        "last_loss": loss_value,
        "flush_denormal": bool(flush),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "blas": loaded_libraries(("blas", "gomp", "mkl")),
        "LD_LIBRARY_PATH": os.environ.get("LD_LIBRARY_PATH"),
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
