"""A user script for the data-parallel tests: the same Learner code, in one process or under torchrun.
Usage: ddp_job.py DATA OUT [--bs B] [--epochs E] [--bn] [--sync-bn] [--kill-after N] [--resume] [--raise-on-rank R]"""
import argparse, json, os, signal
from pathlib import Path
import torch
from torch import nn
from slowcnn.all import *

p = argparse.ArgumentParser()
p.add_argument('data'); p.add_argument('out')
p.add_argument('--bs', type=int, default=32); p.add_argument('--epochs', type=int, default=3)
p.add_argument('--bn', action='store_true'); p.add_argument('--sync-bn', action='store_true')
p.add_argument('--kill-after', type=int); p.add_argument('--resume', action='store_true'); p.add_argument('--raise-on-rank', type=int)
a = p.parse_args()
out = Path(a.out)

set_seed(0, deterministic=True)
dls = fashion_mnist(bs=a.bs, path=a.data, seed=1)
if a.bn: model = simple_cnn(nfs=(8, 16))
else: model = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
                            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
opt = lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9)
learn = Learner(model, dls, opt_func=opt, progress=False, device='cpu',
                cbs=[DistributedTrainer(sync_bn=a.sync_bn), Checkpoint(out/'ckpt', keep=2)])
start = 0
if a.resume: learn.load(latest_checkpoint(out/'ckpt')); start = learn.epochs_done

class Faults(Callback):
    order = 100  # after Checkpoint has written the epoch's checkpoint
    def before_epoch(self, learn):
        if a.raise_on_rank is not None and rank() == a.raise_on_rank and learn.epoch == 1: raise ValueError(f'boom on rank {rank()}')
    def after_epoch(self, learn):
        if a.kill_after is not None and learn.epoch + 1 == a.kill_after and rank() == 0: os.kill(os.getpid(), signal.SIGKILL)

learn.fit_one_cycle(a.epochs, 0.05, cbs=[Faults()], start_epoch=start)
if is_main_process():
    torch.save(learn.model.state_dict(), out/'final.pth')
    (out/'result.json').write_text(json.dumps({'history': [{k: v for k, v in r.items() if k != 'time'} for r in learn.recorder.history],
                                               'validate': learn.validate(), 'world_size': world_size(),
                                               'sync_bn': any(isinstance(m, nn.SyncBatchNorm) for m in model.modules())}))
