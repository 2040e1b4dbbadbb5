"""The Learner's own host work per batch: the hand-written loop of `bench_learner.py` and the default Learner, timed
side by side on a model so small (one linear layer) that the arithmetic is almost nothing and what is left is each
loop's Python and launches. The difference per batch bounds what the Learner's callbacks, schedule and buffered
metrics can add to a fit on any device whose host is this fast.

  python bench/host_overhead.py [--images 16384] [--bs 64] [--reps 5] [--record nbs/records/host_overhead_cpu.json]"""
import argparse, statistics, sys, time
from pathlib import Path
import torch
from torch import nn
from slowcnn.all import *
from bench_learner import hand_loop, run_learner

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--images', type=int, default=16384); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--reps', type=int, default=5); p.add_argument('--record')
    a = p.parse_args()
    torch.set_num_threads(1)  # one thread: the host's own work, without the pool's hand-offs for tiny tensors
    dls = fashion_mnist(bs=a.bs)
    dls.train.x, dls.train.y = dls.train.x[:a.images], dls.train.y[:a.images]
    dls.valid.x, dls.valid.y = dls.valid.x[:a.images // 4], dls.valid.y[:a.images // 4]
    batches = len(dls.train) + len(dls.valid)
    variants = {'hand-written loop': lambda m: hand_loop(m, dls, 1, 1e-2, torch.device('cpu')),
                'Learner': lambda m: run_learner(m, dls, 1, 1e-2, torch.device('cpu'))}
    times = {k: [] for k in variants}
    for rep in range(a.reps + 1):  # rep 0 warms up and is not counted
        for k in (variants if rep % 2 == 0 else list(variants)[::-1]):
            set_seed(rep); model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            t0 = time.perf_counter(); variants[k](model); dt = time.perf_counter() - t0
            if rep: times[k].append(dt)
    per_batch = {k: 1e6 * statistics.median(ts) / batches for k, ts in times.items()}
    extra = per_batch['Learner'] - per_batch['hand-written loop']
    for k, us in per_batch.items(): print(f'{k:18s} {us:7.1f} us per batch (median of {a.reps}; {batches} batches a fit)')
    print(f"the Learner's own work: {extra:+.1f} us per batch")
    if a.record:
        from slowcnn.records import provenance, write_record
        rec = {**provenance('python ' + ' '.join(sys.argv), torch.device('cpu')), 'kind': 'benchmark', 'name': 'host_overhead', 'smoke': False,
               'recipe': {'model': 'Linear(784, 10)', 'images': a.images, 'valid_images': len(dls.valid.x), 'bs': a.bs, 'batches': batches,
                          'threads': 1, 'optimizer': 'AdamW', 'schedule': 'one_cycle'},
               'results': [{'variant': k, 'seconds': ts, 'us_per_batch': per_batch[k]} for k, ts in times.items()],
               'learner_extra_us_per_batch': extra}
        print('wrote', write_record(rec, Path(a.record)))

if __name__ == '__main__': main()
