"""Where the time of a cold `slowcnn compare` goes: runs it in new processes and prints, per run, the wall time seen
from outside and the phases the command measured itself (imports, data, models, training, testing, results, plots),
with the non-training time apart. Optionally writes a run record.

  python bench/cold_start.py [--reps 2] [--models deeper_cnn,residual_cnn] [--epochs 1] [--device cuda] [--record F]"""
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path
from slowcnn.records import git_state, provenance, write_record
from slowcnn.core import format_table, resolve_device

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--reps', type=int, default=2); p.add_argument('--models', default=None)
    p.add_argument('--epochs', default='1'); p.add_argument('--device'); p.add_argument('--data')
    p.add_argument('--record', help='JSON file for a run record of the measurements')
    a = p.parse_args()
    git, runs = git_state(), []
    for rep in range(a.reps):
        with tempfile.TemporaryDirectory() as out:
            cmd = [sys.executable, '-m', 'slowcnn.cli', 'compare', '--epochs', a.epochs, '--out', out]
            for k in ('models', 'device', 'data'):
                if getattr(a, k): cmd += [f'--{k}', getattr(a, k)]
            t0 = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if r.returncode: sys.exit(f'slowcnn compare failed (exit code {r.returncode}): {(r.stderr.strip().splitlines() or [""])[-1]}')
            phases = json.loads((Path(out)/'results.json').read_text())['phases']
        runs.append({'rep': rep, 'wall_s': wall, 'phases': phases, 'startup_s': wall - phases['total']})
        print(f"rep {rep}: {wall:.1f} s wall, {phases['training']:.1f} s training, {wall - phases['training']:.1f} s not training", flush=True)
    names = [k for k in runs[0]['phases'] if k != 'total']
    rows = [[str(r['rep']), f"{r['wall_s']:.1f}", f"{r['startup_s']:.1f}", *(f"{r['phases'][k]:.1f}" for k in names),
             f"{r['wall_s'] - r['phases']['training']:.1f}"] for r in runs]
    print('\n' + format_table(rows, ['rep', 'wall', 'python start+exit', *names, 'not training'], align='r' * (len(names) + 4)))
    if a.record:
        write_record({**provenance(' '.join(['python', *sys.argv]), resolve_device(a.device)), 'git': git, 'kind': 'cold_start',
                      'smoke': False, 'runs': runs}, a.record)
        print(f'wrote {a.record}')

if __name__ == '__main__': main()
