"""The CPU's convolutions kernel by kernel: oneDNN's own log (its verbose mode) over training steps of seed 004's
residual CNN (forward, cross-entropy, backward, AdamW, batch 512), eagerly in the default layout, eagerly in
channels_last, and through `torch.compile`. Each primitive's time is summed per step by kind (forward, backward to
the data, backward to the weights, layout reorders), each convolution's arithmetic rate is computed from its shape,
and the machine's float32 matrix-multiply rate (torch.mm, same threads) is measured beside them as the yardstick.
Writes a run record.

  python bench/onednn_profile.py [--steps 4] [--bs 512] [--rounds 3] [--no-compile] [--record nbs/records/onednn_cpu.json]

The step times are measured apart, with the log off (logging adds its own time), in rounds that alternate the
variants and the matrix-multiply yardstick; the fastest round of each counts, since a shared machine's noise only
ever adds time."""
import argparse, contextlib, ctypes, os, re, sys, tempfile, time
from collections import defaultdict
import torch
import torch.nn.functional as F
from slowcnn.all import *

SHAPE = re.compile(r'(mb|g|ic|oc|id|ih|iw|od|oh|ow|kd|kh|kw)(\d+)')

def conv_flops(desc: str) -> float:
    "Floating-point operations of one convolution from oneDNN's shape descriptor (the same count forward and backward)."
    d = {'g': 1, 'kd': 1, 'od': 1} | {k: int(v) for k, v in SHAPE.findall(desc)}
    return 2 * d['mb'] * d['oc'] * d['od'] * d['oh'] * d['ow'] * d['ic'] // d['g'] * d['kd'] * d['kh'] * d['kw']

@contextlib.contextmanager
def c_stdout_to(path):
    "Send what C code prints to stdout (oneDNN's log) into the file `path` while the block runs."
    libc = ctypes.CDLL(None)
    sys.stdout.flush(); libc.fflush(None)
    saved = os.dup(1)
    try:
        with open(path, 'wb') as f: os.dup2(f.fileno(), 1)
        yield
    finally:
        libc.fflush(None); sys.stdout.flush(); os.dup2(saved, 1); os.close(saved)

def parse(log: str, steps: int) -> list[dict]:
    "oneDNN's executed primitives, summed per step by (kind, implementation, propagation, shape), with how often each ran."
    ms, calls = defaultdict(float), defaultdict(int)
    for line in log.splitlines():
        p = line.split(',')
        if not line.startswith('onednn_verbose') or 'exec' not in p or len(p) < 8: continue
        i = p.index('exec')
        try: t = float(p[-1])
        except ValueError: continue
        key = (p[i + 2], p[i + 3], p[i + 4], p[-2])
        ms[key] += t / steps; calls[key] += 1
    # layers of the same shape share a key: their arithmetic counts once per call
    return [{'kind': k, 'impl': impl, 'prop': prop, 'shape': shape, 'ms': t, 'calls_per_step': calls[k, impl, prop, shape] / steps,
             **({'gflops': conv_flops(shape) * calls[k, impl, prop, shape] / steps / t / 1e6} if k == 'convolution' and t > 0 else {})}
            for (k, impl, prop, shape), t in sorted(ms.items(), key=lambda kv: -kv[1])]

def matmul_gflops(n=2048, reps=10) -> float:
    "The float32 rate of an n x n matrix product on this machine, in GFLOP/s: the yardstick for the convolutions."
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(2): a @ b
    t0 = time.perf_counter()
    for _ in range(reps): a @ b
    return 2 * n**3 * reps / (time.perf_counter() - t0) / 1e9

def training_step(bs, xb, yb, channels_last=False, compiled=False):
    "One training step of a fresh residual CNN (forward, cross-entropy, backward, AdamW), as a function to call."
    set_seed(0); model = create_model('residual_cnn')
    if channels_last: model, xb = model.to(memory_format=torch.channels_last), xb.contiguous(memory_format=torch.channels_last)
    fwd = torch.compile(model) if compiled else model
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    def step():
        loss = F.cross_entropy(fwd(xb), yb); loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    return step

def timed(step, n) -> float:
    "Milliseconds per call of `step`, over `n` calls."
    t0 = time.perf_counter()
    for _ in range(n): step()
    return 1e3 * (time.perf_counter() - t0) / n

