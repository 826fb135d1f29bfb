"""python -m cnncourse.bench.gpu [--json PATH]: what a GPU adds to a convolution (S75).

With PyTorch (the GPU machine had no TensorFlow): x (N,32,28,28), w (64,32,3,3), padding 1,
float32, N = 32 and 256; median ms of forward, forward+backward, and forward with the copies to
and from the GPU; on the GPU and on the same machine's CPU, 1 thread and all. One run of it is
gpu_record.json.
"""
import json, os, platform, sys, time  # noqa: E401
from pathlib import Path

RECORD = Path(__file__).with_name("gpu_record.json")


def _ms(fn, sync, repeat=20):
    times = []
    for _ in range(repeat + 1):
        t = time.perf_counter(); fn(); sync()  # noqa: E702
        times.append(time.perf_counter() - t)
    return sorted(times[1:])[repeat // 2] * 1e3


def measure():
    import torch
    from torch.nn.functional import conv2d
    cuda, cores, rows = torch.cuda.is_available(), os.cpu_count(), []
    for n in (32, 256):
        g = torch.Generator().manual_seed(0)
        x, w, d = (torch.randn(s, generator=g) for s in ((n, 32, 28, 28), (64, 32, 3, 3),
                                                          (n, 64, 28, 28)))
        for threads in ([0] if cuda else []) + sorted({1, cores}):
            dev = "cuda" if threads == 0 else "cpu"
            torch.set_num_threads(threads or cores)
            sync = torch.cuda.synchronize if threads == 0 else (lambda: None)
            xd, wd, dd = (a.to(dev).requires_grad_(a is not d) for a in (x, w, d))

            def fwd_bwd():
                xd.grad = wd.grad = None
                conv2d(xd, wd, padding=1).backward(dd)
            with torch.no_grad():
                row = dict(device=dev, threads=threads, n=n,
                           forward_ms=_ms(lambda: conv2d(xd, wd, padding=1), sync),
                           copies_ms=_ms(lambda: conv2d(x.to(dev), w.to(dev), padding=1).cpu(),
                                         sync))
            rows.append(dict(row, forward_backward_ms=_ms(fwd_bwd, sync)))
    return {"machine": {"gpu": torch.cuda.get_device_name(0) if cuda else None,
                        "cpu_cores": cores, "torch": torch.__version__,
                        "python": platform.python_version(), "when": time.strftime("%Y-%m-%d")},
            "rows": rows}


def table(record):
    m = record["machine"]
    lines = [f"{m['gpu']}, {m['cpu_cores']} CPU cores, PyTorch {m['torch']}, {m['when']}",
             f"{'where':<12}{'N':>5}{'forward':>10}{'fwd+bwd':>10}{'fwd+copies':>12}  (ms)"]
    for r in record["rows"]:
        where = "GPU" if r["device"] == "cuda" else f"CPU {r['threads']} thr"
        lines.append(f"{where:<12}{r['n']:>5}{r['forward_ms']:>10.2f}"
                     f"{r['forward_backward_ms']:>10.2f}{r['copies_ms']:>12.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    record = measure()
    print(table(record))
    if sys.argv[1:2] == ["--json"]:
        Path(sys.argv[2]).write_text(json.dumps(record, indent=1) + "\n")
