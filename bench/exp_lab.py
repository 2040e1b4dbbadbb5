"""The FashionMNIST lab's own protocol: each model with the lab's optimizer, learning rate, batch size, epochs and resize.

The lab trains every model with plain SGD (no momentum, no weight decay) at a constant learning rate, after Xavier-uniform
initialisation of every convolution and linear layer's weights, on FashionMNIST pixels in [0, 1] (torchvision's
`ToTensor`, no normalisation), split 50,000/10,000/10,000 as its `random_split` with seed 42; it reports the last
epoch's validation figures and tests once. Its recipes, by model (`LAB_PROTOCOL`):

  LeNet with BatchNorm   28 px  batch 256  lr 1.0   10 epochs
  AlexNet (d2l)         224 px  batch 128  lr 0.01   5 epochs
  small VGG (d2l)       224 px  batch 128  lr 0.05   5 epochs
  ResNet-18 (d2l)        96 px  batch 256  lr 0.05   5 epochs

Every run's record row says in `differs_from_seed` what differs from the lab (images, epochs, the resize). The full
protocol (hours on a CPU; minutes on a GPU):

  python bench/exp_lab.py --record nbs/records/lab_gpu.json                           # the whole protocol, on a GPU
  python bench/exp_lab.py --record nbs/records/lab_lenet_bn_cpu.json --models lenet_bn  # 2-core CPU, LeNet-BN in full: ~1 min
  python bench/exp_lab.py --record nbs/records/lab_large_cpu.json --n-train 1024 --n-eval 512 --epochs 1 \
      --models alexnet_d2l,vgg_small_d2l,resnet18_d2l                                  # 2-core CPU, reduced: ~3 min
  python bench/exp_lab.py --record /tmp/lab.json --smoke                              # seconds"""
import time
from experiment import *

LAB_PROTOCOL = {  # the lab's `batch_size, lr, num_epochs` and `resize`, per model
    'lenet_bn':      dict(bs=256, lr=1.0, epochs=10, size=28),
    'alexnet_d2l':   dict(bs=128, lr=0.01, epochs=5, size=224),
    'vgg_small_d2l': dict(bs=128, lr=0.05, epochs=5, size=224),
    'resnet18_d2l':  dict(bs=256, lr=0.05, epochs=5, size=96),
}
LAB_SPLIT = {'train': 50_000, 'valid': 10_000, 'test': 10_000}

def xavier_init(model):
    "The lab's `init_weights`: Xavier-uniform weights for every `nn.Linear` and `nn.Conv2d` (exactly those types), biases untouched."
    for m in model.modules():
        if type(m) in (nn.Linear, nn.Conv2d): nn.init.xavier_uniform_(m.weight)
    return model

def lab_data(a, bs:int, size:int) -> DataLoaders:
    "The lab's data: the seed003 split of FashionMNIST in [0, 1] pixels (un-normalised, as `ToTensor` gives), cut to `--n-train`/`--n-eval`."
    d = fashion_mnist(bs=bs, split='seed003', seed=0, valid_bs=bs)
    n_train, n_eval = (256, 256) if a.smoke else (a.n_train, a.n_eval)
    for dl, n in ((d.train, n_train), (d.valid, n_eval), (d.test, n_eval)):
        dl.x, dl.y = dl.x[:n] * FMNIST_STD + FMNIST_MEAN, dl.y[:n]
        if size != 28: dl.batch_tfms = [Resize(size)]
    d.mean = d.std = None
    return d.to(resolve_device(a.device))

