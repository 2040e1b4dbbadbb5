"""What `console_main` saves at a process's exit: the same `slowcnn` command in new processes, entered through
`main` (the interpreter's teardown as usual) and through `console_main` (the process's objects frozen for the garbage
collector first), alternated, timed from outside. The exit is the time from the entry function's return to the
process's end; the wall time is the whole process. Writes a run record.

  python bench/exit_time.py [--reps 5] [--record nbs/records/exit_cpu.json] [-- ARGS...]   (ARGS default: summary --model residual_cnn)"""
import argparse, statistics, subprocess, sys, time
from slowcnn.records import git_state, provenance, write_record
from slowcnn.core import default_device, format_table

ENTRY = ("import sys, time\nfrom slowcnn.cli import {entry}\ncode = {entry}()\n"
         "print('returned at', time.time(), file=sys.stderr, flush=True)\nsys.exit(code)")

def run_once(entry: str, args: list[str]) -> tuple[float, float]:
    "Wall time of one new process running the command through `entry`, and the seconds from its return to the end."
    t0 = time.time()
    r = subprocess.run([sys.executable, '-c', ENTRY.format(entry=entry), *args], capture_output=True, text=True)
    end = time.time()
    returned = [float(l.split()[-1]) for l in r.stderr.splitlines() if l.startswith('returned at ')]
    if r.returncode or not returned:
        sys.exit(f'exit_time: `slowcnn {" ".join(args)}` through {entry} failed (exit code {r.returncode}): '
                 f'{([l for l in r.stderr.strip().splitlines() if not l.startswith("returned at ")] or [""])[-1]}')
    return end - t0, end - returned[-1]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--reps', type=int, default=5); p.add_argument('--record')
    p.add_argument('args', nargs='*', default=['summary', '--model', 'residual_cnn'])
    a = p.parse_args()
    if a.reps < 1: p.error(f'--reps must be at least 1, found {a.reps}')
    git, entries = git_state(), ('main', 'console_main')
    walls, exits = {e: [] for e in entries}, {e: [] for e in entries}
    for rep in range(a.reps):
        for e in (entries if rep % 2 == 0 else entries[::-1]):  # alternated: the machine's drift falls on both
            wall, exit_s = run_once(e, a.args)
            walls[e].append(wall); exits[e].append(exit_s)
            print(f'rep {rep}  {e:12s} {wall:6.2f} s wall, {exit_s:5.2f} s exit', flush=True)
    med = lambda xs: statistics.median(xs)
    print('\n' + format_table([[e, f'{med(walls[e]):.2f}', f'{med(exits[e]):.2f}'] for e in entries],
                              ['entry', 'wall (median s)', 'exit (median s)'], align='lrr'))
    saved = med([m - c for m, c in zip(exits['main'], exits['console_main'])])
    print(f'console_main saves {saved:.2f} s of the exit (median of the paired differences)')
    if a.record:
        rec = {**provenance(' '.join(['python', *sys.argv]), default_device()),  # the device the command would use 'git': git, 'kind': 'benchmark', 'name': 'exit_time',
               'smoke': a.reps < 3, 'recipe': {'command': 'slowcnn ' + ' '.join(a.args), 'reps': a.reps},
               'results': [{'variant': e, 'seconds': walls[e], 'exit_s': exits[e], 'median_s': med(walls[e]),
                            'median_exit_s': med(exits[e])} for e in entries],
               'exit_saved_s': saved}
        print('wrote', write_record(rec, a.record))

if __name__ == '__main__': main()