def logged(name, step, steps, times, warm) -> dict:
    "oneDNN's primitives per step (its log on) for one variant, with its step times (log off)."
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'onednn.log')
        with c_stdout_to(path), torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
            logged_ms = timed(step, steps)  # the logged steps' own time: what oneDNN's share is a share of
        prims = parse(open(path, errors='replace').read(), steps)
    by = defaultdict(float)
    for p in prims: by[p['prop'] if p['kind'] == 'convolution' else p['kind']] += p['ms']
    convs = [p for p in prims if p['kind'] == 'convolution']
    conv_ms = sum(p['ms'] for p in convs)
    rate = sum(conv_flops(p['shape']) * p['calls_per_step'] for p in convs) / conv_ms / 1e6 if conv_ms else None
    print(f"{name}: {min(times):.0f} ms per step (fastest of {len(times)} rounds; warm-up {warm:.1f} s); oneDNN {sum(by.values()):.0f} ms "
          f"of a logged step's {logged_ms:.0f} ms: " + ', '.join(f'{k} {v:.0f} ms' for k, v in sorted(by.items(), key=lambda kv: -kv[1]))
          + (f'; convolutions at {rate:.0f} GFLOP/s overall' if rate else ''), flush=True)
    return {'variant': name, 'step_ms': min(times), 'step_ms_rounds': times, 'warmup_s': warm, 'logged_step_ms': logged_ms, 'onednn_ms': sum(by.values()),
            'by_kind_ms': dict(by), 'conv_gflops': rate, 'primitives': prims}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--steps', type=int, default=4); p.add_argument('--bs', type=int, default=512)
    p.add_argument('--rounds', type=int, default=3); p.add_argument('--no-compile', action='store_true'); p.add_argument('--record')
    a = p.parse_args()
    for k in ('steps', 'bs', 'rounds'):
        if getattr(a, k) < 1: p.error(f'--{k} must be at least 1, found {getattr(a, k)}')
    if not a.no_compile and cxx_compiler() is None:
        p.error('torch.compile needs a C++ compiler on the CPU and none was found ($CXX, else g++: install one or set $CXX), or pass --no-compile')
    if not torch.backends.mkldnn.is_available(): sys.exit('onednn_profile: this torch build has no oneDNN (mkldnn), so there is nothing to log')
    git = git_state()
    try: dls = fashion_mnist(bs=a.bs)
    except DataError as e: sys.exit(f'onednn_profile: {e}')  # no data: one line, no traceback
    xb, yb = dls.train.x[:a.bs], dls.train.y[:a.bs]
    variants = {'eager': {}, 'eager, channels_last': {'channels_last': True}, **({} if a.no_compile else {'torch.compile': {'compiled': True}})}
    steps, warm = {}, {}
    for name, kw in variants.items():  # built and warmed up (compiled) first, so that the rounds below time only steps
        t0 = time.perf_counter(); steps[name] = training_step(a.bs, xb, yb, **kw); timed(steps[name], 3); warm[name] = time.perf_counter() - t0
    # the machine's speed drifts: the variants and the yardstick alternate in rounds, and the fastest round counts
    # (noise only ever adds time)
    times, mm = {name: [] for name in variants}, []
    for r in range(a.rounds):
        mm.append(matmul_gflops())
        for name in (list(variants) if r % 2 == 0 else list(variants)[::-1]):
            steps[name]()  # untimed: the step before it (or the yardstick's matrices) left other data in the caches
            times[name].append(timed(steps[name], a.steps))
    print(f'float32 matrix multiply (torch.mm, 2048 x 2048, {torch.get_num_threads()} threads): {max(mm):.0f} GFLOP/s (fastest of {a.rounds} rounds)', flush=True)
    runs = [logged(name, steps[name], a.steps, times[name], warm[name]) for name in variants]
    if a.record:
        rec = {**provenance('python ' + ' '.join(sys.argv), torch.device('cpu')), 'git': git, 'kind': 'profile', 'name': 'onednn',
               'smoke': a.bs != 512 or a.steps < 2 or a.rounds < 3 or a.no_compile,  # a result: the seed's batch, every variant, a few rounds
               'recipe': {'model': 'residual_cnn', 'bs': a.bs, 'optimizer': 'AdamW', 'steps': a.steps, 'rounds': a.rounds, 'time': "oneDNN's own log"},
               'matmul_gflops': max(mm), 'matmul_gflops_rounds': mm, 'runs': runs}
        print('wrote', write_record(rec, a.record))

if __name__ == '__main__': main()
