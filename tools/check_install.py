"""Check that `pip install .` alone (no extras) gives a working library, and that every import is declared.

  python tools/check_install.py [--keep DIR]

1. Every third-party module that the package imports is a declared requirement in settings.ini (a static check of
   the generated modules' imports, mapped to their distributions).
2. A new virtual environment gets torch and torchvision (linked from the environment running this script, as the
   README asks users to install them first) and then `pip install .` with no extras; in it, `from slowcnn.all
   import *` works without nbdev or fastcore, and a small model trains for one epoch on generated FashionMNIST
   files. The environment is made afresh each run, so a missing requirement cannot hide behind an earlier install."""
import argparse, ast, configparser, importlib.metadata as md, os, re, shlex, shutil, subprocess, sys, tempfile, venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def declared() -> set:
    "Distribution names (normalised) in settings.ini's `requirements`."
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    return {re.split(r'[<>=!~;\[ ]', r)[0].lower().replace('_', '-') for r in shlex.split(cfg['DEFAULT']['requirements'])}

def _optional(tree) -> set:
    "Ids of import statements inside `try: ... except ImportError:` blocks: optional imports, not requirements."
    ids = set()
    for t in ast.walk(tree):
        if isinstance(t, ast.Try) and any(isinstance(h.type, ast.Name) and h.type.id in ('ImportError', 'ModuleNotFoundError') for h in t.handlers):
            ids.update(id(n) for b in t.body for n in ast.walk(b))
    return ids

def imported_modules() -> set:
    "Top-level modules imported anywhere in the package (relative and optional imports excluded)."
    mods = set()
    for f in (ROOT/'slowcnn').rglob('*.py'):
        tree = ast.parse(f.read_text()); optional = _optional(tree)
        for node in ast.walk(tree):
            if id(node) in optional: continue
            if isinstance(node, ast.Import): mods.update(a.name.split('.')[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module: mods.add(node.module.split('.')[0])
    return mods - {'slowcnn', '__future__'}

def check_declared() -> list:
    "Problems: third-party imports whose distribution is not a declared requirement."
    dists, want, problems = md.packages_distributions(), declared(), []
    for m in sorted(imported_modules()):
        if m in sys.stdlib_module_names: continue
        names = {d.lower().replace('_', '-') for d in dists.get(m, [])}
        if not names: problems.append(f'`import {m}`: no installed distribution provides it')
        elif not names & want: problems.append(f'`import {m}` (from {", ".join(sorted(names))}) is not in settings.ini requirements')
    return problems

def closure(names) -> set:
    "The distributions `names` need, recursively (extras and environment markers that do not apply are skipped)."
    seen, todo = set(), list(names)
    while todo:
        n = re.split(r'[<>=!~;\[ (]', todo.pop())[0].strip()
        key = n.lower().replace('_', '-')
        if not key or key in seen: continue
        try: dist = md.distribution(n)
        except md.PackageNotFoundError: continue
        seen.add(key)
        for r in dist.requires or []:
            if 'extra ==' in r: continue
            todo.append(r)
    return seen

def link_torch(site:Path):
    "Make torch, torchvision and what they need importable in `site` by linking their installed files."
    for key in closure(['torch', 'torchvision']):
        dist = md.distribution(key)
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith('..')}
        for t in tops:
            src = Path(dist.locate_file(t))
            if src.exists() and not (site/t).exists() and t != '__pycache__': (site/t).symlink_to(src)

SMOKE = r'''
import importlib.util, sys, tempfile, torch
from slowcnn.all import *
assert importlib.util.find_spec('fastcore') is None and importlib.util.find_spec('nbdev') is None, 'dev tools leaked in'
d = make_fake_fashion_mnist(tempfile.mkdtemp(), n_train=256, n_test=64)
set_seed(0)
learn = Learner(create_model('simple_cnn'), fashion_mnist(bs=64, path=d), progress=False, device='cpu')
learn.fit_one_cycle(1, 1e-2)
print('trained one epoch in a clean install:', learn.recorder.history[-1])
'''

def main():
    p = argparse.ArgumentParser(); p.add_argument('--keep', help='build the environment in this folder and keep it')
    a = p.parse_args()
    problems = check_declared()
    for pr in problems: print('PROBLEM', pr)
    if problems: sys.exit(1)
    print(f'every third-party import is declared: {", ".join(sorted(m for m in imported_modules() if m not in sys.stdlib_module_names))}')
    env = Path(a.keep or tempfile.mkdtemp(prefix='slowcnn-clean-'))
    shutil.rmtree(env, ignore_errors=True)
    try:
        venv.create(env, with_pip=True)
        py = env/'bin'/'python'
        site = Path(subprocess.check_output([py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], text=True).strip())
        link_torch(site)
        subprocess.run([py, '-m', 'pip', 'install', '-q', '--disable-pip-version-check', str(ROOT)], check=True)
        subprocess.run([py, '-c', SMOKE], check=True, cwd=tempfile.gettempdir(),
                       env={**os.environ, 'PYTHONWARNINGS': 'ignore', 'MPLBACKEND': 'Agg'})
    finally:
        if not a.keep: shutil.rmtree(env, ignore_errors=True)
    print('clean install: OK')

if __name__ == '__main__': main()
