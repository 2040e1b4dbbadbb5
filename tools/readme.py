"""Write README.md from nbs/index.ipynb without Quarto (which `nbdev_readme` needs): drop `#| hide` cells, strip
nbdev directives, the title cell's description and the code of `echo: false` cells, render to GitHub markdown with nbconvert. `--check` fails if README.md is out of date."""
import sys, re
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter
from traitlets.config import Config

def render(nb_path='nbs/index.ipynb') -> str:
    nb = nbformat.read(nb_path, as_version=4)
    cells = []
    for c in nb.cells:
        lines = c.source.splitlines()
        if c.cell_type == 'code' and any(re.match(r'#\s*\|\s*hide\b', l) for l in lines): continue
        if c.cell_type == 'markdown' and lines and lines[0].startswith('# '):  # the title cell: its `> description` is
            c.source = '\n'.join(l for l in lines if not l.startswith('> '))  # the site's page summary, not README text
        if c.cell_type == 'code':
            if any(re.match(r'#\s*\|\s*echo:\s*false', l) for l in lines): c.metadata['tags'] = ['remove_input']  # output only
            c.source = '\n'.join(l for l in lines if not re.match(r'#\s*\|', l))
        cells.append(c)
    nb.cells = cells
    exporter = MarkdownExporter(config=Config({'TagRemovePreprocessor': {'enabled': True, 'remove_input_tags': {'remove_input'}}}))
    body, _ = exporter.from_notebook_node(nb)
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    body = body.replace('](images/', '](nbs/images/')  # the site's root is nbs/, the README's is the repository's
    body = re.sub(r'\]\((\w+\.ipynb)', r'](nbs/\1', body)  # links between pages, likewise
    return '<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file. -->\n\n' + body

if __name__ == '__main__':
    text, readme = render(), Path('README.md')
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `python tools/readme.py`')
        print('README.md matches nbs/index.ipynb')
    else: readme.write_text(text); print('wrote README.md')
