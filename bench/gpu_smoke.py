"""GPU checks that CI cannot run: mixed precision (bf16, fp16 with a grad scaler, channels_last), gradient clipping
under fp16, checkpoint resume, ActivationStats, summary and interpretation on the device, and `CudaGraph()` (the
captured step against the eager loop, with bf16 and with `Compile()`, and its checkpoints loading on the CPU). Prints one line per check;
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
failed = passed = 0

def check(name, fn):
    global failed, passed
    t0 = time.perf_counter()
    try: print(f'PASS  {name}: {fn()} ({time.perf_counter()-t0:.1f} s)', flush=True); passed += 1
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
        b.load(next(Path(d).glob('epoch_001-*.pth'))); b.fit_one_cycle(2, 1e-2, start_epoch=1)  # named epoch_NNN-RUNID.pth
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

def graph_fit(cbs, graph, model=None, epochs=1):
    "A fit on 16,484 images (32 full batches and one of 100), with `CudaGraph()` or not; returns the learner and any CudaGraph warnings."
    import warnings
    set_seed(0, deterministic=True)
    gdls.load_state_dict(gdls_order)  # every fit sees the same batches in the same order
    cg = CudaGraph() if graph else None
    learn = Learner(model or create_model("residual_cnn"), gdls, cbs=[*cbs, *([cg] if cg else [])], progress=False, device=device)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        learn.fit_one_cycle(epochs, 1e-2)
    return learn, cg, [str(x.message) for x in w if 'CudaGraph' in str(x.message)]

def graph_vs_eager(make_cbs=list, tol=0.01):
    a, _, _ = graph_fit(make_cbs(), False)
    b, cg, msgs = graph_fit(make_cbs(), True)
    assert not msgs, msgs
    assert cg.replays == 32 - cg.warmup, cg.replays  # every full batch after the eager warm-up; the partial one eagerly
    pa, pb = (torch.cat([p.detach().float().flatten() for p in m.parameters()]) for m in (a.model, b.model))
    diff = ((pa - pb).norm() / pa.norm()).item()  # rounding differences (the optimizer's arithmetic on tensors) grow over a fit
    acc_a, acc_b = a.recorder.history[-1]['valid_accuracy'], b.recorder.history[-1]['valid_accuracy']
    assert abs(acc_a - acc_b) < tol and acc_b > 0.75, (acc_a, acc_b)
    assert len(b.recorder.lrs) == 33 and all(type(x) is float for x in b.recorder.lrs) and not b.opt.param_groups[0]['capturable']
    return f'{cg.replays} replays; valid accuracy {acc_b:.4f} (eager {acc_a:.4f}); weights differ by {diff:.2g} of their norm'

if cuda:
    gdls = fashion_mnist(bs=512).to(device)
    gdls.train.x, gdls.train.y = gdls.train.x[:16484], gdls.train.y[:16484]
    gdls_order = gdls.state_dict()
    check('CudaGraph against the eager loop (float32)', graph_vs_eager)
    check('CudaGraph with bf16 autocast', lambda: graph_vs_eager(lambda: [MixedPrecision()]))
    check('CudaGraph with Compile()', lambda: graph_vs_eager(lambda: [Compile()]))
    def graph_checkpoint():
        with tempfile.TemporaryDirectory() as d:
            learn, cg, msgs = graph_fit([Checkpoint(d)], True, epochs=2)
            assert not msgs and cg.replays > 0, msgs
            small = fashion_mnist(bs=256)
            small.train.x, small.train.y = small.train.x[:1024], small.train.y[:1024]
            cpu = Learner(create_model('residual_cnn'), small, progress=False, device='cpu')
            cpu.load(next(Path(d).glob('epoch_001-*.pth')))  # written during the captured fit, after its first epoch
            assert not cpu.opt.param_groups[0]['capturable'] and all(st['step'].device.type == 'cpu' for st in cpu.opt.state.values())
            cpu.fit_one_cycle(2, 1e-2, start_epoch=1)
            return f"loaded on the CPU and resumed; valid accuracy {cpu.recorder.history[-1]['valid_accuracy']:.4f}"
    check('CudaGraph checkpoint loads and resumes on the CPU', graph_checkpoint)
    def graph_fallback():
        _, cg, msgs = graph_fit([ActivationStats()], True)
        assert msgs == ['CudaGraph: training eagerly: ActivationStats needs eager execution (module hooks)'] and cg.replays == 0, msgs
        return msgs[0]
    check('CudaGraph falls back with ActivationStats', graph_fallback)

print(f'{passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
