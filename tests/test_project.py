"The project's promises: the README's two commands, CI calling the second, and nothing downloaded at import."
import os, re, subprocess, sys
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
