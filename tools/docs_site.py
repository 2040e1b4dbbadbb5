"""Build the documentation site without Quarto, then check it in headless Chromium the way a reader meets it.

`nbdev_docs` builds the real site where Quarto is installed. Where it is not, this builds a browsable one into
_docs/ from the same nbdev-processed notebooks (`nbdev.serve.proc_nbs`), rendered by nbconvert through the small
page template in tools/site_template/, with the sidebar of nbs/sidebar.yml on every page. The check then opens
every page in Chromium, saves a screenshot of each in _docs/_screens/, and fails on what a reader would see as
broken: a missing page or title, leaked Quarto syntax, empty code boxes, undocumented public names, missing plots,
dead links, tracebacks, and notebooks left out of the sidebar.

  .venv/bin/python tools/docs_site.py              # build and check (the test command runs this)
  .venv/bin/python tools/docs_site.py --no-check   # build only"""
import argparse, base64, importlib, json, os, posixpath, re, select, shutil, subprocess, sys, tempfile, time
T0 = time.time()  # the times printed include importing nbdev and nbconvert
from pathlib import Path
from urllib.parse import unquote, urlsplit
import nbformat, yaml
from nbconvert import HTMLExporter
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.serve import proc_nbs

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).resolve().parent/'site_template'
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--hide-scrollbars',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync']
LEAKS = ('{target=', '{.', ':::')  # Pandoc/Quarto syntax that means a construct was not converted
SHOT_MAX_H = 12000  # screenshots are of the whole page, up to this many pixels tall

# --- Markdown: Quarto/Pandoc constructs nbconvert does not know, turned into plain Markdown and HTML ---------------

def attrs_html(a):
    "Pandoc attributes `{#id .cls key=\"v\"}` as HTML attributes."
    ids, cls = re.findall(r'(?:^|\s)#([\w:-]+)', a), re.findall(r'(?:^|\s)\.([\w-]+)', a)
    kv = [f'{k}="{v.strip(chr(34))}"' for k, v in re.findall(r'([\w-]+)=("[^"]*"|[^\s}]+)', a)]
    return ''.join(f' {s}' for s in [*(f'id="{i}"' for i in ids[:1]), *([f'class="{" ".join(cls)}"'] if cls else []), *kv])

def fence(m):
    "A fenced div `::: {.callout-note}` opens a div, a bare `:::` closes one; blank lines keep the inside Markdown."
    a = m.group(1)
    if not a: return '\n</div>\n'
    return f'\n<div{attrs_html(a.strip("{}") if a.startswith("{") else "." + a)}>\n\n'

def heading(m):
    "A heading without its attributes, keeping an id from them, or its lower-cased name, as an anchor."
    hashes, text, attrs = m[1], m[2], m[3] or ''
    ids = re.findall(r'(?:^|\s)#([\w:-]+)', attrs)
    # nbdev links to an entry by its lower-cased name (learner.html#learner); nbconvert's ids keep the case
    if not ids and re.fullmatch(r'[\w.]+', text) and text != text.lower(): ids = [text.lower()]
    return f'{hashes} <span id="{ids[0]}"></span>{text}' if ids else f'{hashes} {text}'

def unquarto(md):
    "Convert or strip Pandoc/Quarto syntax (attributes, spans, fenced divs) so nbconvert renders it cleanly."
    code = []  # code blocks and spans are set aside first: what they show is never syntax
    def keep(m): code.append(m[0]); return f'\0{len(code) - 1}\0'
    md = re.sub(r'^```.*?^```[^\n]*$|`[^`\n]+`', keep, md, flags=re.M | re.S)
    md = re.sub(r'(?<!!)\[([^\]]*)\]\(([^)\s]+)\)\{([^}]*)\}',
                lambda m: f'<a href="{m[2]}"{attrs_html(m[3])}>{m[1]}</a>', md)
    md = re.sub(r'\[([^\]]*)\]\{([^}]*)\}', lambda m: f'<span{attrs_html(m[2])}>{m[1]}</span>', md)
    md = re.sub(r'^ {0,3}:{3,}\s*(\{[^}]*\}|[\w-]+)?\s*$', fence, md, flags=re.M)
    md = re.sub(r'^(#{1,6}) +(.*?)\s*(?:\{([^}]*)\})?\s*$', heading, md, flags=re.M)
    md = re.sub(r'(?<=[)\]\0])\{[^}\n]*\}', '', md)  # attributes on images or code: dropped
    return re.sub(r'\0(\d+)\0', lambda m: code[int(m[1])], md)

