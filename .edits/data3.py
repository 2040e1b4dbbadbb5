import sys; sys.path.insert(0,'/work/wt'); from nbedit import *
p='nbs/01_data.ipynb'; nb=load(p)
i = find(nb, 'def prepare_batch(xb, yb)')
set_src(nb, i, src(nb, i) + '''

def fits_on(device, *tensors, frac:float=0.5) -> bool:
    "Whether `tensors` fit in `frac` of `device`'s free memory (always true for the CPU, or where they already are)."
    device = torch.device(device)
    if device.type != 'cuda' or all(t.device == device for t in tensors): return True
    free, _ = torch.cuda.mem_get_info(device)
    return sum(t.nbytes for t in tensors) <= frac * free

def _classes_of(ds):
    "The class names a dataset (or the dataset under a `Subset`) declares, or None."
    while ds is not None:
        if isinstance(getattr(ds, 'classes', None), (list, tuple)): return list(ds.classes)
        ds = getattr(ds, 'dataset', None)
    return None

def _to_tensor_item(v):
    "A PIL image as a uint8 `(C, H, W)` tensor; anything else as it is."
    return TF.pil_to_tensor(v) if type(v).__module__.startswith('PIL.') else v

def collate_items(items):
    "`default_collate` that also takes PIL images (torchvision datasets without a transform) and makes labels int64."
    items = [tuple(_to_tensor_item(v) for v in it) if isinstance(it, (tuple, list)) else _to_tensor_item(it) for it in items]
    return torch.utils.data.default_collate(items)

def _check_dataset(ds, what:str):
    "Refuse, in one line, what is not a non-empty map-style dataset of (input, target) pairs; returns a prepared sample batch."
    if isinstance(ds, (torch.Tensor, np.ndarray)):
        raise DataError(f'{what}: found a {type(ds).__name__}, not a dataset; for tensors use '
                        'DataLoaders.from_tensors(x_train, y_train, x_valid, y_valid, bs=64)')
    if not (hasattr(ds, '__getitem__') and hasattr(ds, '__len__')):
        raise DataError(f'{what}: expected a map-style dataset (with __len__ and __getitem__), found {type(ds).__name__}')
    if len(ds) == 0: raise DataError(f'{what} is empty: no items to train or validate on')
    item = ds[0]
    if not (isinstance(item, (tuple, list)) and len(item) == 2):
        raise DataError(f'{what}: each item must be an (input, target) pair, found {type(item).__name__}'
                        + (f' of {len(item)}' if isinstance(item, (tuple, list)) else ''))
    try: xb, yb = collate_items([item])
    except TypeError as e: raise DataError(f'{what}: its items cannot be batched ({e})') from None
    return prepare_batch(xb, yb)''')
