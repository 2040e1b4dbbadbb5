import sys; sys.path.insert(0,'/work/wt'); from nbedit import *
p='nbs/01_data.ipynb'; nb=load(p)
c = nb['cells']; c[12], c[13], c[14] = c[13], c[14], c[12]
set_src(nb, 12, '## Your own data\n\n' + src(nb, 12))
# DeviceLoader: a shuffled split never ends on a batch of one item
replace(nb, "        lo, hi = self._bounds()\n        return (hi - lo) // self.bs if self.drop_last else math.ceil((hi - lo) / self.bs)",
"""        lo, hi = self._bounds()
        if self.drop_last or self.shuffle and (hi - lo) % self.bs == 1 and hi - lo > 1:
            return (hi - lo) // self.bs  # training never ends on a batch of one image, which BatchNorm cannot train on
        return math.ceil((hi - lo) / self.bs)""")
replace(nb, """    def to(self, device):
        "Move the data to `device` (once); returns self."
        self.x, self.y = self.x.to(device), self.y.to(device)
        return self""", """    def to(self, device):
        "Move the data to `device` (once) if it fits in half its free memory, else keep it here (batches then move one by one); returns self."
        if fits_on(device, self.x, self.y): self.x, self.y = self.x.to(device), self.y.to(device)
        return self
    @property
    def last_batch_size(self): return len(self.x) - (len(self) - 1) * self.bs if self.world == 1 and not self.drop_last else self.bs""")
# TorchLoader: prepare batches of anyone's dataset
replace(nb, """    def __init__(self, dl:torch.utils.data.DataLoader, batch_tfms=None, device='cpu'):
        if len(dl) == 0: raise DataError(f'empty loader: {len(dl.dataset)} items with bs={dl.batch_size}')
        self.dl, self.batch_tfms, self.device = dl, list(batch_tfms or []), torch.device(device)""",
"""    def __init__(self, dl:torch.utils.data.DataLoader, batch_tfms=None, device='cpu', prepare:bool=False):
        if len(dl) == 0: raise DataError(f'empty loader: {len(dl.dataset)} items with bs={dl.batch_size}')
        self.dl, self.batch_tfms, self.device, self.prepare = dl, list(batch_tfms or []), torch.device(device), prepare""")
replace(nb, """            xb = xb.to(self.device, non_blocking=True); yb = yb.to(self.device, non_blocking=True)
            for tfm in self.batch_tfms: xb = tfm(xb)""", """            xb = xb.to(self.device, non_blocking=True); yb = yb.to(self.device, non_blocking=True)
            if self.prepare: xb, yb = prepare_batch(xb, yb)  # on the device: uint8 travels, floats are made there
            for tfm in self.batch_tfms: xb = tfm(xb)""")
replace(nb, """    @property
    def n(self): return len(self.dl.dataset)
    def __iter__(self):""", """    @property
    def n(self): return len(self.dl.dataset)
    @property
    def last_batch_size(self):
        "The size of each epoch's last batch (unknown, None, for a sampler without a length)."
        try: n = len(self.dl.sampler)
        except TypeError: return None
        return self.bs if self.dl.drop_last or n % self.bs == 0 else n % self.bs
    def __iter__(self):""")
save(nb, p)
