"""Seed 001 (UvA practical 2): how much a CNN relies on the spatial structure of its input, on FashionMNIST.

The practical's ResNet (pre-activation blocks, [2, 2, 3] blocks of [16, 24, 32] channels) trains with the
practical's optimizer (SGD, momentum 0.9, weight decay 1e-4, lr 0.1, here as the peak of a one-cycle schedule,
batch 128) on seed 003's 50k/10k/10k split; the best validation epoch is restored. Then (1) its test accuracy with
every image rotated by 0-360 degrees in 10-degree steps, and (2) the pixel-shuffle experiment: the same CNN and an
MLP (784-512-256-10, AdamW lr 1e-3) trained and tested on the original images and on images whose pixels all go
through one fixed random permutation.

  python bench/exp_invariance.py --record nbs/records/invariance_cpu.json                 # 2-core CPU: ~8 min
  python bench/exp_invariance.py --record nbs/records/invariance_gpu.json --epochs 10     # the practical's 10 epochs
  python bench/exp_invariance.py --record /tmp/inv.json --smoke                           # seconds"""
import time
from functools import partial
import torch
from torch import nn
from experiment import *
from slowcnn.models.resnet import CifarResNet

ANGLES = list(range(0, 361, 10))

def practical_resnet():
    "The practical's ResNet with its pre-activation block, for one input channel."
    return CifarResNet(num_classes=10, num_blocks=[2, 2, 3], c_hidden=[16, 24, 32], act_fn_name='relu',
                       block_name='PreActResNetBlock', in_chans=1)

def mlp():
    "The MLP of practical 1's pixel-shuffle experiment: 784-512-256-10 with ReLUs."
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))

MODELS = {'cnn': (practical_resnet, partial(torch.optim.SGD, momentum=0.9, weight_decay=1e-4), 0.1),
          'mlp': (mlp, torch.optim.AdamW, 1e-3)}

def accuracy_with(learn, dl, tfm) -> float:
    "Accuracy on `dl` with `tfm` applied to every batch (after the loader's own transforms)."
    old = dl.batch_tfms; dl.batch_tfms = old + [tfm]
    try: return learn.validate(dl)['accuracy']
    finally: dl.batch_tfms = old

def main():
    a = parser(__doc__, epochs=3, n_train=50_000).parse_args()
    runs, rotation = [], None
    for model_name, (make, opt_func, lr) in MODELS.items():
        for shuffled in (False, True):
            set_seed(42)
            dls = seed003_data(a, 128)
            if shuffled:
                for dl in dls.loaders: dl.batch_tfms = [ShufflePixels(784, seed=0)]
            best = SaveBest('valid_accuracy')
            learn = Learner(make(), dls, opt_func=opt_func, cbs=[best], progress=False, device=a.device)
            t0 = time.perf_counter(); learn.fit_one_cycle(epochs(a), lr); wall = time.perf_counter() - t0
            test = learn.validate(dls.test)
            runs.append({'name': model_name, 'pixels': 'shuffled' if shuffled else 'original', 'params': sum(p.numel() for p in learn.model.parameters()),
                         'best_epoch': best.best_epoch, 'valid_accuracy': best.best, 'test_accuracy': test['accuracy'],
                         'test_loss': test['loss'], 'time_s': wall, 'history': learn.recorder.history, 'lr': lr,
                         'optimizer': getattr(opt_func, 'func', opt_func).__name__})
            print(f"{model_name} {runs[-1]['pixels']:9s} valid {best.best:.4f} test {test['accuracy']:.4f} ({wall:.0f} s)", flush=True)
            if model_name == 'cnn' and not shuffled:
                rotation = {'angles': ANGLES, 'test_accuracy': [accuracy_with(learn, dls.test, Rotate(ang)) for ang in ANGLES]}
                print('rotation: ' + ' '.join(f'{ang}°:{acc:.3f}' for ang, acc in zip(ANGLES, rotation['test_accuracy']) if ang % 45 == 0), flush=True)
            report(a.record, protocol_record(a, 'invariance', dls.split if hasattr(dls, 'split') else
                   f'train {dls.train.n} / valid {dls.valid.n} / test {dls.test.n}',
                   {'epochs': epochs(a), 'bs': 128, 'schedule': 'one_cycle', 'selection': 'best valid_accuracy epoch restored', 'seed': 42},
                   runs, dls.train.device, rotation=rotation))

if __name__ == '__main__': main()
