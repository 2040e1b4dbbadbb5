"""From 91% to 95%: the ablation of the recipes page. Seed 004's recipe, then one technique at a time (flips and
translations; label smoothing; an average of the weights; test-time augmentation), then every technique for 8 epochs, and seed 004's recipe for 8 epochs (what the epochs alone buy);
and, apart, seed 004's recipe with a whitened first convolution, trained on or frozen. Each over
several seeds, on seed 003's 50k/10k/10k split (nothing chosen on the test set). One training run gives the rows of
the techniques that do not change training: a run with label smoothing and an EMA is tested with its weights as
trained (the label-smoothing row), averaged (the EMA row), and averaged with TTA (the TTA row).

  python bench/exp_recipes.py --record nbs/records/recipes_cpu.json [--seeds 5] [--steps seed004,aug,ls_ema,every,long]
  python bench/exp_recipes.py --record nbs/records/recipes_whiten_cpu.json --steps whiten,whiten_frozen   # the data-dependent first layer
  python bench/exp_recipes.py --record nbs/records/recipes_gpu.json --steps seed004,aug,ls_ema,every,long,accurate   # on an H100/H200
  python bench/exp_recipes.py --record nbs/records/recipes_long_compiled_cpu.json --steps long --compile   # seed 004's recipe for 8 epochs, compiled

--compile trains every run through `Compile()`, after a warm-up fit of one epoch that pays the compilation (its time
is in the record as `warmup_s`), so the runs' times are warm. --graph replays each full training batch's step from
a CUDA graph (`CudaGraph()`; on a CPU it trains eagerly and says so), with or without --compile. --bf16 trains with
bf16 autocast in channels_last layout (`MixedPrecision(channels_last=True)`: on a CPU with bf16 instructions, and with
--compile, the speed page's fastest measured option), with or without --compile.
  python bench/exp_recipes.py --record nbs/records/recipes_bf16_cpu.json --steps every16 --compile --bf16   # the fast recipe, on a CPU with bf16
  python bench/exp_recipes.py --record /tmp/r.json --smoke      # seconds: 256 images, 1 epoch, 2 seeds"""
import argparse, dataclasses, time
from experiment import _START, command, report
from slowcnn.all import *

def steps() -> dict:
    "The training runs of the ablation, by name: each adds to the one before it."
    seed = RECIPES['seed004']
    aug = seed.with_(name='aug', flip=True, translate=2, about='+ random flips and 2-pixel translations')
    ls_ema = aug.with_(name='ls_ema', label_smoothing=0.1, ema=0.99, tta_shift=0,
                       about='+ label smoothing 0.1; tested as trained, with the average of the weights, and with flip TTA')
    every = ls_ema.with_(name='every', epochs=8, about='every technique above, for 8 epochs')
    long = seed.with_(name='long', epochs=8, about="seed 004's recipe for 8 epochs: what the epochs alone buy")
    whiten = seed.with_(name='whiten', whiten='trained', about="seed 004's recipe, its first convolution started from whitened patches")
    whiten_frozen = seed.with_(name='whiten_frozen', whiten='frozen', about="seed 004's recipe, its first convolution whitened and frozen (airbench)")
    long16 = seed.with_(name='long16', epochs=16, about="seed 004's recipe for 16 epochs: a candidate for 93% in ten seconds on a GPU")
    every16 = every.with_(name='every16', epochs=16, about='every technique for 16 epochs: the other candidate for 93% on a GPU')
    every18 = every.with_(name='every18', epochs=18, about='every technique for 18 epochs: a candidate for 93% with a margin over the seeds, on a GPU')
    every20 = every.with_(name='every20', epochs=20, about='every technique for 20 epochs: a candidate for 93% with a wider margin, if ten seconds allow it')
    accurate30 = RECIPES['accurate'].with_(name='accurate30', epochs=30, about='the accurate recipe for 30 epochs: a candidate for 95% within 60 s on a GPU')
    return {'seed004': seed, 'aug': aug, 'ls_ema': ls_ema, 'every': every, 'long': long, 'whiten': whiten,
            'whiten_frozen': whiten_frozen, 'long16': long16, 'every16': every16,
            'every18': every18, 'every20': every20, 'accurate': RECIPES['accurate'], 'accurate30': accurate30}

DEFAULT_STEPS = 'seed004,aug,ls_ema,every,long'  # 'accurate' (a 2.8M-parameter ResNet, 15 epochs) is for a GPU: add it with --steps

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--record', required=True); p.add_argument('--seeds', type=int, default=5)
    p.add_argument('--steps', default=DEFAULT_STEPS); p.add_argument('--device')
    p.add_argument('--smoke', action='store_true', help='a seconds-long check of the script, labelled smoke')
    p.add_argument('--compile', action='store_true', help='train through Compile(), warmed up first (see above)')
    p.add_argument('--graph', action='store_true', help='replay each full training batch from a CUDA graph (CudaGraph())')
    p.add_argument('--bf16', action='store_true', help='bf16 autocast in channels_last layout (MixedPrecision(channels_last=True))')
    a = p.parse_args()
    _START['git'] = git_state()  # the code that ran, whatever changes in the checkout meanwhile
    unknown = set(a.steps.split(',')) - set(steps())
    if unknown: p.error(f"unknown steps {', '.join(sorted(unknown))}: expected some of {', '.join(steps())}")
    chosen = {k: v for k, v in steps().items() if k in a.steps.split(',')}
    device = resolve_device(a.device)
    runs, extra = [], {}
    fast_path = lambda: [*([Compile()] if a.compile else []), *([CudaGraph()] if a.graph else []),
                         *([MixedPrecision(channels_last=True)] if a.bf16 else [])] or None
    if a.compile:  # one fit of the first step on its full data pays the compilation of every shape the runs will see
        r = next(iter(chosen.values())).with_(epochs=1)
        dls = r.data(seed=0, device=device)
        if a.smoke:
            for dl in dls.loaders: dl.x, dl.y = dl.x[:256], dl.y[:256]
        t0 = time.perf_counter(); r.run(seed=0, dls=dls, device=device, cbs=fast_path()); extra['warmup_s'] = time.perf_counter() - t0
        print(f"compiled: warm-up fit {extra['warmup_s']:.1f} s", flush=True)
    for seed in range(2 if a.smoke else a.seeds):
        for name, r in chosen.items():
            if a.smoke: r = r.with_(epochs=1)
            dls = r.data(seed=seed, device=device)
            if a.smoke:
                for dl in dls.loaders: dl.x, dl.y = dl.x[:256], dl.y[:256]
            cbs = fast_path()
            row = {'step': name, **r.run(seed=seed, dls=dls, device=device, cbs=cbs)}
            graph = next((cb for cb in cbs or [] if isinstance(cb, CudaGraph)), None)
            if graph is not None: row['graph_replays'] = graph.replays  # 0: the fit trained eagerly (a warning said why)
            runs.append(row)
            print(f"seed {seed} {name:13s} test {row['test_accuracy']:.4f}  train {row['train_s']:.1f} s", flush=True)
            report(a.record, {**provenance(command(), device), 'git': _START['git'], 'kind': 'recipes', 'smoke': a.smoke, 'compile': a.compile, 'graph': a.graph, 'bf16': a.bf16, **extra,
                              'split': f'train {dls.train.n} / valid {dls.valid.n} / test {dls.test.n}',
                              'recipes': {k: dataclasses.asdict(v) for k, v in chosen.items()}, 'runs': runs})

if __name__ == '__main__': main()
