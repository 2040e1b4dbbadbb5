"""Seeds 000 and 003: every architecture of the seeds with one recipe, in the seeds' protocol.

Each model trains on (part of) the 50,000 training images of seed 003's split, its epoch is chosen on the 10,000
held-out validation images (those weights restored, as seed 000 restores its best checkpoint), and it is tested once
on the 10,000 test images. One-cycle AdamW, lr 1e-2, batch 256. Models built for larger inputs (timm's ImageNet
families; DenseNet-121 needs at least 29 pixels) see the images resized to 32x32 on the device. Apart (with
--models), the models that need larger inputs: timm's Inception v3 at 75x75 (its smallest), and d2l's AlexNet and
small VGG at 224x224 (their own size), those two at lr 1e-3 since they have no batch norm. The record gets a
row per model (parameters, MFLOPs, best epoch, validation and test accuracy, per-class test accuracy, history,
time) and the learned BatchNorm scale and shift of LeNet-BN (seed 003's inspection).

  python bench/exp_architectures.py --record nbs/records/architectures_cpu.json                 # 2-core CPU: ~30 min
  python bench/exp_architectures.py --record nbs/records/architectures_large_cpu.json --models inception_v3,vgg_small_d2l,alexnet_d2l
  python bench/exp_architectures.py --record nbs/records/architectures_gpu.json --n-train 50000  # the full split
  python bench/exp_architectures.py --record /tmp/arch.json --smoke                             # seconds"""
from experiment import *

MODELS_28 = ['lenet_fmnist', 'lenet_bn', 'residual_cnn', 'resnet18_d2l', 'resnet_uva', 'preact_resnet_uva', 'googlenet_uva', 'densenet_uva']
MODELS_32 = ['efficientnet_b0', 'mnasnet_100', 'resnet50', 'densenet121']  # seed 002's families, through timm
LARGE = {'inception_v3': 75, 'vgg_small_d2l': 224, 'alexnet_d2l': 224}   # input size; not in the default list
LR, BS = 1e-2, 256
LR_BY_MODEL = {'vgg_small_d2l': 1e-3, 'alexnet_d2l': 1e-3}  # no batch norm: AdamW at 1e-2 is too high for them

def input_size(name) -> int: return LARGE.get(name, 32 if name in MODELS_32 else 28)

def main():
    p = parser(__doc__, epochs=3, n_train=10_000)
    known = MODELS_28 + MODELS_32 + list(LARGE)
    p.add_argument('--models', help='comma-separated subset of ' + ','.join(known))
    a = p.parse_args()
    names = a.models.split(',') if a.models else MODELS_28 + MODELS_32
    if set(names) - set(known): p.error(f"unknown models {', '.join(sorted(set(names) - set(known)))}: expected some of {', '.join(known)}")
    runs, extra = [], {}
    for name in names:
        size, lr = input_size(name), LR_BY_MODEL.get(name, LR)
        dls = seed003_data(a, BS, size)
        res = compare([name], dls, n_epochs=epochs(a), lr=lr, seed=42, device=a.device, progress=False, select='valid_accuracy')
        row = {**res.rows[0], 'input_size': size, 'lr': lr}
        runs.append(row)
        if name == 'lenet_bn': extra['batchnorm'] = {name: batchnorm_params(res.learners[name].model)}
        print(f"{name:18s} params {row['params']:>11,d}  best epoch {row['best_epoch']+1}  valid {row['valid_accuracy']:.4f}  "
              f"test {row['test_accuracy']:.4f}  {row['time_s']:.0f} s", flush=True)
        rec = protocol_record(a, 'comparison', res.split, {'epochs': epochs(a), 'lr': LR, 'bs': BS, 'optimizer': 'AdamW',
                              'schedule': 'one_cycle', 'selection': 'best valid_accuracy epoch restored', 'seed': 42,
                              **({'lr_by_model': {n: LR_BY_MODEL[n] for n in names if n in LR_BY_MODEL}} if set(names) & set(LR_BY_MODEL) else {})},
                              runs, dls.train.device, **extra)
        report(a.record, rec)

if __name__ == '__main__': main()
