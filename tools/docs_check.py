"""Check the documentation without Quarto: run nbdev's own notebook processing (the step that feeds Quarto), render
the processed pages to HTML with nbconvert, screenshot the index and each API page in headless Chromium, and
assert that every exported public name is documented, that plots appear as images, and that no page shows a
traceback or an unexecuted cell. A check, not a second site generator: the site itself is `nbdev_docs`.

  python tools/docs_check.py [--out _docs_check] [--no-screens]"""
import argparse, importlib, json, re, shutil, subprocess, sys
from pathlib import Path
import nbformat
import matplotlib; matplotlib.use('Agg')
import matplotlib.pyplot as plt
from nbconvert import HTMLExporter
from nbdev.config import get_config
from nbdev.serve import proc_nbs

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--hide-scrollbars',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync']

def strip_hidden(nb):
    "What Quarto would not show: inputs marked `echo: false`."
    for c in nb.cells:
        if c.cell_type == 'code' and re.search(r'^#\|\s*echo:\s*false', c.source, re.M): c.source = ''
    nb.cells = [c for c in nb.cells if c.cell_type != 'raw' and (c.source.strip() or c.get('outputs'))]
    return nb

def module_of(nb_path):
    src = '\n'.join(c.source for c in nbformat.read(nb_path, as_version=4).cells if c.cell_type == 'code')
    m = re.search(r'^#\|\s*default_exp\s+(\S+)', src, re.M)
    return m.group(1) if m else None

def documented_names(nb) -> set:
    "Names that have a show_doc entry (a rendered heading) in a processed notebook."
    names = set()
    for c in nb.cells:
        for o in c.get('outputs', []):
            md = o.get('data', {}).get('text/markdown', '')
            names.update(re.findall(r'^#{2,4}\s+([\w.]+)', md, re.M))
    return names

def screenshot(chromium, html, png):
    subprocess.run([chromium, *CHROMIUM_FLAGS, f'--user-data-dir={png.parent/".chromium"}', '--window-size=1280,1800',
                    f'--screenshot={png}', html.as_uri()], check=True, capture_output=True, timeout=120)

def main():
    p = argparse.ArgumentParser(); p.add_argument('--out', default='_docs_check'); p.add_argument('--no-screens', action='store_true')
    a = p.parse_args()
    out = ROOT/a.out; shutil.rmtree(out, ignore_errors=True); out.mkdir()
    cfg = get_config()
    cache = proc_nbs(force=True, n_workers=0)
    problems, pages = [], {}
    if (cfg.nbs_path/'images').is_dir(): shutil.copytree(cfg.nbs_path/'images', out/'images')  # pages link to images/
    exporter = HTMLExporter(exclude_input_prompt=True, exclude_output_prompt=True)
    for src in sorted(cfg.nbs_path.glob('*.ipynb')):
        proc = cache/src.name
        nb = strip_hidden(nbformat.read(proc, as_version=4))
        body, _ = exporter.from_notebook_node(nb)
        html = out/(src.stem + '.html'); html.write_text(body)
        pages[src.name] = html
        raw = json.loads(src.read_text())
        if 'Traceback (most recent call last)' in body or any(o.get('output_type') == 'error' for c in nb.cells for o in c.get('outputs', [])):
            problems.append(f'{src.name}: a page shows a Python traceback')
        if any(c.cell_type == 'code' and re.match(r'\s*show_doc\(', c.source) and not c.get('outputs') for c in nb.cells):
            problems.append(f'{src.name}: an unexecuted show_doc cell')
        n_plots = sum('image/png' in o.get('data', {}) for c in raw['cells'] for o in c.get('outputs', []))
        broken = [l for l in re.findall(r'<img[^>]*src="([^"]+)"', body) if not l.startswith('data:') and not (out/l).exists()]
        if broken: problems.append(f'{src.name}: broken image links {broken}')
        n_imgs = body.count('src="data:image/png')
        if n_imgs < n_plots: problems.append(f'{src.name}: {n_plots} plots in the notebook, {n_imgs} images on the page')
        mod = module_of(src)
        if mod:
            m = importlib.import_module(f'{cfg.lib_name}.{mod}')
            public = [n for n in getattr(m, '__all__', []) if not n.startswith('_')]
            documentable = [n for n in public if callable(getattr(m, n))]  # constants are described in prose
            missing = sorted(set(documentable) - documented_names(nb))
            if missing: problems.append(f'{src.name}: no documentation entry for {", ".join(missing)}')
            undoc = [n for n in documentable if not (getattr(m, n).__doc__ or '').strip()]
            if undoc: problems.append(f'{src.name}: no docstring for {", ".join(undoc)}')
            print(f'{src.name:24s} {len(public):3d} public names documented, {n_plots} plots')
    if not a.no_screens:
        chromium = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
        if chromium is None: problems.append('chromium not found: install the Debian package `chromium` for the screenshots')
        else:
            (out/'screens').mkdir()
            for name, html in pages.items():
                png = out/'screens'/(Path(name).stem + '.png')
                screenshot(chromium, html, png)
                ink = (plt.imread(png)[..., :3] < 0.9).any(-1).mean()  # fraction of pixels that are not white
                if ink < 0.01: problems.append(f'{name}: the screenshot looks empty ({ink:.2%} non-white pixels)')
            print(f'screenshots of {len(pages)} pages in {out/"screens"}')
    for pr in problems: print('PROBLEM', pr)
    print(f'docs check: {len(pages)} pages, {len(problems)} problems')
    sys.exit(1 if problems else 0)

if __name__ == '__main__': main()
