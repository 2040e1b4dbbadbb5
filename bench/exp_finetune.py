"""Seed 002's fine-tuning, on FashionMNIST: a body we pretrain ourselves (no weights can be downloaded here),
then fine-tuned on a small labelled set of all ten classes in four ways.

Pretraining: seed 004's residual CNN on the five clothing classes (T-shirt, trouser, pullover, dress, coat) of the
50,000 training images of seed 003's split, one-cycle AdamW lr 1e-2, batch 256. Fine-tuning: `--n-train` images of
all ten classes (default 5,000), batch 128, each variant for `--epochs`, the epoch chosen on the 10,000 validation
images, tested once on the 10,000 test images:

- `book`: seed 002's recipe shape: every layer trainable, plain SGD at a small constant lr (1e-3, momentum 0.9)
- `frozen`: the frozen-feature variant: the body's weights frozen (BatchNorm's too; its running statistics still
  follow the new data), only the new head trains, with the same SGD
- `fine_tune`: fastai's recipe (`Learner.fine_tune`): one frozen epoch, then everything, one-cycle AdamW (the epoch
  is chosen among the unfrozen ones)
- `scratch`: the same model from random weights, one-cycle AdamW lr 1e-2 (what the pretraining buys)

  python bench/exp_finetune.py --record nbs/records/finetune_cpu.json     # 2-core CPU: ~4 min
  python bench/exp_finetune.py --record /tmp/ft.json --smoke              # seconds"""
import tempfile, time
from pathlib import Path
import torch
from experiment import *

def clothes_only(dls, n=5) -> DataLoaders:
    "The same loaders restricted to the first `n` classes."
    pick = lambda dl: (dl.x[dl.y < n], dl.y[dl.y < n])
    return DataLoaders(DeviceLoader(*pick(dls.train), bs=dls.train.bs, shuffle=True, seed=0),
                       DeviceLoader(*pick(dls.valid), bs=dls.valid.bs), classes=dls.classes[:n])

RECIPES = {'book': {'optimizer': 'SGD', 'momentum': 0.9, 'lr': 1e-3, 'schedule': 'constant', 'trainable': 'all'},
           'frozen': {'optimizer': 'SGD', 'momentum': 0.9, 'lr': 1e-3, 'schedule': 'constant', 'trainable': 'head'},
           'fine_tune': {'optimizer': 'AdamW', 'lr': 4e-3, 'schedule': 'Learner.fine_tune: 1 frozen epoch, then one-cycle at lr/2', 'trainable': 'head, then all'},
           'scratch': {'optimizer': 'AdamW', 'lr': 1e-2, 'schedule': 'one_cycle', 'trainable': 'all'}}

def variant(name, weights, dls, n_epochs):
    "Train one fine-tuning variant; returns its learner and the `SaveBest` that chose its epoch."
    set_seed(42)
    model = create_model('residual_cnn', num_classes=10, weights=None if name == 'scratch' else weights)
    best = SaveBest('valid_accuracy')
    sgd = lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name in ('book', 'frozen'):
        learn = Learner(model, dls, lr=1e-3, opt_func=sgd, cbs=[best], progress=False)
        if name == 'frozen': learn.freeze(train_bn=False)
        learn.fit(n_epochs)
    else:
        learn = Learner(model, dls, cbs=[best], progress=False)
        if name == 'fine_tune': learn.fine_tune(n_epochs - 1, base_lr=4e-3)
        else: learn.fit_one_cycle(n_epochs, 1e-2)
    return learn, best

def main():
    a = parser(__doc__, epochs=5, n_train=5_000).parse_args()
    if a.epochs < 2: raise SystemExit('exp_finetune.py: --epochs must be at least 2 (fine_tune trains one frozen epoch first)')
    n_epochs = 2 if a.smoke else a.epochs
    full = seed003_data(argparse_namespace(a, n_train=50_000), 256)
    set_seed(0)
    pre = Learner(create_model('residual_cnn', num_classes=5), clothes_only(full), progress=False)
    t0 = time.perf_counter(); pre.fit_one_cycle(1 if a.smoke else 3, 1e-2); pre_s = time.perf_counter() - t0
    weights_dir = tempfile.TemporaryDirectory()  # removed after the last variant has loaded it
    weights = Path(weights_dir.name)/'clothes_body.pth'
    torch.save(pre.model.state_dict(), weights)
    pretrain = {'classes': list(full.classes[:5]), 'train_images': pre.dls.train.n, 'valid_accuracy_5_classes': pre.validate()['accuracy'],
                'time_s': pre_s, 'history': pre.recorder.history}
    print(f"pretrained on {pretrain['train_images']:,} images of 5 classes: valid accuracy {pretrain['valid_accuracy_5_classes']:.4f}", flush=True)
    dls = seed003_data(a, 128)
    runs = []
    for name in ('book', 'frozen', 'fine_tune', 'scratch'):
        t0 = time.perf_counter(); learn, best = variant(name, weights, dls, n_epochs); wall = time.perf_counter() - t0
        test = learn.validate(dls.test)
        trainable = sum(p.numel() for p in learn.model.parameters() if p.requires_grad)
        runs.append({'name': name, 'params': sum(p.numel() for p in learn.model.parameters()), 'trainable_params_last_epoch': trainable,
                     'best_epoch': best.best_epoch, 'valid_accuracy': best.best, 'test_accuracy': test['accuracy'], 'test_loss': test['loss'],
                     'time_s': wall, 'history': learn.recorder.history, **RECIPES[name]})
        print(f"{name:10s} valid {best.best:.4f} test {test['accuracy']:.4f} ({wall:.0f} s)", flush=True)
        report(a.record, protocol_record(a, 'fine_tuning', f'train {dls.train.n} / valid {dls.valid.n} / test {dls.test.n}',
               {'epochs': n_epochs, 'bs': 128, 'model': 'residual_cnn', 'selection': 'best valid_accuracy epoch restored', 'seed': 42},
               runs, dls.train.device, pretraining=pretrain))
    weights_dir.cleanup()

def argparse_namespace(a, **changes):
    "A copy of the parsed options with some changed."
    return type(a)(**{**vars(a), **changes})

if __name__ == '__main__': main()
