"""Seed 004's 3-epoch results, reproduced over several seeds: DeeperCNN with Conv / ResidualConvBlock /
DoubleConvBlock blocks and timm's resnet18, one-cycle lr 1e-2, batch 512, AdamW, FashionMNIST test split.

  python bench/seed004_repro.py [--seeds 5] [--out results.json]"""
import argparse, json, statistics
from slowcnn.all import *
from slowcnn.compare import compare

SEED_FIGURES = {'deeper_cnn': 0.895, 'residual_cnn': 0.915, 'double_conv_cnn': 0.910, 'resnet18': 0.906}

def main():
    p = argparse.ArgumentParser(); p.add_argument('--seeds', type=int, default=5); p.add_argument('--out')
    p.add_argument('--models', default=','.join(SEED_FIGURES)); a = p.parse_args()
    dls = fashion_mnist(bs=512)
    names = a.models.split(',')
    accs = {n: [] for n in names}
    for seed in range(a.seeds):
        res = compare(names, dls, n_epochs=3, lr=1e-2, seed=seed, progress=False)
        for r in res.rows: accs[r['name']].append(r['valid_accuracy'])
        print(f'seed {seed}: ' + '  '.join(f"{r['name']} {r['valid_accuracy']:.4f}" for r in res.rows), flush=True)
    print(f'\n{"model":16s} {"seed 004":>9s} {"ours (mean ± std over " + str(a.seeds) + " seeds)":>34s}  min    max')
    for n, v in accs.items():
        sd = statistics.stdev(v) if len(v) > 1 else 0.
        print(f'{n:16s} {SEED_FIGURES.get(n, float("nan")):9.3f} {statistics.mean(v):24.4f} ± {sd:.4f}  {min(v):.4f} {max(v):.4f}')
    if a.out: open(a.out, 'w').write(json.dumps(accs, indent=1))

if __name__ == '__main__': main()
