"""python -m cnncourse.bench.gpu [--json PATH] [--repeat R]   (needs PyTorch; a GPU if there is one)

What a GPU adds to a convolution (S75, 003 fig 4-12), measured where one is available. The case
of ``python -m cnncourse.bench ops``: x (N,28,28,32) float32, w (3,3,32,64), padding "same",
for N = 32 and N = 256; forward, and forward + backward (dx, dw, db). Side by side on one machine:
  - PyTorch's cuDNN kernels on the GPU: the computation alone (inputs already on the GPU,
    timed with torch.cuda.synchronize), and with the copies to and from the GPU;
  - PyTorch's CPU kernels on the same machine's cores, 1 thread and all of them;
  - cnncourse.ops (NumPy) conv2d and conv2d_backward on that CPU, 1 BLAS thread and all.
TensorFlow is not needed. The course keeps one such record in ``gpu_record.json`` beside this
file; notebook 11 prints it. Prints a table; --json writes the record.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

RECORD = Path(__file__).with_name("gpu_record.json")


def _median_ms(fn, repeat, sync=lambda: None):
    fn()
    sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def measure(batches=(32, 256), repeat=20):
    """Returns the record: {"machine": {...}, "rows": [{"what", "device", "threads", "n",
    "forward_ms", "forward_backward_ms"}, ...]}."""
    import torch
    from threadpoolctl import threadpool_limits

    from cnncourse import ops

    cores = os.cpu_count()
    rows = []
    cuda = torch.cuda.is_available()
    for n in batches:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((n, 28, 28, 32)).astype(np.float32)
        w = rng.standard_normal((3, 3, 32, 64)).astype(np.float32)
        dout = rng.standard_normal((n, 28, 28, 64)).astype(np.float32)
        xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())          # NCHW
        wt = torch.from_numpy(w.transpose(3, 2, 0, 1).copy())          # (FN,C,FH,FW)
        dt = torch.from_numpy(dout.transpose(0, 3, 1, 2).copy())
        bt = torch.zeros(64)

        def torch_pair(device):
            xd, wd, bd, dd = (a.to(device) for a in (xt, wt, bt, dt))
            xd.requires_grad_(True), wd.requires_grad_(True), bd.requires_grad_(True)

            def fwd():
                with torch.no_grad():
                    return torch.nn.functional.conv2d(xd, wd, bd, padding=1)

            def fwd_bwd():
                xd.grad = wd.grad = bd.grad = None
                torch.nn.functional.conv2d(xd, wd, bd, padding=1).backward(dd)
            return fwd, fwd_bwd

        def numpy_pair():
            return (lambda: ops.conv2d(x, w, padding="same"),
                    lambda: (ops.conv2d(x, w, padding="same"),
                             ops.conv2d_backward(dout, x, w, padding="same")))

        if cuda:
            sync = torch.cuda.synchronize
            fwd, fwd_bwd = torch_pair("cuda")
            rows.append(dict(what="PyTorch cuDNN, data on the GPU", device="gpu", threads=None,
                             n=n, forward_ms=_median_ms(fwd, repeat, sync),
                             forward_backward_ms=_median_ms(fwd_bwd, repeat, sync)))

            def copy_fwd():
                return torch.nn.functional.conv2d(xt.to("cuda"), wt.to("cuda"),
                                                  padding=1).cpu()
            rows.append(dict(what="PyTorch cuDNN, with copies to and from the GPU", device="gpu",
                             threads=None, n=n, forward_ms=_median_ms(copy_fwd, repeat, sync),
                             forward_backward_ms=None))
        for threads in sorted({1, cores}):
            torch.set_num_threads(threads)
            fwd, fwd_bwd = torch_pair("cpu")
            rows.append(dict(what="PyTorch CPU", device="cpu", threads=threads, n=n,
                             forward_ms=_median_ms(fwd, repeat),
                             forward_backward_ms=_median_ms(fwd_bwd, repeat)))
            with threadpool_limits(limits=threads, user_api="blas"):
                fwd, fwd_bwd = numpy_pair()
                rows.append(dict(what="cnncourse.ops (NumPy)", device="cpu", threads=threads,
                                 n=n, forward_ms=_median_ms(fwd, max(3, repeat // 4)),
                                 forward_backward_ms=_median_ms(fwd_bwd, max(3, repeat // 4))))
    machine = {"gpu": torch.cuda.get_device_name(0) if cuda else None,
               "cudnn": torch.backends.cudnn.version() if cuda else None,
               "torch": torch.__version__, "numpy": np.__version__, "cpu_cores": cores,
               "cpu": platform.processor() or platform.machine(),
               "python": platform.python_version(),
               "when": time.strftime("%Y-%m-%d"),
               "command": "python -m cnncourse.bench.gpu --json cnncourse/bench/gpu_record.json"}
    return {"case": "x (N,28,28,32) float32, w (3,3,32,64), padding 'same'", "machine": machine,
            "rows": rows}


def format_table(record):
    """The record as a text table (milliseconds, median)."""
    m = record["machine"]
    lines = [f"{record['case']}; {m['gpu'] or 'no GPU'}, {m['cpu_cores']} CPU cores, "
             f"PyTorch {m['torch']}, measured {m['when']}",
             f"{'what':<48}{'threads':>8}{'N':>5}{'forward ms':>12}{'fwd+bwd ms':>12}"]
    for r in record["rows"]:
        fb = "" if r["forward_backward_ms"] is None else f"{r['forward_backward_ms']:.2f}"
        lines.append(f"{r['what']:<48}{r['threads'] or '':>8}{r['n']:>5}"
                     f"{r['forward_ms']:>12.2f}{fb:>12}")
    return "\n".join(lines)


def load_record(path=RECORD):
    """The record the course ships (measured once on a GPU machine, see the module docstring)."""
    return json.loads(Path(path).read_text())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m cnncourse.bench.gpu")
    parser.add_argument("--json", type=Path, help="write the record here")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    record = measure(repeat=args.repeat)
    print(format_table(record))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(record, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
