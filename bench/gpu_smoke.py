"""GPU checks that CI cannot run: mixed precision (bf16, fp16 with a grad scaler, channels_last), gradient clipping
under fp16, checkpoint resume, ActivationStats, summary and interpretation on the device. Prints one line per check;
exits non-zero if any fails. On a machine without CUDA it runs what it can on the CPU."""
import sys, tempfile, time, traceback
from pathlib import Path
import torch
from slowcnn.all import *
from slowcnn.hooks import ActivationStats, leaf_modules_with_params
from slowcnn.summary import summarize
from slowcnn.interpret import Interpretation

device = default_device()
cuda = device.type == 'cuda'
dls = fashion_mnist(bs=512).to(device)
dls.train.x, dls.train.y = dls.train.x[:16384], dls.train.y[:16384]
failed = 0

def check(name, fn):
    global failed
    t0 = time.perf_counter()
    try: print(f'PASS  {name}: {fn()} ({time.perf_counter()-t0:.1f} s)', flush=True)
    except Exception:
        failed += 1; print(f'FAIL  {name}\n{traceback.format_exc()}', flush=True)

def fit(cbs, epochs=1):
    set_seed(0)
    learn = Learner(create_model('residual_cnn'), dls, cbs=cbs, progress=False, device=device)
    learn.fit_one_cycle(epochs, 1e-2)
    return learn

def amp(dtype, channels_last=False, clip=False):
    seen = []
    class Probe(Callback):
        def after_pred(self, learn): seen.append(learn.preds.dtype)
    learn = fit([MixedPrecision(dtype, channels_last=channels_last), Probe()] + ([GradientClip(1.0)] if clip else []))
    acc = learn.recorder.history[-1]['valid_accuracy']
    assert set(seen) == {dtype}, seen
    assert acc > 0.75, acc
    return f'valid accuracy {acc:.4f}, preds {dtype}'

check('bf16 autocast', lambda: amp(torch.bfloat16))
check('bf16 + channels_last', lambda: amp(torch.bfloat16, channels_last=True))
if cuda:
    check('fp16 + GradScaler + GradientClip', lambda: amp(torch.float16, clip=True))

def resume():
    with tempfile.TemporaryDirectory() as d:
        set_seed(0, deterministic=True)
        a = Learner(create_model('residual_cnn'), dls, progress=False, device=device, cbs=[Checkpoint(d)])
        a.fit_one_cycle(2, 1e-2)
        set_seed(1, deterministic=True)
        b = Learner(create_model('residual_cnn'), dls, progress=False, device=device)
        b.load(Path(d)/'epoch_001.pth'); b.fit_one_cycle(2, 1e-2, start_epoch=1)
        diffs = [(v - b.model.state_dict()[k]).abs().max().item() for k, v in a.model.state_dict().items() if v.is_floating_point()]
        return f'max weight difference after resume {max(diffs):.3g} (0 = bit-exact); histories equal: ' \
               f'{[round(r["valid_loss"], 5) for r in a.recorder.history] == [round(r["valid_loss"], 5) for r in b.recorder.history]}'
check('checkpoint resume on the device', resume)

def stats():
    learn = fit([ActivationStats(grad_norms=True)])
    st = learn.activation_stats
    assert len(st.means) == len(leaf_modules_with_params(learn.model)) and st.hists[0].shape[1] == 40
    return f'{len(st.means)} layers x {len(st.means[0])} batches recorded'
check('ActivationStats', stats)

def summ():
    m = create_model('resnet18').to(device)
    s = summarize(m, dls)
    assert s.total_params == 11_175_370
    return f'resnet18: {s.total_params:,} params, {s.total_mflops:.1f} MFLOPs/sample'
check('summary of timm resnet18 on the device', summ)

def interp():
    learn = fit([])
    ip = Interpretation.from_learner(learn)
    cm = ip.confusion_matrix()
    assert cm.sum() == 10_000
    return f'accuracy from confusion matrix {cm.diag().sum().item()/cm.sum().item():.4f}'
check('interpretation', interp)

print(f'{4 + cuda + 2 - failed} passed, {failed} failed')
sys.exit(1 if failed else 0)
