"""Learner overhead against a hand-written loop: seed 004 residual CNN on FashionMNIST, same model, data, recipe
(AdamW, one-cycle lr 1e-2, batch 512) and device, repetitions alternated in one process.

  python bench/bench_learner.py [--epochs 3] [--reps 5] [--device cuda] [--subset N] [--stats] [--eager-metrics]
                                 [--compile] [--formats] [--graph] [--peers] [--cudnn] [--only REGEX] [--record FILE]

Prints seconds per variant (median over reps) and the ratios to the hand-written loop; repetition 0 (cold: cuDNN
autotuning, compilation) is printed apart and not counted. `--stats` adds a Learner with ActivationStats on every
block (every batch) to measure that callback's overhead. `--compile` adds the hand-written loop through
`torch.compile` and the Learner with `Compile()`; `--formats` adds the Learner with channels_last (float32), with
bf16 autocast, and with both (and, with `--compile` too, the Learner with `Compile()` and each of them). `--graph`
adds the Learner with `CudaGraph()` (each full batch's step replayed from one CUDA graph; on a CPU it trains eagerly
and says so) and, with `--compile` too, with `Compile()` and `CudaGraph()` (with `--formats` too, also in
channels_last, bf16 and both). `--only REGEX` keeps the variants whose names match, and the hand-written loop. `--peers` adds PyTorch Lightning and
fastai, each with the same model, data tensors (our device-resident loaders, passed to them as they are) and recipe
(torch's AdamW, fastai's one-cycle schedule of lr and beta1), when they are installed (a line says which is not). `--record FILE` also writes the figures
as a run record (JSON, with the machine and versions) for the notebooks to render. `--cudnn` adds the Learner, and
with `--compile --graph` the fast path, with `torch.backends.cudnn.benchmark` on (off by default in torch: cuDNN
then picks its kernels by heuristics instead of timing them on the first batch of each shape)."""
import argparse, importlib, json, re, statistics, sys, time, warnings
from functools import partial
from pathlib import Path
import torch
import torch.nn.functional as F
from slowcnn.all import *
from slowcnn.hooks import ActivationStats

def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()

def hand_loop(model, dls, n_epochs, lr, device, compiled=False):
    "A careful loop: device-resident data, no per-batch host sync, metrics read once per epoch (`compiled`: through torch.compile)."
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    fwd = torch.compile(model) if compiled else model
    xt, yt, xv, yv = dls.train.x, dls.train.y, dls.valid.x, dls.valid.y
    bs, n = dls.train.bs, len(xt)
    steps, total, g = 0, n_epochs * len(dls.train), torch.Generator().manual_seed(0)
    history = []
    for epoch in range(n_epochs):
        model.train()
        perm = torch.randperm(n, generator=g).to(device)
        loss_sum, correct = torch.zeros((), device=device), torch.zeros((), device=device)
        for i in range(0, n, bs):
            idx = perm[i:i+bs]; xb, yb = xt[idx], yt[idx]
            lr_i, mom = one_cycle(steps, total, lr)
            for gr in opt.param_groups: gr['lr'] = lr_i; gr['betas'] = (mom, gr['betas'][1])
            preds = fwd(xb); loss = F.cross_entropy(preds, yb)
            loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
            loss_sum += loss.detach() * len(yb); correct += (preds.argmax(1) == yb).sum(); steps += 1
        model.eval()
        vloss, vcorrect = torch.zeros((), device=device), torch.zeros((), device=device)
        with torch.no_grad():
            for i in range(0, len(xv), 2*bs):
                p = fwd(xv[i:i+2*bs]); vloss += F.cross_entropy(p, yv[i:i+2*bs], reduction='sum'); vcorrect += (p.argmax(1) == yv[i:i+2*bs]).sum()
        history.append((torch.stack([loss_sum/n, correct/n, vloss/len(xv), vcorrect/len(xv)]).tolist()))  # once per epoch
    return history

