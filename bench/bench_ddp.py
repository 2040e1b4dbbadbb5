"""Data-parallel overhead on this machine: the seed 004 residual CNN, one-cycle, the same global batch, timed side by
side in one run: a plain fit (one process), DistributedTrainer under torchrun with 1 process, and with 2 processes;
a variant ending in `+compile` adds the `Compile` callback (its warm-up fit pays the compilation).

  python bench/bench_ddp.py [--images 8192] [--epochs 1] [--bs 256] [--variants plain,ddp1,ddp2] [--record nbs/records/ddp_compile_cpu.json]

Prints seconds per variant and the ratios to the plain fit, and writes them as a run record (JSON) with the machine.
With 2 processes each gets half of the global batch (`--bs` is the global batch) and half of the cores."""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

def worker(a):
    import torch
    from slowcnn.all import fashion_mnist, Learner, create_model, Compile, DistributedTrainer, set_seed, world_size, is_main_process
    set_seed(0)
    dls = fashion_mnist(bs=a.bs // int(os.environ.get('WORLD_SIZE', 1)), seed=1)
    dls.train.x, dls.train.y = dls.train.x[:a.images], dls.train.y[:a.images]
    cbs = ([DistributedTrainer()] if not a.variant.startswith('plain') else []) + ([Compile()] if a.variant.endswith('+compile') else [])
    learn = Learner(create_model('residual_cnn'), dls, cbs=cbs, progress=False, device='cpu')
    t0 = time.perf_counter(); learn.fit_one_cycle(1, 1e-2); warmup = time.perf_counter() - t0  # allocator, oneDNN primitives, compilation
    t0 = time.perf_counter(); learn.fit_one_cycle(a.epochs, 1e-2); wall = time.perf_counter() - t0
    if is_main_process():
        print(json.dumps({'variant': a.variant, 'seconds': wall, 'warmup_s': warmup, 'world_size': world_size(), 'threads': torch.get_num_threads(),
                          'valid_accuracy': learn.recorder.history[-1]['valid_accuracy']}))

def run(variant, a):
    args = [str(Path(__file__).resolve()), '--worker', variant, '--images', str(a.images), '--epochs', str(a.epochs), '--bs', str(a.bs)]
    n = {'plain': 0, 'ddp1': 1, 'ddp2': 2}[variant.removesuffix('+compile')]
    cores = os.cpu_count()
    env = {**os.environ, 'OMP_NUM_THREADS': str(max(cores // max(n, 1), 1)), 'PYTHONWARNINGS': 'ignore'}
    cmd = [sys.executable, *args] if n == 0 else [sys.executable, '-m', 'torch.distributed.run', '--nproc-per-node', str(n),
                                                  '--master-addr', '127.0.0.1', '--master-port', str(29500 + n), *args]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return json.loads([l for l in r.stdout.splitlines() if l.startswith('{')][-1])

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--images', type=int, default=8192); p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--bs', type=int, default=256); p.add_argument('--worker'); p.add_argument('--record')
    p.add_argument('--variants', default='plain,ddp1,ddp2', help="comma-separated, the first is the baseline; any may end in '+compile'")
    a = p.parse_args()
    if a.worker: a.variant = a.worker; return worker(a)
    variants = a.variants.split(',')
    if unknown := [v for v in variants if v.removesuffix('+compile') not in ('plain', 'ddp1', 'ddp2')]:
        p.error(f"--variants: expected plain, ddp1 or ddp2, each optionally ending in '+compile'; found {', '.join(unknown)}")
    rows = [run(v, a) for v in variants]
    base = rows[0]['seconds']
    for r in rows:
        r['ratio'] = r['seconds'] / base
        print(f"{r['variant']:14s} processes {r['world_size']}  threads/process {r['threads']}  {r['seconds']:7.2f} s  x{r['ratio']:.2f}  "
              f"valid_acc {r['valid_accuracy']:.4f}")
    if a.record:
        from slowcnn.records import provenance, write_record  # the shared record format, written atomically
        rec = {**provenance('python ' + ' '.join(sys.argv), 'cpu'), 'kind': 'benchmark', 'name': 'ddp_overhead', 'smoke': False,
               'recipe': {'model': 'residual_cnn', 'images': a.images, 'epochs': a.epochs, 'global_batch': a.bs,
                          'schedule': 'one-cycle 1e-2', 'optimizer': 'AdamW'},
               'results': rows}
        print('wrote', write_record(rec, Path(a.record)))

if __name__ == '__main__': main()
