"File-system faults: a crash mid-save keeps the previous checkpoint; unwritable places give clear errors."
import subprocess, sys, textwrap
import pytest, torch
from slowcnn.all import *

def test_crash_during_save_keeps_previous_checkpoint(tmp_path):
    code = textwrap.dedent(f'''
        import os, torch
        from slowcnn.all import *
        dls = fashion_mnist(bs=16, path=make_fake_fashion_mnist("{tmp_path}/data"))
        learn = Learner(simple_cnn(nfs=(4,)), dls, progress=False, device="cpu")
        learn.save("{tmp_path}/ck.pth")
        with torch.no_grad():
            for p in learn.model.parameters(): p.add_(1)
        os.replace = lambda *a: os._exit(3)   # the process dies just before the rename
        learn.save("{tmp_path}/ck.pth")
    ''')
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 3, r.stderr
    dls = fashion_mnist(bs=16, path=tmp_path/'data')
    learn = Learner(simple_cnn(nfs=(4,)), dls, progress=False, device='cpu')
    learn.load(tmp_path/'ck.pth')  # the first checkpoint, intact

def test_save_into_unwritable_place(tmp_path):
    (tmp_path/'file').write_text('x')
    dls = fashion_mnist(bs=16, path=make_fake_fashion_mnist(tmp_path/'data'))
    learn = Learner(simple_cnn(nfs=(4,)), dls, progress=False, device='cpu')
    with pytest.raises(OSError): learn.save(tmp_path/'file'/'ck.pth')

def test_missing_data_folder_names_it(tmp_path):
    with pytest.raises(DataError, match=str(tmp_path/'nothing')): fashion_mnist(path=tmp_path/'nothing')