DLS = r'''#| export
_HOW = ('for datasets use DataLoaders.from_dsets(train_ds, valid_ds, bs=64), for tensors or arrays '
        'DataLoaders.from_tensors(x_train, y_train, x_valid, y_valid, bs=64)')

def _as_loader(dl, what:str):
    "A loader as it is, a torch `DataLoader` wrapped in a `TorchLoader`, anything else refused in one line."
    if isinstance(dl, torch.utils.data.DataLoader):
        if not isinstance(dl.dataset, torch.utils.data.IterableDataset): _check_dataset(dl.dataset, f'{what} loader\'s dataset')
        return TorchLoader(dl, prepare=True)
    if all(hasattr(dl, a) for a in ('__iter__', '__len__', 'to', 'state_dict')): return dl
    raise DataError(f'DataLoaders({what}=...) takes loaders, found {type(dl).__name__}; {_HOW}')

class DataLoaders:
    "Train and valid loaders (and optionally test) with what a model needs to know about the data."
    def __init__(self, train, valid, test=None, classes=None, mean=None, std=None):
        self.train, self.valid = _as_loader(train, 'train'), _as_loader(valid, 'valid')
        self.test = _as_loader(test, 'test') if test is not None else None
        if classes is None and isinstance(self.train, TorchLoader): classes = _classes_of(self.train.dl.dataset)
        self.classes, self.mean, self.std = classes, mean, std
    @property
    def loaders(self): return [dl for dl in (self.train, self.valid, self.test) if dl is not None]
    @property
    def n_classes(self): return len(self.classes) if self.classes is not None else None
    def to(self, device):
        "Move every loader to `device`; returns self."
        for dl in self.loaders: dl.to(device)
        return self
    def one_batch(self, split='train'): return next(iter(getattr(self, split)))
    def show_batch(self, n:int=16, split:str='train', **kwargs):
        "Show `n` images of one batch with their class names (`show_batch`)."
        return show_batch(self, n, split, **kwargs)
    def state_dict(self): return {'train': self.train.state_dict()}
    def load_state_dict(self, sd): self.train.load_state_dict(sd['train'])
    def __repr__(self):
        sizes = ', '.join(f'{n}: {dl.n:,} items / {len(dl)} batches' for n, dl in zip(('train','valid','test'), (self.train, self.valid, self.test)) if dl is not None)
        return f'DataLoaders({sizes})'

    @classmethod
    def from_tensors(cls, x_train, y_train, x_valid, y_valid, bs:int=64, valid_bs:int|None=None, classes=None,
                     seed:int|None=None, device=None, batch_tfms=None) -> DataLoaders:
        "Loaders that keep tensors or NumPy arrays on the device, checked and converted once (`prepare_images`, `prepare_labels`)."
        check_bs(bs)
        xt, xv = prepare_images(x_train, 'x_train'), prepare_images(x_valid, 'x_valid')
        n = len(classes) if classes is not None else None
        yt, yv = prepare_labels(y_train, 'y_train', n), prepare_labels(y_valid, 'y_valid', n)
        for what, x, y in (('train', xt, yt), ('valid', xv, yv)):
            if len(x) == 0: raise DataError(f'x_{what} is empty: no items to train or validate on')
            if len(x) != len(y): raise DataError(f'x_{what} has {len(x)} items but y_{what} has {len(y)}; they must match')
        if xt.shape[1:] != xv.shape[1:]:
            raise DataError(f'x_train items are {tuple(xt.shape[1:])} but x_valid items are {tuple(xv.shape[1:])}; they must match')
        if classes is None and not yt.is_floating_point(): classes = list(range(int(max(yt.max(), yv.max())) + 1))
        train = DeviceLoader(xt, yt, bs=bs, shuffle=True, seed=seed, batch_tfms=batch_tfms)
        dls = cls(train, DeviceLoader(xv, yv, bs=valid_bs or 2*bs), classes=classes)
        return dls.to(device) if device is not None else dls

    @classmethod
    def from_dsets(cls, train_ds, valid_ds, bs:int=64, valid_bs:int|None=None, classes=None, seed:int|None=None,
                   num_workers:int=0, batch_tfms=None, **kwargs) -> DataLoaders:
        "Loaders over any map-style datasets (torchvision's included, PIL images or tensors), checked on their first item."
        check_bs(bs)
        for what, ds in (('train_ds', train_ds), ('valid_ds', valid_ds)): _check_dataset(ds, what)
        classes = classes if classes is not None else _classes_of(train_ds)
        if classes is not None:
            for what, ds in (('train_ds', train_ds), ('valid_ds', valid_ds)):
                targets = getattr(ds, 'targets', None)  # torchvision's datasets hold every label: checked at once
                if isinstance(targets, (list, torch.Tensor, np.ndarray)) and len(targets):
                    prepare_labels(torch.as_tensor(np.asarray(targets)), f'{what}.targets', len(classes))
        g = torch.Generator().manual_seed(seed if seed is not None else int(torch.randint(0, 2**62, (1,))))
        mk = lambda ds, b, shuffle: torch.utils.data.DataLoader(
            ds, batch_size=b, shuffle=shuffle, num_workers=num_workers, collate_fn=collate_items,
            drop_last=shuffle and len(ds) % b == 1 and len(ds) > 1,  # never a last training batch of one image
            generator=g if shuffle else None, persistent_workers=num_workers > 0, **kwargs)
        train = TorchLoader(mk(train_ds, bs, True), batch_tfms=batch_tfms, prepare=True)
        return cls(train, TorchLoader(mk(valid_ds, valid_bs or 2*bs, False), prepare=True), classes=classes)

    def subset(self, n_train:int|None=None, n_valid:int|None=None, seed:int=0) -> DataLoaders:
        "The same loaders on a random `n_train` training and `n_valid` validation items (None: all), for quick runs."
        train, valid = (subset_loader(dl, n, seed, what) for dl, n, what in ((self.train, n_train, 'n_train'), (self.valid, n_valid, 'n_valid')))
        return type(self)(train, valid, self.test, self.classes, self.mean, self.std)

def _pick(n_items:int, n:int|None, seed:int, what:str):
    "Sorted random indices of `n` of `n_items` items (None: all of them), or a one-line error."
    if n is None: return None
    if not isinstance(n, int) or isinstance(n, bool) or not 0 < n: raise DataError(f'{what} must be an integer >= 1, found {n!r}')
    if n > n_items: raise DataError(f'{what}={n} but there are only {n_items:,} items')
    return torch.randperm(n_items, generator=torch.Generator().manual_seed(seed))[:n].sort().values

def subset_loader(dl, n:int|None, seed:int=0, what:str='n'):
    "A loader like `dl` over a random `n` of its items (the same `n` for the same seed), or `dl` itself for None."
    idx = _pick(dl.n, n, seed, what)
    if idx is None: return dl
    if isinstance(dl, DeviceLoader):
        return DeviceLoader(dl.x[idx.to(dl.x.device)], dl.y[idx.to(dl.y.device)], bs=min(dl.bs, n), shuffle=dl.shuffle,
                            drop_last=dl.drop_last, seed=int(dl.generator.initial_seed()), batch_tfms=dl.batch_tfms)
    d = dl.full
    shuffle = isinstance(d.sampler, torch.utils.data.RandomSampler)
    sub = torch.utils.data.DataLoader(torch.utils.data.Subset(d.dataset, idx.tolist()), batch_size=min(d.batch_size, n),
                                      shuffle=shuffle, num_workers=d.num_workers, collate_fn=d.collate_fn,
                                      drop_last=d.drop_last, generator=d.generator)
    return TorchLoader(sub, dl.batch_tfms, dl.device, dl.prepare)'''
i = find(nb, 'class DataLoaders:')
set_src(nb, i, DLS)
save(nb, p)
