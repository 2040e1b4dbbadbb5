"""The Learner's own host work per batch: the hand-written loop of `bench_learner.py` and the default Learner, timed
side by side on a model so small (one linear layer) that the arithmetic is almost nothing and what is left is each
loop's Python and launches. The difference per batch (the median of each repetition's difference: the two loops run
back to back in each, so the machine's drift between repetitions cancels) bounds what the Learner's callbacks, schedule and buffered
metrics can add to a fit on any device whose host is this fast.

It also counts the tensor operations (aten operators) that each loop dispatches per training batch of seed 004's
residual CNN on the CPU: a fit of 16 batches minus a fit of 8, so the validation pass and what a fit does once
cancel out. The totals are the CPU's (there AdamW updates one parameter at a time; on a GPU it uses foreach kernels);
the difference between the two loops is their metric bookkeeping, the same code on every device.

  python bench/host_overhead.py [--images 16384] [--bs 64] [--reps 5] [--record nbs/records/host_overhead_cpu.json]"""
import argparse, collections, statistics, sys, time
from pathlib import Path
import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from slowcnn.all import *
from bench_learner import hand_loop, run_learner

class OpCounter(TorchDispatchMode):
    "Counts the aten operators dispatched while it is active, by name."
    def __init__(self):
        super().__init__(); self.counts = collections.Counter()
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[str(func.overloadpacket)] += 1
        return func(*args, **(kwargs or {}))

def ops_per_train_batch(loop, dls, batches=(8, 16)) -> collections.Counter:
    "The aten operators `loop(model)` (a fit on `dls`) dispatches per training batch of seed 004's residual CNN: two fits' difference."
    x, y, xv, yv, bs, counts = dls.train.x, dls.train.y, dls.valid.x, dls.valid.y, dls.train.bs, []
    if len(x) < batches[1] * bs: sys.exit(f'host_overhead: counting needs {batches[1] * bs} training images, found {len(x)}')
    state = dls.train.state_dict()  # the shuffling generator too: the timed fits after this see the batches they would have
    try:
        dls.valid.x, dls.valid.y = xv[:2 * bs], yv[:2 * bs]  # the same short validation for both fits: it cancels out
        for n in batches:
            dls.train.x, dls.train.y = x[:n * bs], y[:n * bs]
            set_seed(0); model = create_model('residual_cnn')
            with OpCounter() as c: loop(model)
            counts.append(c.counts)
    finally:
        dls.train.x, dls.train.y, dls.valid.x, dls.valid.y = x, y, xv, yv
        dls.train.load_state_dict(state)
    per_batch = collections.Counter()
    for op in counts[0] | counts[1]: per_batch[op] = (counts[1][op] - counts[0][op]) / (batches[1] - batches[0])
    return per_batch

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--images', type=int, default=16384); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--reps', type=int, default=5); p.add_argument('--record')
    a = p.parse_args()
    if a.reps < 1: p.error(f'--reps must be at least 1, found {a.reps}')
    if a.images < 4 * a.bs: p.error(f'--images must be at least 4 batches ({4 * a.bs}), found {a.images}')
    torch.set_num_threads(1)  # one thread: the host's own work, without the pool's hand-offs for tiny tensors
    loops = lambda dls: {'hand-written loop': lambda m: hand_loop(m, dls, 1, 1e-2, torch.device('cpu')),
                         'Learner': lambda m: run_learner(m, dls, 1, 1e-2, torch.device('cpu'))}
    try: dls = fashion_mnist(bs=a.bs)
    except DataError as e: sys.exit(f'host_overhead: {e}')  # no data: one line, no traceback
    ops = {k: ops_per_train_batch(loop, dls) for k, loop in loops(dls).items()}  # on all the training images there are
    dls.train.x, dls.train.y = dls.train.x[:a.images], dls.train.y[:a.images]
    dls.valid.x, dls.valid.y = dls.valid.x[:a.images // 4], dls.valid.y[:a.images // 4]
    batches = len(dls.train) + len(dls.valid)
    variants = loops(dls)
    times = {k: [] for k in variants}
    for rep in range(a.reps + 1):  # rep 0 warms up and is not counted
        for k in (variants if rep % 2 == 0 else list(variants)[::-1]):
            set_seed(rep); model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
            t0 = time.perf_counter(); variants[k](model); dt = time.perf_counter() - t0
            if rep: times[k].append(dt)
    per_batch = {k: 1e6 * statistics.median(ts) / batches for k, ts in times.items()}
    # each repetition runs both loops back to back, so their difference cancels the machine's drift between repetitions
    paired = [1e6 * (t - h) / batches for t, h in zip(times['Learner'], times['hand-written loop'])]
    extra = statistics.median(paired)
    for k, us in per_batch.items(): print(f'{k:18s} {us:7.1f} us per batch (median of {a.reps}; {batches} batches a fit)')
    print(f"the Learner's own work: {extra:+.1f} us per batch (median of the {a.reps} repetitions' differences)")
    for k, c in ops.items(): print(f'{k:18s} {sum(c.values()):7.1f} tensor operations per training batch of residual_cnn')
    diff = {op: ops['Learner'][op] - ops['hand-written loop'][op] for op in ops['Learner'] | ops['hand-written loop']}
    diff = {op: d for op, d in sorted(diff.items()) if d}
    print('the Learner against the loop, per batch:', ', '.join(f'{op} {d:+g}' for op, d in diff.items()) or 'the same operators')
    if a.record:
        from slowcnn.records import provenance, write_record
        rec = {**provenance('python ' + ' '.join(sys.argv), torch.device('cpu')), 'kind': 'benchmark', 'name': 'host_overhead',
               'smoke': a.images < 4096 or a.reps < 3,  # a result needs a few repetitions of a fit of some length
               'recipe': {'model': 'Linear(784, 10)', 'images': a.images, 'valid_images': len(dls.valid.x), 'bs': a.bs, 'batches': batches,
                          'threads': 1, 'optimizer': 'AdamW', 'schedule': 'one_cycle'},
               'results': [{'variant': k, 'seconds': ts, 'us_per_batch': per_batch[k]} for k, ts in times.items()],
               'learner_extra_us_per_batch': extra, 'paired_extra_us_per_batch': paired,
               'ops_model': 'residual_cnn', 'ops_per_train_batch': {k: sum(c.values()) for k, c in ops.items()},
               'ops_learner_minus_loop': diff}
        print('wrote', write_record(rec, Path(a.record)))

if __name__ == '__main__': main()