def relink(md, page_dir, pages, doc_base):
    "Links to the published site or to other notebooks, as relative links within this build."
    rel = lambda target: posixpath.relpath(target, page_dir or '.')
    md = re.sub(re.escape(doc_base) + r'([^)\s"\'>]*)', lambda m: rel(m[1] or 'index.html'), md)
    def nb_link(m):  # relative to the notebook's folder, which is also its page's
        src = posixpath.normpath(posixpath.join(page_dir, unquote(m[2])))
        return f'{m[1]}{rel(pages[src])}{m[3] or ""})' if src in pages else m[0]
    return re.sub(r'(\]\()([^)\s#]+\.ipynb)(#[^)\s]*)?\)', nb_link, md)

# --- Building ---------------------------------------------------------------------------------------------------

def front_matter(nb):
    "The YAML front matter nbdev puts in the first raw cell (title, description, output-file), removed from `nb`."
    for i, c in enumerate(nb.cells):
        if c.cell_type == 'raw' and c.source.lstrip().startswith('---'):
            del nb.cells[i]
            return yaml.safe_load(re.sub(r'^---\s*$', '', c.source, flags=re.M)) or {}
    return {}

def directives(src):
    "The `#| key: value` directives of a code cell."
    return {k: v.strip().lower() for k, v in re.findall(r'^\s*#\|\s*([\w-]+):?(.*)$', src, re.M)}

def blank_html(o) -> bool:
    "Whether an output shows nothing: HTML alone (a finished progress bar) whose text and images are empty."
    data = o.get('data', {}) if o.output_type in ('display_data', 'execute_result') else {}
    html = ''.join(data.get('text/html', '')) if set(data) <= {'text/html', 'text/plain'} and 'text/html' in data else None
    return html is not None and not re.sub(r'<style.*?</style>|<[^>]+>', '', html, flags=re.S).strip() and '<img' not in html and '<table' not in html

def shown_cells(nb):
    "The cells as Quarto shows them: no hidden inputs or outputs, no directive lines, nothing that would be an empty box."
    cells = []
    for c in nb.cells:
        if c.cell_type == 'markdown':
            if re.sub(r'<!--.*?-->', '', c.source, flags=re.S).strip(): cells.append(c)
            continue
        if c.cell_type != 'code': continue
        d = directives(c.source)
        if d.get('include') == 'false' or 'hide' in d: continue
        if d.get('output') == 'false': c.outputs = []
        c.outputs = [o for o in c.outputs if (o.output_type != 'stream' or o.text.strip()) and not blank_html(o)]
        c.source = re.sub(r'^\s*#\|.*\n?', '', c.source, flags=re.M).strip()
        if d.get('echo') == 'false' or not c.source: c.metadata['transient'] = {'remove_source': True}
        if c.source and not c.metadata.get('transient') or c.outputs: cells.append(c)
    nb.cells = cells
    return nb

def read_sidebar(nbs, titles):
    "nbs/sidebar.yml as a tree of {section, contents} and {text, href, external, src} for the template."
    sb = yaml.safe_load((nbs/'sidebar.yml').read_text())['website']['sidebar']
    if isinstance(sb, list): sb = sb[0]  # Quarto allows several sidebars; the first is the site's
    def entry(e):
        if isinstance(e, str): e = {'href': e}
        if 'section' in e: return {'section': e['section'], 'contents': [entry(x) for x in e.get('contents', [])]}
        href = e['href']
        if re.match(r'\w+://', href): return {'text': e.get('text', href), 'href': href, 'external': True}
        src = posixpath.normpath(href)
        return {'text': e.get('text') or titles.get(src, src), 'href': src, 'external': False, 'src': src}
    return [entry(e) for e in sb.get('contents', [])]