def differences(a, name:str, dls:DataLoaders, n_epochs:int) -> dict:
    "What this run does differently from the lab, field by field: `{field: {'ours': ..., 'lab': ...}}`."
    p, out = LAB_PROTOCOL[name], {}
    for split, dl in (('train', dls.train), ('valid', dls.valid), ('test', dls.test)):
        if dl.n != LAB_SPLIT[split]: out[f'{split}_images'] = {'ours': dl.n, 'lab': LAB_SPLIT[split]}
    if n_epochs != p['epochs']: out['epochs'] = {'ours': n_epochs, 'lab': p['epochs']}
    if p['size'] != 28:
        out['resize'] = {'ours': 'bilinear on the device, of float images, without antialiasing',
                         'lab': "torchvision's Resize of the PIL image, before ToTensor"}
    return out

def run(a, name:str) -> tuple:
    "Train `name` with the lab's recipe; its record row and the trained model."
    p = LAB_PROTOCOL[name]
    dls = lab_data(a, p['bs'], p['size'])
    n_epochs = 1 if a.smoke else min(p['epochs'], a.epochs or p['epochs'])
    set_seed(42)
    model = xavier_init(create_model(name, in_chans=1, num_classes=10))
    learn = Learner(model, dls, lr=p['lr'], opt_func=torch.optim.SGD, device=a.device, progress=False)
    sync_device(learn.device); t0 = time.perf_counter()
    learn.fit(n_epochs)
    sync_device(learn.device); wall = time.perf_counter() - t0
    preds, targs = learn.get_preds(dls.test)
    last = learn.recorder.history[-1]
    row = {'name': name, 'params': sum(q.numel() for q in model.parameters()), 'input_size': p['size'], 'bs': p['bs'], 'lr': p['lr'],
           'epochs': n_epochs, 'lab_epochs': p['epochs'], **{k: last[k] for k in ('train_loss', 'train_accuracy', 'valid_loss', 'valid_accuracy')},
           'test_loss': F.cross_entropy(preds.float(), targs).item(), 'test_accuracy': (preds.argmax(1) == targs).float().mean().item(),
           'time_s': wall, 'images_per_s': n_epochs * dls.train.n / wall, 'history': learn.recorder.history,
           'batch_losses': learn.recorder.losses,  # a training curve even for a one-epoch run
           'differs_from_seed': differences(a, name, dls, n_epochs)}
    return row, model, dls

def main():
    p = parser(__doc__, epochs=None, n_train=LAB_SPLIT['train'])  # --epochs caps each model's epochs; default: the lab's
    p.add_argument('--n-eval', type=int, default=LAB_SPLIT['valid'], help='validation and test images (of 10,000 each)')
    p.add_argument('--models', help='comma-separated subset of ' + ','.join(LAB_PROTOCOL))
    a = p.parse_args()
    names = a.models.split(',') if a.models else list(LAB_PROTOCOL)
    if set(names) - set(LAB_PROTOCOL): p.error(f"unknown models {', '.join(sorted(set(names) - set(LAB_PROTOCOL)))}: expected some of {', '.join(LAB_PROTOCOL)}")
    runs, extra = [], {}
    for name in names:
        row, model, dls = run(a, name)
        runs.append(row)
        if name == 'lenet_bn': extra['batchnorm'] = {name: batchnorm_params(model)}
        print(f"{name:14s} {row['input_size']:3d} px  lr {row['lr']:<5g} {row['epochs']} of {row['lab_epochs']} epochs  "
              f"valid {row['valid_accuracy']:.4f}  test {row['test_accuracy']:.4f}  {row['time_s']:.0f} s", flush=True)
        split = f'train {dls.train.n} / valid {dls.valid.n} / test {dls.test.n}'
        rec = protocol_record(a, 'lab_protocol', split, {'optimizer': 'SGD', 'momentum': 0, 'weight_decay': 0, 'schedule': 'constant',
                              'init': 'xavier_uniform (Linear, Conv2d weights)', 'pixels': '[0, 1], not normalised', 'selection': 'last epoch',
                              'seed': 42, 'by_model': {n: LAB_PROTOCOL[n] for n in names}}, runs, a.device, **extra)
        report(a.record, rec)

if __name__ == '__main__': main()
