"The project's promises: the README's two commands, CI calling the second, and nothing downloaded at import."
import os, re, subprocess, sys
import pytest
from pathlib import Path

ROOT = Path(__file__).parents[1]

def readme_commands():
    text = (ROOT/'README.md').read_text()
    block = re.search(r'```sh\n(.*?)```', text, re.S).group(1)
    return [l for l in block.splitlines() if l.strip()]

def test_readme_starts_with_two_commands():
    text = (ROOT/'README.md').read_text()
    first_block = text.index('```sh')
    assert text[:first_block].strip().splitlines()[-1].startswith('# slowcnn')
    assert len(readme_commands()) == 2

def test_ci_runs_the_readme_test_command():
    ci = (ROOT/'.ci'/'run').read_text().splitlines()
    assert readme_commands()[1] in ci

def test_import_needs_no_network_and_no_data(tmp_path, tmp_path_factory):
    code = ('import socket\n'
            'def _no(*a, **k): raise AssertionError("network used at import")\n'
            'socket.socket.connect = _no; socket.create_connection = _no\n'
            'import slowcnn.all\n')
    env = dict(os.environ, SLOWCNN_DATA=str(tmp_path/'none'), HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path/'cache'),
               MPLCONFIGDIR=str(tmp_path_factory.mktemp('mpl')))  # matplotlib's own font cache is not ours
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing downloaded

def test_readme_is_generated_from_index():
    r = subprocess.run([sys.executable, 'tools/readme.py', '--check'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

LEARNER_API = ('fit', 'fit_one_cycle', 'lr_find', 'save', 'load', 'validate', 'get_preds', 'tta', 'summary', 'freeze',
               'unfreeze', 'fine_tune', 'show_plan', 'add_cbs', 'remove_cbs')

@pytest.mark.parametrize('first', ['slowcnn.learner', 'slowcnn.core', 'slowcnn.models', 'slowcnn.callbacks', 'slowcnn.cli'])
def test_learner_api_does_not_depend_on_import_order(first):
    "Importing the learner module alone (after any other module) gives the whole API, defined on the class itself."
    code = (f'import {first}\nfrom slowcnn.learner import Learner\n'
            f'missing = [m for m in {LEARNER_API!r} if m not in vars(Learner)]\nassert not missing, missing\n')
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr

def test_all_exports_every_module_without_collisions():
    "`slowcnn.all` re-exports every module's public names, and no name means two different things."
    import importlib, pkgutil, slowcnn, slowcnn.all
    owners = {}
    for m in pkgutil.walk_packages(slowcnn.__path__, 'slowcnn.'):
        if m.name in ('slowcnn.all', 'slowcnn._modidx', 'slowcnn.cli'): continue
        if m.name.startswith('slowcnn.compat'):  # the seeds' spellings re-use library names on purpose: imported by hand
            continue
        mod = importlib.import_module(m.name)
        for n in getattr(mod, '__all__', []):
            obj = getattr(mod, n)
            prev = owners.setdefault(n, (m.name, obj))
            assert prev[1] is obj, f'{n} is defined in both {prev[0]} and {m.name}'
            assert getattr(slowcnn.all, n, None) is obj, f'{m.name}.{n} is not exported by slowcnn.all'

def test_stored_source_links_point_at_definitions():
    "The docs render the notebooks' stored `show_doc` outputs: each link to a source line must land on a definition."
    import json
    stale = []
    for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            for out in cell.get('outputs', []):
                for f, ln in re.findall(r'blob/[^/"]+/(slowcnn/[\w/]+\.py)#L(\d+)', json.dumps(out)):
                    lines = (ROOT/f).read_text().split('\n') if (ROOT/f).exists() else []
                    line = lines[int(ln) - 1] if int(ln) <= len(lines) else ''
                    if not re.match(r'\s*(@|def |class |async def )', line): stale.append(f'{nb.name}: {f}#L{ln} is {line.strip()[:40]!r}')
    assert not stale, 'stored show_doc outputs link to moved code (re-execute these notebooks): ' + '; '.join(stale[:5])
