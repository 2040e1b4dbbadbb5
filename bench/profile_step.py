"""Where a training step's time goes: torch.profiler over training steps of seed 004's residual CNN (forward,
cross-entropy, backward, AdamW step, batch 512), eagerly and through `torch.compile`, with the operators' own
time grouped into convolutions, batch norm, the optimizer, compiled (fused) kernels and the rest. Writes a run record.

  python bench/profile_step.py [--steps 10] [--bs 512] [--device cpu] [--no-compile] [--record nbs/records/profile_cpu.json]

The step time is measured apart from the profile (the profiler adds its own overhead); the shares are of the
profiled operators' self time."""
import argparse, time
from collections import defaultdict
import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile
from experiment import _START, command, report
from slowcnn.all import *

GROUPS = [  # (group, test on the operator's name); the first that matches wins
    ('convolution', lambda n: 'conv' in n and 'backward' not in n),
    ('convolution backward', lambda n: 'conv' in n and 'backward' in n),
    ('batch norm', lambda n: 'batch_norm' in n or 'batchnorm' in n),
    ('optimizer', lambda n: '_foreach_' in n or 'optimizer' in n or 'adam' in n),
    ('compiled (fused) kernels', lambda n: 'compiledfxgraph' in n or 'cpp_fused' in n or 'triton' in n or 'compiledfunction' in n),
    ('elementwise and reductions', lambda n: n.startswith('aten::')),
]

def group_of(name: str) -> str:
    "The group of a profiled operator, by its name."
    n = name.lower()
    return next((g for g, test in GROUPS if test(n)), 'other')

def step_fn(model, opt, xb, yb):
    "One training step, as the Learner takes it (no host read)."
    loss = F.cross_entropy(model(xb), yb)
    loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)

def measure(name, model, fwd, xb, yb, steps, device):
    "Time `steps` steps (after warming up, compilation included), then profile `steps` more; returns a result row."
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    t0 = time.perf_counter()
    for _ in range(3): step_fn(fwd, opt, xb, yb)
    sync_device(device); warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(steps): step_fn(fwd, opt, xb, yb)
    sync_device(device); step_s = (time.perf_counter() - t0) / steps
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == 'cuda' else [])
    with profile(activities=acts) as prof:
        for _ in range(steps): step_fn(fwd, opt, xb, yb)
        sync_device(device)
    dev_time = 'self_device_time_total' if device.type == 'cuda' else 'self_cpu_time_total'
    ops = [(e.key, getattr(e, dev_time) / steps / 1e3, e.count // steps) for e in prof.key_averages()]
    ops = [o for o in ops if o[1] > 0]
    total = sum(ms for _, ms, _ in ops)
    groups = defaultdict(float)
    for key, ms, _ in ops: groups[group_of(key)] += ms
    top = sorted(ops, key=lambda o: -o[1])[:12]
    print(f'{name}: {1e3*step_s:.1f} ms per step (warm-up {warm:.1f} s); profiled operators {total:.1f} ms per step')
    for g, ms in sorted(groups.items(), key=lambda kv: -kv[1]): print(f'  {g:28s} {ms:8.1f} ms  {100*ms/total:5.1f}%')
    return {'variant': name, 'step_ms': 1e3 * step_s, 'warmup_s': warm, 'profiled_ms': total,
            'groups': {g: {'ms': ms, 'share': ms / total} for g, ms in groups.items()},
            'top': [{'op': k, 'ms': ms, 'calls': c, 'group': group_of(k)} for k, ms, c in top]}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--steps', type=int, default=10); p.add_argument('--bs', type=int, default=512)
    p.add_argument('--device'); p.add_argument('--no-compile', action='store_true'); p.add_argument('--record')
    a = p.parse_args()
    _START['git'] = git_state()
    device = resolve_device(a.device)
    dls = fashion_mnist(bs=a.bs, device=device)
    xb, yb = dls.train.x[:a.bs], dls.train.y[:a.bs]
    results = []
    for name in ['eager'] + ([] if a.no_compile else ['torch.compile']):
        set_seed(0); model = create_model('residual_cnn').to(device)
        fwd = torch.compile(model) if name == 'torch.compile' else model
        results.append(measure(name, model, fwd, xb, yb, a.steps, device))
        if a.record:
            report(a.record, {**provenance(command(), device), 'git': _START['git'], 'kind': 'profile', 'smoke': False,
                              'recipe': {'model': 'residual_cnn', 'bs': a.bs, 'optimizer': 'AdamW', 'steps': a.steps,
                                         'time': 'self device time' if device.type == 'cuda' else 'self CPU time'},
                              'runs': results})

if __name__ == '__main__': main()
