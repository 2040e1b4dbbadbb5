"""What the experiment scripts in bench/ share: their command line, the seed 003 split at full or reduced size, and
writing a run record after every model (an interrupted run keeps what it finished)."""
import argparse, sys
from pathlib import Path
import torch
from slowcnn.all import *

_START = {}  # the git state when the experiment started: the code that ran, whatever changes in the checkout meanwhile

def parser(doc:str, epochs:int, n_train:int) -> argparse.ArgumentParser:
    "The options every experiment takes; `--smoke` shrinks it to seconds (and says so in the record)."
    _START['git'] = git_state()
    p = argparse.ArgumentParser(description=doc.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=doc)
    p.add_argument('--record', required=True, help='JSON file to write the run record to (rewritten after every model)')
    p.add_argument('--epochs', type=int, default=epochs)
    p.add_argument('--n-train', type=int, default=n_train, help='training images taken from the 50,000 of the seed 003 split')
    p.add_argument('--device', default=None, help='cpu, cuda or mps (default: the best available)')
    p.add_argument('--smoke', action='store_true', help='a seconds-long check of the script: tiny data, 1 epoch, labelled smoke')
    return p

def seed003_data(a, bs:int, size:int=28) -> DataLoaders:
    "FashionMNIST split 50k/10k/10k as seed 003 does, the training part cut to `a.n_train` images (everything tiny with `--smoke`)."
    d = fashion_mnist(bs=bs, split='seed003', seed=0)
    if size != 28:
        for dl in d.loaders: dl.batch_tfms = [Resize(size)]
    n_train, n_eval = (256, 256) if a.smoke else (a.n_train, None)
    d.train.x, d.train.y = d.train.x[:n_train], d.train.y[:n_train]
    if n_eval:
        for dl in (d.valid, d.test): dl.x, dl.y = dl.x[:n_eval], dl.y[:n_eval]
    return d.to(resolve_device(a.device))

def command() -> str: return ' '.join(['python', *[str(Path(sys.argv[0]).as_posix()), *sys.argv[1:]]])

def protocol_record(a, kind:str, split:str, recipe:dict, runs:list, device, **extra) -> dict:
    "A record of an experiment (`kind`), in the format of `slowcnn.records`, with its runs so far."
    return {**provenance(command(), resolve_device(device)), 'git': _START.get('git', git_state()), 'kind': kind, 'smoke': a.smoke, 'split': split,
            'recipe': recipe, 'runs': runs, **extra}

def report(path, record):
    "Write the record and say where."
    write_record(record, path)
    print(f'wrote {path} ({len(record["runs"])} runs{", smoke" if record["smoke"] else ""})', flush=True)

def epochs(a) -> int: return 1 if a.smoke else a.epochs

def batchnorm_params(model) -> dict:
    "Seed 003's inspection: the learned scale (gamma) and shift (beta) of every BatchNorm layer, as lists."
    return {name: {'gamma': m.weight.detach().cpu().tolist(), 'beta': m.bias.detach().cpu().tolist()}
            for name, m in model.named_modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.affine}