def walk(nav):
    "The links of a sidebar tree, in order."
    for e in nav: yield from walk(e['contents']) if 'contents' in e else [e]

def build(out):
    "Process the notebooks with nbdev and render the site into `out`; return the pages, sidebar and problems found."
    cfg = get_config()
    nbs, problems = Path(cfg.nbs_path), []
    shutil.rmtree(out, ignore_errors=True); out.mkdir(parents=True)
    cache = proc_nbs(force=True, n_workers=0)
    srcs = sorted(Path(p).relative_to(nbs).as_posix() for p in nbglob(nbs))  # the notebooks nbdev makes pages of
    nbs_read = {s: nbformat.read(cache/s, as_version=4) for s in srcs}
    fms = {s: front_matter(nb) for s, nb in nbs_read.items()}
    # each page is named as Quarto names it (nbdev's output-file: 00_core.ipynb -> core.html), beside its notebook
    pages = {s: posixpath.join(posixpath.dirname(s), fm.get('output-file', Path(s).stem + '.html'))
             for s, fm in fms.items()}
    titles = {s: fm.get('title', Path(s).stem).replace('`', '') for s, fm in fms.items()}
    nav = read_sidebar(nbs, titles)
    listed = {e['src'] for e in walk(nav) if not e['external']}
    for e in walk(nav):
        if e['external']: continue
        if e['src'] not in pages:
            problems.append(f'nbs/sidebar.yml lists {e["src"]}, which is not a notebook nbdev processes in nbs/')
            e['href'] = e['src']  # leave the dead link in place so the check reports it too
        else: e['href'] = pages[e['src']]
    for nb_path in sorted(nbs.rglob('*.ipynb')):
        rel = nb_path.relative_to(nbs)
        if rel.as_posix() not in listed and not any(p[0] in '._' for p in rel.parts):
            problems.append(f'nbs/{rel.as_posix()} is not in nbs/sidebar.yml: add it so readers can reach the page')
    for s in srcs:  # nbdev takes only the first `> ` line of the title cell as the description: the rest is lost
        title_cell = next((c.source for c in nbformat.read(nbs/s, as_version=4).cells if c.cell_type == 'markdown'), '')
        quote = re.findall(r'^>.*$', title_cell, re.M) if re.match(r'\s*# ', title_cell) else []
        if len(quote) > 1: problems.append(f'nbs/{s}: the description (`> ...` under the title) spans {len(quote)} lines '
                                           'and the page shows only the first: put it on one line')
    for f in nbs.rglob('*'):  # images the notebooks' Markdown links to
        rel = f.relative_to(nbs)
        if f.suffix.lower() in ('.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp') and not any(p[0] in '._' for p in rel.parts):
            (out/rel).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, out/rel)
    (out/'_static').mkdir(); shutil.copy2(TEMPLATE/'site.css', out/'_static/site.css')
    exporter = HTMLExporter(template_file=str(TEMPLATE/'page.html.j2'),  # extends nbconvert's lab template
                            exclude_input_prompt=True, exclude_output_prompt=True)
    doc_base = cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + '/'
    for s, nb in nbs_read.items():
        page, fm = pages[s], fms[s]
        fix = lambda md: relink(unquarto(md), posixpath.dirname(page), pages, doc_base)
        for c in nb.cells:
            if c.cell_type == 'markdown': c.source = fix(c.source)
            for o in c.get('outputs', []):
                if 'text/markdown' in o.get('data', {}): o.data['text/markdown'] = fix(o.data['text/markdown'])
        nb = shown_cells(nb)
        nb.metadata['title'] = titles[s] if page == 'index.html' else f'{titles[s]} – {cfg.title}'
        math = any(re.search(r'\$[^$\s][^$]*\$', c.source) for c in nb.cells if c.cell_type == 'markdown')
        site = dict(name=cfg.title, title=fm.get('title', titles[s]), description=fm.get('description', ''), nav=nav,
                    page=page, root='../' * page.count('/'), math=math)
        body, _ = exporter.from_notebook_node(nb, resources={'site': site})
        (out/page).parent.mkdir(parents=True, exist_ok=True); (out/page).write_text(body)
    return pages, nav, problems

