"""Run experiment notebooks full-size as scripts (no Jupyter needed): every code cell in order, with SLOWCNN_FULL=1,
printing what the cells print and saving every figure as PNG into OUT.

  python bench/run_full.py OUT nbs/15_invariance.ipynb [more notebooks...]"""
import json, os, sys, time
from pathlib import Path
os.environ.setdefault('SLOWCNN_FULL', '1')
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt

out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
for nb_path in sys.argv[2:]:
    cells = [c for c in json.loads(Path(nb_path).read_text())['cells'] if c['cell_type'] == 'code']
    ns, n_fig, stem = {'__name__': '__main__'}, 0, Path(nb_path).stem
    print(f'===== {nb_path}', flush=True); t0 = time.time()
    for c in cells:
        src = ''.join(c['source'])
        if 'nbdev_export()' in src: continue
        src = '\n'.join(l for l in src.splitlines() if 'nbdev' not in l)  # docs-only imports
        exec(compile(src, f'{stem}-cell', 'exec'), ns)
        for num in plt.get_fignums():
            n_fig += 1; plt.figure(num).savefig(out/f'{stem}_{n_fig}.png', dpi=80, bbox_inches='tight')
        plt.close('all')
    print(f'===== {nb_path} done in {time.time()-t0:.0f} s', flush=True)