def lightning_loop(model, dls, n_epochs, lr, device):
    "The same model, data and recipe through PyTorch Lightning (automatic optimization; metrics summed on the device, read once per epoch)."
    import lightning as L, logging
    logging.getLogger('lightning.pytorch').setLevel(logging.WARNING)  # its banner of available accelerators, every fit
    total, n, nv = n_epochs * len(dls.train), dls.train.n, dls.valid.n
    class Module(L.LightningModule):
        def __init__(self): super().__init__(); self.model, self.history = model, []
        def configure_optimizers(self): return torch.optim.AdamW(self.model.parameters(), lr=lr)
        def on_train_batch_start(self, batch, batch_idx): set_hyper(self.optimizers().optimizer, *one_cycle(self.global_step, total, lr))
        def on_train_epoch_start(self): self.sums = torch.zeros(2, device=self.device)
        def training_step(self, batch, batch_idx):
            xb, yb = batch; preds = self.model(xb); loss = F.cross_entropy(preds, yb)
            self.sums += torch.stack([loss.detach() * len(yb), (preds.argmax(1) == yb).sum().float()])
            return loss
        def on_validation_epoch_start(self): self.vsums = torch.zeros(2, device=self.device)
        def validation_step(self, batch, batch_idx):
            xb, yb = batch; p = self.model(xb)
            self.vsums += torch.stack([F.cross_entropy(p, yb, reduction='sum'), (p.argmax(1) == yb).sum().float()])
        def on_train_epoch_end(self):  # after this epoch's validation
            self.history.append(torch.cat([self.sums / n, self.vsums / nv]).tolist())
    module = Module()
    trainer = L.Trainer(max_epochs=n_epochs, accelerator='gpu' if device.type == 'cuda' else 'cpu', devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0)
    trainer.fit(module, train_dataloaders=dls.train, val_dataloaders=dls.valid)
    return module.history

def fastai_loop(model, dls, n_epochs, lr, device):
    "The same model, data and recipe through fastai: its Learner and fit_one_cycle, with torch's AdamW (fastai's OptimWrapper)."
    from fastai.learner import Learner as FastaiLearner
    from fastai.data.core import DataLoaders as FastaiDataLoaders
    from fastai.optimizer import OptimWrapper
    from fastai.metrics import accuracy
    import fastai.callback.schedule, fastai.callback.progress  # noqa: F401 (they add fit_one_cycle and no_bar to the Learner)
    learn = FastaiLearner(FastaiDataLoaders(dls.train, dls.valid, device=device), model, loss_func=F.cross_entropy,
                          opt_func=partial(OptimWrapper, opt=torch.optim.AdamW), metrics=accuracy)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(n_epochs, lr)
    return [{'train_loss': v[0], 'valid_loss': v[1], 'valid_accuracy': v[2]} for v in learn.recorder.values]

PEERS = {'Lightning': ('lightning', lightning_loop), 'fastai': ('fastai', fastai_loop)}

def installed(module) -> str|None:
    "None if `module` imports, else why not (one line)."
    try:
        with warnings.catch_warnings(): warnings.simplefilter('ignore'); importlib.import_module(module)
        return None
    except Exception as e: return f'{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ""}'

def cudnn_benchmark(run):
    "`run`, with cuDNN's autotuner on: each new convolution shape times cuDNN's kernels once and keeps the fastest."
    def autotuned(model):
        before = torch.backends.cudnn.benchmark
        torch.backends.cudnn.benchmark = True
        try: return run(model)
        finally: torch.backends.cudnn.benchmark = before
    return autotuned