# --- Checking, in Chromium --------------------------------------------------------------------------------------

class Chromium:
    "Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4), so no websocket client is needed."
    def __init__(self, exe, profile):
        to_cr, self.w = os.pipe(); self.r, from_cr = os.pipe()
        def child_fds(): a, b = os.dup(to_cr), os.dup(from_cr); os.dup2(a, 3); os.dup2(b, 4)
        self.proc = subprocess.Popen([exe, *CHROMIUM_FLAGS, '--remote-debugging-pipe', f'--user-data-dir={profile}'],
                                     preexec_fn=child_fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_cr); os.close(from_cr)
        self.n, self.buf, self.events, self.sid = 0, b'', [], None
        target = self.send('Target.createTarget', url='about:blank')['targetId']
        self.sid = self.send('Target.attachToTarget', targetId=target, flatten=True)['sessionId']
        self.send('Page.enable')
        self.send('Emulation.setDeviceMetricsOverride', width=1280, height=900, deviceScaleFactor=1, mobile=False)

    def recv(self, timeout=60):
        while b'\0' not in self.buf:
            if not select.select([self.r], [], [], timeout)[0]: raise TimeoutError('Chromium stopped answering')
            chunk = os.read(self.r, 1 << 20)
            if not chunk: raise RuntimeError('Chromium exited')
            self.buf += chunk
        msg, self.buf = self.buf.split(b'\0', 1)
        return json.loads(msg)

    def send(self, method, **params):
        "Send one command (to the page once attached) and return its result."
        self.n += 1
        msg = {'id': self.n, 'method': method, 'params': params, **({'sessionId': self.sid} if self.sid else {})}
        os.write(self.w, json.dumps(msg).encode() + b'\0')
        while True:
            m = self.recv()
            if m.get('id') == self.n:
                if 'error' in m: raise RuntimeError(f'{method}: {m["error"]}')
                return m['result']
            self.events.append(m.get('method'))

    def open(self, url):
        "Navigate and wait for the load event; the error text if the page did not load."
        self.events.clear()
        err = self.send('Page.navigate', url=url).get('errorText')
        if err: return err
        while 'Page.loadEventFired' not in self.events: self.events.append(self.recv().get('method'))

    def screenshot(self, height):
        "A PNG of the page's top `height` pixels, in a window that tall so the fixed sidebar runs the full length."
        self.send('Emulation.setDeviceMetricsOverride', width=1280, height=height, deviceScaleFactor=1, mobile=False)
        png = self.send('Page.captureScreenshot', format='png')['data']
        self.send('Emulation.setDeviceMetricsOverride', width=1280, height=900, deviceScaleFactor=1, mobile=False)
        return base64.b64decode(png)

    def close(self):
        self.sid = None  # Browser.close goes to the browser, not the page
        try: self.send('Browser.close'); self.proc.wait(10)
        except Exception: self.proc.kill()

# What a reader sees on a page, gathered in the browser: visible text outside code, boxes, headings, images, links.
PAGE_JS = r'''(() => {
  const vis = e => e.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), prose = [];
  while (walker.nextNode()) { const p = walker.currentNode.parentElement;
    if (p && !p.closest('pre, script, style') && vis(p)) prose.push(walker.currentNode.data); }
  const boxes = [...document.querySelectorAll('.jp-Cell, .jp-InputArea-editor, .jp-OutputArea-output, pre')].filter(vis);
  const nav = document.querySelector('nav.sidebar');
  return {
    html: document.documentElement.outerHTML.length, text: document.body ? document.body.innerText : '',
    title: document.title, prose: prose.join(' '),
    h1: [...document.querySelectorAll('main h1')].filter(vis).map(h => h.innerText.trim()),
    headings: [...document.querySelectorAll('h2, h3, h4, h5, h6')].filter(vis).map(h => h.innerText.trim()),
    empty: boxes.filter(b => !b.innerText.trim() && !b.querySelector('img, svg, canvas, table, iframe')).length,
    directives: [...document.querySelectorAll('pre')].filter(p => /^\s*#\|/m.test(p.innerText)).length,
    images: [...document.images].map(i => ({src: i.getAttribute('src').slice(0, 80), ok: i.complete && i.naturalWidth > 0})),
    links: [...document.querySelectorAll('main a[href]')].map(a => a.href),
    sidebar: nav && vis(nav) ? [...nav.querySelectorAll('li a')].map(a => a.href) : null,
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    height: document.documentElement.scrollHeight };
})()'''

