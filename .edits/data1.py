import sys; sys.path.insert(0,'/work/wt'); from nbedit import *
p='nbs/01_data.ipynb'; nb=load(p)
PREP = r'''#| export
def _as_tensor(a, what:str) -> torch.Tensor:
    "`a` as a torch tensor (NumPy arrays shared, not copied), or a one-line error naming `what` was found."
    if isinstance(a, np.ndarray): a = torch.from_numpy(np.ascontiguousarray(a))
    if not isinstance(a, torch.Tensor): raise DataError(f'{what}: expected a torch tensor or NumPy array, found {type(a).__name__}')
    return a

def prepare_images(x, what:str='images') -> torch.Tensor:
    "Images as floats `(N, C, H, W)`: uint8 scaled to [0, 1], a missing channel axis added; a shape or dtype it cannot read refused in one line."
    x = _as_tensor(x, what)
    if x.dtype == torch.uint8: x = x.float() / 255.
    elif not x.is_floating_point():
        raise DataError(f'{what}: images must be uint8 (0-255) or floating point, found {x.dtype}; '
                        'convert them with x.to(torch.uint8) or x.float() / x.max()')
    if x.ndim == 3: return x[:, None]  # (N, H, W): one channel
    if x.ndim == 4 and x.shape[-1] in (1, 3, 4) and x.shape[1] not in (1, 3, 4):
        raise DataError(f'{what}: shape {tuple(x.shape)} looks channels-last (N, H, W, C); '
                        'slowcnn expects (N, C, H, W): pass x.permute(0, 3, 1, 2)')
    if x.ndim not in (2, 4):  # (N, features) is kept as it is, for models that take vectors
        raise DataError(f'{what}: expected (N, H, W) or (N, C, H, W) images, found shape {tuple(x.shape)}')
    return x

def prepare_labels(y, what:str='labels', n_classes:int|None=None) -> torch.Tensor:
    "Integer labels of any width as int64 (float targets kept, for regression); negative or out-of-range labels refused in one line."
    y = _as_tensor(y, what)
    if y.dtype == torch.bool or y.is_complex(): raise DataError(f'{what}: expected integer class labels or float targets, found {y.dtype}')
    if y.is_floating_point(): return y
    y = y.long()
    if y.ndim != 1: raise DataError(f'{what}: integer class labels must be one per item, shape (N,), found {tuple(y.shape)}')
    if len(y):
        lo, hi = (int(v) for v in torch.aminmax(y))  # once, at construction
        if lo < 0 or n_classes is not None and hi >= n_classes:
            rng = f'0-{n_classes-1} for {n_classes} classes' if n_classes is not None else '0 or more'
            raise DataError(f'{what}: labels must be in {rng}, found {lo}-{hi}')
    return y

def prepare_batch(xb, yb):
    "A batch from anyone's dataset as the model's inputs: images through `prepare_images`, integer labels as int64."
    if isinstance(xb, torch.Tensor) and (xb.dtype == torch.uint8 or xb.ndim == 3): xb = prepare_images(xb, 'a batch of images')
    if isinstance(yb, torch.Tensor) and not yb.is_floating_point() and yb.dtype != torch.int64: yb = yb.long()
    return xb, yb'''
i = find(nb, '## Loaders')
insert_after(nb, i, 'code', PREP)
insert_after(nb, i, 'markdown', '''Data of your own goes through two checks, once, when the loaders are built: images become floats `(N, C, H, W)`
(uint8 scaled to [0, 1], a missing channel axis added) and integer labels become int64. What cannot be read
without guessing (channels last, int32 pixels, negative labels) is refused in one line that says what was found.''')
save(nb, p)