def run_learner(model, dls, n_epochs, lr, device, stats=False, eager_metrics=False, cbs=()):
    cbs = [ActivationStats(list(model.layers))] if stats else [cb() for cb in cbs]
    learn = Learner(model, dls, device=device, cbs=cbs, progress=False)
    if eager_metrics: learn.metrics_cb.buffer_elems = 1  # update torcheval every batch, as before buffering
    learn.fit_one_cycle(n_epochs, lr)
    return learn.recorder.history

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--epochs', type=int, default=3); p.add_argument('--reps', type=int, default=5)
    p.add_argument('--device', default=None); p.add_argument('--subset', type=int, default=None)
    p.add_argument('--stats', action='store_true'); p.add_argument('--lr', type=float, default=1e-2)
    p.add_argument('--eager-metrics', action='store_true', help='also time a Learner updating torcheval every batch')
    p.add_argument('--compile', action='store_true', help='also time the loop and the Learner through torch.compile')
    p.add_argument('--formats', action='store_true', help='also time the Learner with channels_last, bf16 autocast, and both')
    p.add_argument('--graph', action='store_true', help='also time the Learner with CudaGraph() (and, with --compile, with both)')
    p.add_argument('--peers', action='store_true', help='also time PyTorch Lightning and fastai, where installed')
    p.add_argument('--cudnn', action='store_true', help="also time the Learner (and, with --compile --graph, the fast path) with cuDNN's autotuner on")
    p.add_argument('--only', help='time only the variants whose names match this regular expression (and the hand-written loop)')
    p.add_argument('--record', help='write the results as a run record to this JSON file')
    a = p.parse_args()
    from slowcnn.records import git_state
    a.git = git_state()  # the code that runs: the records written after each repetition keep it, whatever changes meanwhile
    try: keep = re.compile(a.only or '')  # checked before the data are loaded: a mistake costs nothing
    except re.error as e: sys.exit(f'bench_learner: --only must be a regular expression, found {a.only!r} ({e})')
    device = torch.device(a.device) if a.device else default_device()
    try: dls = fashion_mnist(bs=512).to(device)
    except DataError as e: sys.exit(f'bench_learner: {e}')  # no data: one line, no traceback
    if a.subset: dls.train.x, dls.train.y = dls.train.x[:a.subset], dls.train.y[:a.subset]
    variants = {'hand-written loop': lambda m: hand_loop(m, dls, a.epochs, a.lr, device),
                'Learner': lambda m: run_learner(m, dls, a.epochs, a.lr, device)}
    if a.eager_metrics: variants['Learner, per-batch metrics'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, eager_metrics=True)
    if a.stats: variants['Learner + ActivationStats'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, stats=True)
    if a.compile:
        variants['hand-written loop, compiled'] = lambda m: hand_loop(m, dls, a.epochs, a.lr, device, compiled=True)
        variants['Learner + Compile'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[Compile])
    if a.formats:
        variants['Learner + channels_last'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[ChannelsLast])
        variants['Learner + bf16'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[MixedPrecision])
        variants['Learner + bf16 + channels_last'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[lambda: MixedPrecision(channels_last=True)])
    if a.compile and a.formats:
        variants['Learner + Compile + channels_last'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[Compile, ChannelsLast])
        variants['Learner + Compile + bf16'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[Compile, MixedPrecision])
        variants['Learner + Compile + bf16 + channels_last'] = lambda m: run_learner(
            m, dls, a.epochs, a.lr, device, cbs=[Compile, lambda: MixedPrecision(channels_last=True)])
    if a.graph:
        variants['Learner + CudaGraph'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[CudaGraph])
        if a.compile: variants['Learner + Compile + CudaGraph'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[Compile, CudaGraph])
        if a.compile and a.formats:  # the fast path with each layout and precision: does either help once launches are gone?
            variants['Learner + Compile + CudaGraph + channels_last'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[Compile, CudaGraph, ChannelsLast])
            variants['Learner + Compile + CudaGraph + bf16'] = lambda m: run_learner(m, dls, a.epochs, a.lr, device, cbs=[Compile, CudaGraph, MixedPrecision])
            variants['Learner + Compile + CudaGraph + bf16 + channels_last'] = lambda m: run_learner(
                m, dls, a.epochs, a.lr, device, cbs=[Compile, CudaGraph, lambda: MixedPrecision(channels_last=True)])
    if a.cudnn:
        variants['Learner + cudnn.benchmark'] = cudnn_benchmark(variants['Learner'])
        if a.compile and a.graph: variants['Learner + Compile + CudaGraph + cudnn.benchmark'] = cudnn_benchmark(variants['Learner + Compile + CudaGraph'])
    if a.peers:
        for label, (module, loop) in PEERS.items():
            why = installed(module)
            if why: print(f'{label}: not timed, {module} does not import ({why})', flush=True)
            else: variants[label] = partial(lambda loop, m: loop(m, dls, a.epochs, a.lr, device), loop)
    if a.only:  # the baseline always runs: every ratio is to it
        variants = {k: v for k, v in variants.items() if k == 'hand-written loop' or keep.search(k)}
    name = torch.cuda.get_device_name() if device.type == 'cuda' else f'CPU ({torch.get_num_threads()} threads)'
    print(f'device: {name}; torch {torch.__version__}; residual_cnn, {a.epochs} epochs x {dls.train.n:,} images, {a.reps} reps', flush=True)
    times, cold, accs = {k: [] for k in variants}, {}, {k: [] for k in variants}
    for rep in range(a.reps + 1):  # rep 0 warms up (cuDNN autotuning, allocator) and is not counted
        order = list(variants) if rep % 2 == 0 else list(variants)[::-1]
        for k in order:
            set_seed(rep); model = create_model('residual_cnn').to(device)
            sync(device); t0 = time.perf_counter()
            hist = variants[k](model)
            sync(device); dt = time.perf_counter() - t0
            last = hist[-1]; acc = last['valid_accuracy'] if isinstance(last, dict) else last[3]
            if rep: times[k].append(dt); accs[k].append(acc)
            else: cold[k] = dt
            print(f'  rep {rep}{" (warm-up)" if rep == 0 else ""}  {k:30s} {dt:8.2f} s   valid accuracy {acc:.4f}', flush=True)
        # after every repetition: a job stopped by its time limit still leaves the repetitions it finished
        if rep and a.record: write_bench_record(a, device, dls, variants, times, cold, accs)
    base = statistics.median(times['hand-written loop'])
    fastest = min(times['hand-written loop'])
    print('\nmedian and fastest seconds, and their ratios to the hand-written loop (on a shared machine noise only adds time,')
    print('so the fastest repetition is the steadier estimate):')
    for k, ts in times.items():
        print(f'  {k:30s} median {statistics.median(ts):8.2f} s  x{statistics.median(ts)/base:.3f}   fastest {min(ts):8.2f} s  x{min(ts)/fastest:.3f}')
    if a.record: print('wrote', a.record)