def module_names(src_nb, lib):
    "The public callables of the module a notebook exports (its `default_exp`), or None."
    code = '\n'.join(c.source for c in nbformat.read(src_nb, as_version=4).cells if c.cell_type == 'code')
    m = re.search(r'^#\|\s*default_exp\s+(\S+)', code, re.M)
    if not m: return None
    mod = importlib.import_module(f'{lib}.{m[1]}')
    return {n: getattr(mod, n) for n in getattr(mod, '__all__', []) if not n.startswith('_') and callable(getattr(mod, n))}

def check(out, pages, nav, shots=True):
    "Open every page in Chromium as a reader would and return the problems seen."
    cfg, problems = get_config(), []
    exe = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    if exe is None: return ['chromium not found: install the Debian package `chromium` (tools/test.sh does)']
    site = {p: s for s, p in pages.items()}
    # the sidebar's links to pages, as the browser resolves them (external ones it may normalise, so not those)
    expected_nav = [None if e['external'] else (out/e['href']).resolve().as_uri() for e in walk(nav)]
    (out/'_screens').mkdir(exist_ok=True)
    seen, profile = {}, tempfile.mkdtemp(prefix='docs-chromium-')
    br = Chromium(exe, profile)
    try:
        todo = ['index.html'] + [e['href'] for e in walk(nav) if not e['external']] + sorted(site)  # the sidebar first
        for page in dict.fromkeys(todo):
            where = f'{site.get(page, page)} ({page})'
            err = br.open((out/page).resolve().as_uri())
            if err or not (out/page).exists():
                problems.append(f'{where}: the page does not load ({err or "missing"})'); continue
            d = seen[page] = br.send('Runtime.evaluate', expression=PAGE_JS, returnByValue=True)['result']['value']
            if d['html'] < 500 or not d['text'].strip(): problems.append(f'{where}: the page is empty'); continue
            if shots:
                png = br.screenshot(min(d['height'], SHOT_MAX_H))
                (out/'_screens'/(page.replace('/', '_')[:-5] + '.png')).write_bytes(png)
            if not d['title'].strip(): problems.append(f'{where}: no <title>')
            if len(d['h1']) != 1: problems.append(f'{where}: {len(d["h1"])} visible h1 headings, not one')
            if d['sidebar'] is None: problems.append(f'{where}: no visible sidebar')
            elif [h if h.startswith('file:') else None for h in d['sidebar']] != expected_nav:
                problems.append(f'{where}: the sidebar differs from nbs/sidebar.yml')
            for leak in LEAKS:
                if leak in d['prose']:
                    i = d['prose'].index(leak)
                    problems.append(f'{where}: leaked Quarto/Pandoc syntax {leak!r}: ...{d["prose"][max(0, i-60):i+40]!r}')
            if d['empty']: problems.append(f'{where}: {d["empty"]} empty code/output boxes')
            if d['directives']: problems.append(f'{where}: {d["directives"]} code boxes show `#|` directives')
            if 'Traceback (most recent call last)' in d['text']:
                problems.append(f'{where}: the page shows a Python traceback')
            broken = [i['src'] for i in d['images'] if not i['ok']]
            if broken: problems.append(f'{where}: images that do not load: {broken}')
            if page not in site: continue
            src = site[page]
            raw = nbformat.read(Path(cfg.nbs_path)/src, as_version=4)
            n_plots = sum('image/png' in o.get('data', {}) for c in raw.cells for o in c.get('outputs', []))
            n_imgs = sum(i['src'].startswith('data:image/png') and i['ok'] for i in d['images'])
            if n_imgs < n_plots: problems.append(f'{where}: {n_plots} plots in the notebook, {n_imgs} on the page')
            proc = nbformat.read(Path(cfg.config_path)/'_proc'/src, as_version=4)
            if any(o.get('output_type') == 'error' for c in proc.cells for o in c.get('outputs', [])):
                problems.append(f'{where}: a cell output is an error')
            if any(c.cell_type == 'code' and re.search(r'^show_doc\(', c.source, re.M) and not c.get('outputs')
                   for c in proc.cells):
                problems.append(f'{where}: an unexecuted show_doc cell')
            names = module_names(Path(cfg.nbs_path)/src, cfg.lib_name)
            if names is not None:
                missing = sorted(set(names) - set(d['headings']))
                if missing: problems.append(f'{where}: no documentation entry (heading) for {", ".join(missing)}')
                undoc = sorted(n for n, o in names.items() if not (o.__doc__ or '').strip())
                if undoc: problems.append(f'{where}: no docstring for {", ".join(undoc)}')
            print(f'  {src:28s} -> {page:22s} {len(d["headings"]):3d} headings, {n_imgs}/{n_plots} plots'
                  + (f', {len(names)} public names' if names is not None else ''))
    finally:
        br.close(); shutil.rmtree(profile, ignore_errors=True)
    problems += check_links(out, seen, cfg)
    return problems

