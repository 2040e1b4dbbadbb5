"Notebooks run through a real Jupyter kernel (nbclient and the venv's python3 kernel), as a user's `jupyter nbconvert --execute` does."
import json, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).parents[1]
QUICKSTART = ROOT/'nbs'/'01a_quickstart.ipynb'

def run_in_kernel(path, timeout=600):
    "Execute the notebook at `path` in a fresh python3 kernel, from its folder; returns the executed notebook."
    nbformat = pytest.importorskip('nbformat'); nbclient = pytest.importorskip('nbclient')
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('import sys, slowcnn; print(sys.prefix); print(slowcnn.__file__)'))
    client = nbclient.NotebookClient(nb, kernel_name='python3', timeout=timeout, resources={'metadata': {'path': str(path.parent)}})
    client.execute()
    return nb

def test_quickstart_runs_in_a_real_kernel(monkeypatch):
    monkeypatch.setenv('PYTHONPATH', str(ROOT)); monkeypatch.setenv('MPLBACKEND', 'Agg')  # the kernel inherits them: it imports this checkout
    nb = run_in_kernel(QUICKSTART)
    errors = [o for c in nb.cells for o in c.get('outputs', []) if o.output_type == 'error']
    assert not errors, errors
    prefix, module = nb.cells[-1].outputs[0].text.split()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()  # the kernel is this venv's python
    assert Path(module).resolve().is_relative_to(ROOT.resolve())  # and it imports this checkout
    texts = ' '.join(o.get('text', '') or json.dumps(o.get('data', {}).get('text/plain', '')) for c in nb.cells for o in c.get('outputs', []))
    assert 'resnet18 (timm)' in texts and 'predicted' in texts

def test_quickstart_is_stored_executed():
    "The page keeps its outputs (the docs render them): every code cell ran, none failed."
    cells = [c for c in json.loads(QUICKSTART.read_text())['cells'] if c['cell_type'] == 'code']
    assert all(c['outputs'] for c in cells[1:])  # all but the imports show something
    assert not [o for c in cells for o in c['outputs'] if o['output_type'] == 'error']
