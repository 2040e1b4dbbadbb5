"""Seed 000 (UvA tutorial 5) on CIFAR-10: its four models, its recipe and its protocol, our table beside its own.

Each model trains on 45,000 of CIFAR-10's training images with the tutorial's augmentation (flips and resized
crops), keeps the weights of its best epoch on the other 5,000 (the tutorial's ModelCheckpoint on val_acc), and is
tested once on the 10,000 test images. The tutorial's optimizers: Adam lr 1e-3 for GoogleNet and DenseNet, SGD lr
0.1 with momentum 0.9 for the ResNets, weight decay 1e-4, the learning rate divided by 10 after epochs 100 and 150
of 180. CIFAR-10 is read from a local torchvision-format copy (`cifar-10-batches-py` under --data or
$SLOWCNN_DATA); nothing is downloaded. The record gets a row per model (parameters, best epoch, validation and test
accuracy, history, time) and the tutorial's figures beside them.

  python bench/exp_uva_cifar10.py --record nbs/records/uva_cifar10_gpu.json [--data DIR] [--epochs 180] [--models GoogleNet,ResNet]
  python bench/exp_uva_cifar10.py --record /tmp/uva.json --smoke --data DIR   # seconds on a small copy: 1 epoch, labelled smoke"""
import argparse, sys, time
from functools import partial
import torch
from experiment import _START, command, report
from slowcnn.all import *

UVA = {  # the tutorial's own table: model name here, validation and test accuracy (%), parameters, its optimizer
    'GoogleNet': ('googlenet_uva', 90.40, 89.70, 260_650, 'adam'),
    'ResNet': ('resnet_uva', 91.84, 91.06, 272_378, 'sgd'),
    'ResNetPreAct': ('preact_resnet_uva', 91.80, 91.07, 272_250, 'sgd'),
    'DenseNet': ('densenet_uva', 90.72, 90.23, 239_146, 'adam'),
}

def uva_learner(label:str, dls, device=None) -> Learner:
    "A Learner for the tutorial's model `label` with its optimizer, step schedule and best-validation checkpoint."
    name, *_, optimizer = UVA[label]
    sgd = optimizer == 'sgd'
    opt_func = partial(torch.optim.SGD, momentum=0.9, weight_decay=1e-4) if sgd else partial(torch.optim.AdamW, weight_decay=1e-4)
    steps = SchedulerCB(partial(torch.optim.lr_scheduler.MultiStepLR, milestones=[100, 150], gamma=0.1), every='epoch')
    best = SaveBest('valid_accuracy')  # the tutorial's ModelCheckpoint(monitor="val_acc", mode="max"), restored after the fit
    return Learner(create_model(name, in_chans=3), dls, lr=0.1 if sgd else 1e-3, opt_func=opt_func, cbs=[steps, best],
                   device=device, progress=False)

def uva_table(rec) -> str:
    "A record of this script as the tutorial's table, its figures beside ours."
    rows = [[r['label'], f"{UVA[r['label']][1]:.2f}%", f"{UVA[r['label']][2]:.2f}%", f"{UVA[r['label']][3]:,}",
             f"{100*r['valid_accuracy']:.2f}%", f"{100*r['test_accuracy']:.2f}%", f"{r['params']:,}"] for r in rec['runs']]
    n = rec['recipe']['epochs']
    ours = f"ours, {n} epoch{'s' if n != 1 else ''}" + (', SMOKE RUN: meaningless' if rec['smoke'] else '')
    return format_table(rows, ['model', 'val, UvA', 'test, UvA', 'params, UvA', f'val, {ours}', f'test, {ours}', 'params, ours'],
                        align='lrrrrrr', markdown=True)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--record', required=True); p.add_argument('--data', help='folder holding cifar-10-batches-py (default: $SLOWCNN_DATA)')
    p.add_argument('--epochs', type=int, default=180); p.add_argument('--models', default=','.join(UVA))
    p.add_argument('--valid-size', type=int, default=5000, help='training images held out for validation (the tutorial: 5,000)')
    p.add_argument('--device'); p.add_argument('--smoke', action='store_true', help='one epoch: checks the script, measures nothing')
    a = p.parse_args()
    _START['git'] = git_state()
    if a.epochs < 1: p.error(f'--epochs must be at least 1, found {a.epochs}')
    labels = a.models.split(',')
    if set(labels) - set(UVA): p.error(f"unknown models {', '.join(sorted(set(labels) - set(UVA)))}: expected some of {', '.join(UVA)}")
    try: dls = cifar10(bs=128, path=a.data, valid_size=a.valid_size)
    except DataError as e: sys.exit(f'exp_uva_cifar10: {e}')
    n_epochs, device, runs = 1 if a.smoke else a.epochs, resolve_device(a.device), []
    for label in labels:
        set_seed(42)
        learn = uva_learner(label, dls, device)
        t0 = time.perf_counter(); learn.fit(n_epochs); train_s = time.perf_counter() - t0
        best = next(cb for cb in learn.cbs if isinstance(cb, SaveBest))
        runs.append({'label': label, 'name': UVA[label][0], 'params': sum(x.numel() for x in learn.model.parameters()),
                     'best_epoch': best.best_epoch, 'valid_accuracy': best.best, 'test_accuracy': learn.validate(dls.test)['accuracy'],
                     'time_s': train_s, 'history': learn.recorder.history})
        rec = {**provenance(command(), device), 'git': _START['git'], 'kind': 'uva_cifar10', 'smoke': a.smoke,
               'split': f'train {len(dls.train.dl.dataset)} / valid {len(dls.valid.dl.dataset)} / test {len(dls.test.dl.dataset)}',
               'recipe': {'epochs': n_epochs, 'bs': 128, 'schedule': 'MultiStepLR 100, 150 x0.1', 'selection': 'best valid_accuracy epoch restored',
                          'optimizers': {l: UVA[l][4] for l in labels}, 'seed': 42},
               'uva': {l: dict(zip(('name', 'valid_accuracy', 'test_accuracy', 'params', 'optimizer'), UVA[l])) for l in labels}, 'runs': runs}
        print(f"{label:13s} best epoch {best.best_epoch + 1}  valid {best.best:.4f}  test {runs[-1]['test_accuracy']:.4f}  {train_s:.0f} s", flush=True)
        report(a.record, rec)
    print('\n' + uva_table(rec))

if __name__ == '__main__': main()