def write_bench_record(a, device, dls, variants, times, cold, accs):
    "Write the repetitions timed so far as a run record (`reps` says how many of those asked for)."
    from slowcnn.records import provenance, write_record
    from importlib.metadata import version
    base, fastest = statistics.median(times['hand-written loop']), min(times['hand-written loop'])
    peers = {module: version(module) for label, (module, _) in PEERS.items() if label in variants}
    rec = {**provenance('python ' + ' '.join(sys.argv), device), 'git': a.git, 'kind': 'benchmark', 'name': 'learner_overhead', 'smoke': False,
           **({'peer_versions': peers} if peers else {}), 'reps': {'asked': a.reps, 'timed': len(times['hand-written loop'])},
           'recipe': {'model': 'residual_cnn', 'epochs': a.epochs, 'images': dls.train.n, 'bs': 512, 'lr': a.lr,
                      'optimizer': 'AdamW', 'schedule': 'one_cycle'},
           'results': [{'variant': k, 'seconds': ts, 'valid_accuracy': accs[k], 'cold_s': cold[k], 'median_s': statistics.median(ts), 'ratio': statistics.median(ts) / base,
                        'min_s': min(ts), 'min_ratio': min(ts) / fastest} for k, ts in times.items()]}
    write_record(rec, Path(a.record))

if __name__ == '__main__': main()
