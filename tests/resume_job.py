"""A 4-epoch one-cycle run on a small fake FashionMNIST, for the kill-and-resume test.
Usage: resume_job.py DATA OUT [--kill-after N] [--resume]"""
import json, os, signal, sys
from pathlib import Path
import torch
from slowcnn.all import *

data, out = Path(sys.argv[1]), Path(sys.argv[2])
kill_after = int(sys.argv[sys.argv.index('--kill-after')+1]) if '--kill-after' in sys.argv else None
set_seed(0, deterministic=True)
dls = fashion_mnist(bs=128, path=data, seed=1)
learn = Learner(simple_cnn(nfs=(8, 16)), dls, cbs=[Checkpoint(out/'ckpt', keep=2)], progress=False, device='cpu')
start = 0
if '--resume' in sys.argv:
    learn.load(latest_checkpoint(out/'ckpt'))
    start = learn.epochs_done

class Kill(Callback):
    order = 100  # after Checkpoint has written the epoch's checkpoint
    def after_epoch(self, learn):
        if kill_after is not None and learn.epoch + 1 == kill_after: os.kill(os.getpid(), signal.SIGKILL)

learn.fit_one_cycle(4, 1e-2, cbs=[Kill()], start_epoch=start)
torch.save(learn.model.state_dict(), out/'final.pth')
(out/'history.json').write_text(json.dumps([{k: v for k, v in r.items() if k != 'time'} for r in learn.recorder.history]))
