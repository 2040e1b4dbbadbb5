"""Grids over seeds on this machine, made by `slowcnn compare` itself, and the per-run overhead of its executors.

  python bench/exp_grid.py grid --record nbs/records/grid_cpu.json [--models a,b,c] [--seeds 3] [--epochs 2] [--n-train 10000]
      writes a FashionMNIST folder with the first N training images and the whole test split (idx files, as
      Debian's package has them), runs `python -m slowcnn.cli compare --seeds ... --data FOLDER` and keeps its results.json
  python bench/exp_grid.py overhead --record nbs/records/grid_overhead_cpu.json [--runs 4]
      the same tiny grid in this process and on a local Ray cluster: seconds per run outside training
  add --smoke to either for a seconds-long check of the script, labelled smoke"""
import argparse, functools, shutil, subprocess, sys, tempfile, time
from pathlib import Path
from slowcnn.all import *
from slowcnn.data import FMNIST_FILES
from slowcnn.grid import Grid

def subset(folder, n_train:int) -> Path:
    "FashionMNIST's first `n_train` training images and its whole test split, as idx files in `folder`."
    d, folder = load_fashion_mnist(), Path(folder)
    parts = {'train_x': d['train_x'][:n_train], 'train_y': d['train_y'][:n_train], 'test_x': d['test_x'], 'test_y': d['test_y']}
    for k, t in parts.items(): write_idx(folder/(FMNIST_FILES[k] + '.gz'), t)
    return folder

def grid(a):
    data, out = Path(tempfile.mkdtemp(prefix='fmnist')), Path(tempfile.mkdtemp(prefix='grid'))
    subset(data, 2048 if a.smoke else a.n_train)
    cmd = [sys.executable, '-m', 'slowcnn.cli', 'compare', '--models', a.models, '--seeds', str(2 if a.smoke else a.seeds),
           '--epochs', str(1 if a.smoke else a.epochs), '--data', str(data), '--out', str(out)]
    subprocess.run(cmd, check=True)
    rec = read_record(out/'results.json')
    write_record({**rec, 'smoke': a.smoke, 'data': f'FashionMNIST, the first {2048 if a.smoke else a.n_train} training images '
                  'and the whole test split (bench/exp_grid.py)'}, a.record)
    print(f'wrote {a.record}'); shutil.rmtree(data); shutil.rmtree(out)

def overhead(a):
    "Per run, seconds outside training: measured inside each run (model, summary, test, record) and by the driver (all of it, Ray's included)."
    folder = make_fake_fashion_mnist(tempfile.mkdtemp(prefix='fmnist'), n_train=512 if a.smoke else 2048, n_test=256)
    data, results = functools.partial(fashion_mnist, bs=128, path=folder), []
    for executor in ('local', 'ray'):
        start = 0.
        if executor == 'ray':  # the cluster's start, once per grid, apart from the runs
            import ray
            t0 = time.perf_counter(); ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, logging_level='ERROR')
            start = time.perf_counter() - t0  # one CPU: one run at a time, as in this process
        t0 = time.perf_counter()
        res = Grid(['deeper_cnn'], data, a.runs, None, n_epochs=1, executor=executor).run()
        wall = time.perf_counter() - t0
        if executor == 'ray': ray.shutdown()
        train = [r['time_s'] for r in res.runs]
        inside = [r['wall_s'] - r['time_s'] for r in res.runs]
        results.append({'executor': executor, 'runs': len(res.runs), 'cluster_start_s': start, 'wall_s': wall, 'training_s': train,
                        'in_run_other_s': inside, 'per_run_other_s': (wall - sum(train)) / len(train),
                        'workers': sorted({r['worker']['pid'] for r in res.runs})})
        print(f"{executor}: cluster start {start:.1f} s; {len(train)} runs in {wall:.1f} s, {sum(train):.1f} s of training: "
              f"{(wall - sum(train)) / len(train):.2f} s per run outside training ({sum(inside) / len(inside):.2f} s of it inside the run)", flush=True)
    # the machine names the device the runs trained on
    write_record({**provenance(' '.join(['python', *sys.argv]), res.runs[0].get('device')), 'kind': 'benchmark', 'smoke': a.smoke,
                  'what': 'seconds per run outside training (grid wall time less training, per run; and the part measured inside each run: '
                          'model, summary, test, record), deeper_cnn, 1 epoch on 2,048 random 28x28 images, one run at a time',
                  'results': results}, a.record)
    print(f'wrote {a.record}')

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('what', choices=['grid', 'overhead']); p.add_argument('--record', required=True)
    p.add_argument('--models', default='deeper_cnn,residual_cnn,double_conv_cnn'); p.add_argument('--seeds', type=int, default=3)
    p.add_argument('--epochs', type=int, default=2); p.add_argument('--n-train', type=int, default=10_000)
    p.add_argument('--runs', type=int, default=4); p.add_argument('--smoke', action='store_true')
    a = p.parse_args()
    (grid if a.what == 'grid' else overhead)(a)

if __name__ == '__main__': main()