def check_links(out, seen, cfg):
    "Every link within the site reaches a page and anchor that exist; source links reach a line of a file here."
    problems, src_base = [], f'{cfg.git_url.rstrip("/")}/blob/{cfg.branch}/'
    doc_base = cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + '/'
    root = out.resolve()
    for page, d in seen.items():
        for href in set(d['links']):
            u = urlsplit(href)
            if u.scheme == 'file':
                target = Path(unquote(u.path)).resolve()
                rel = target.relative_to(root).as_posix() if target.is_relative_to(root) else None
                if rel is None or not target.is_file(): problems.append(f'{page}: dead link {href}')
                elif u.fragment and rel in seen and not {u.fragment, unquote(u.fragment)} & set(seen[rel]['ids']):
                    problems.append(f'{page}: link to a missing anchor {rel}#{u.fragment}')
            elif href.startswith(doc_base): problems.append(f'{page}: links to the published site, not this build: {href}')
            elif href.startswith(src_base):  # show_doc source links: the file and line must exist in this checkout
                f, _, line = href[len(src_base):].partition('#L')
                line = line if line.isdigit() else ''  # nbdev writes `#LNone` for an object without a source line (a partial): the file alone
                if not (ROOT/f).is_file() or (line and int(line) > len((ROOT/f).read_text().splitlines())):
                    problems.append(f'{page}: source link to a missing file or line: {href}')
    return problems

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--no-check', action='store_true', help='build the site only')
    p.add_argument('--no-screens', action='store_true', help='check without saving screenshots')
    a = p.parse_args()
    os.chdir(ROOT)  # nbdev finds settings.ini from the working directory
    out = Path(get_config().doc_path)  # _docs/, where nbdev_docs builds too
    pages, nav, problems = build(out)
    t_build = time.time() - T0
    print(f'built {len(pages)} pages into {out}/ in {t_build:.1f} s: open {out/"index.html"}')
    if not a.no_check:
        problems += check(out, pages, nav, shots=not a.no_screens)
        if not a.no_screens: print(f'screenshots in {out/"_screens"}/')
    for pr in problems: print('PROBLEM', pr)
    print(f'docs site: {len(pages)} pages, {len(problems)} problems; build {t_build:.1f} s, '
          f'build and check {time.time() - T0:.1f} s')
    sys.stdout.flush(); sys.stderr.flush()
    # Skip the exit handlers of the IPython shells nbdev ran the notebooks in: they only write their command
    # history to ~/.ipython, one shell at a time, and take about 10 s.
    os._exit(1 if problems else 0)

if __name__ == '__main__': main()
