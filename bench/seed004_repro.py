"""Seed 004's 3-epoch results over several seeds: DeeperCNN with Conv / ResidualConvBlock / DoubleConvBlock blocks
and timm's resnet18, one-cycle lr 1e-2, batch 512, AdamW, FashionMNIST test split as validation (the seed's recipe).
The record has one run per model and seed; the ResNets notebook renders every nbs/records/seed004_*.json.

  python bench/seed004_repro.py --record nbs/records/seed004_gpu.json [--seeds 5] [--models a,b]
  python bench/seed004_repro.py --record /tmp/s4.json --smoke      # seconds: 2,048 images, 1 epoch, 2 seeds"""
import argparse
from experiment import _START, command, report
from slowcnn.all import *

MODELS = ['deeper_cnn', 'residual_cnn', 'double_conv_cnn', 'resnet18']

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--record', required=True); p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--models', default=','.join(MODELS)); p.add_argument('--device')
    p.add_argument('--smoke', action='store_true', help='a seconds-long check of the script, labelled smoke')
    a = p.parse_args()
    _START['git'] = git_state()  # the code that ran, whatever changes in the checkout meanwhile
    dls = fashion_mnist(bs=512, device=resolve_device(a.device))
    if a.smoke: dls.train.x, dls.train.y = dls.train.x[:2048], dls.train.y[:2048]
    runs, n_seeds = [], 2 if a.smoke else a.seeds
    for seed in range(n_seeds):
        res = compare(a.models.split(','), dls, n_epochs=1 if a.smoke else 3, lr=1e-2, seed=seed, device=a.device, progress=False,
                      activation_stats=seed == 0)  # seed 004's activation plots, from the first seed's runs
        runs += [{**r, 'seed': seed} for r in res.rows]
        print(f'seed {seed}: ' + '  '.join(f"{r['name']} {r['valid_accuracy']:.4f}" for r in res.rows), flush=True)
        report(a.record, {**res.record(command(), smoke=a.smoke), 'git': _START['git'], 'seed': list(range(seed + 1)), 'runs': runs})

if __name__ == '__main__': main()
