"Everything public in slowcnn, for `from slowcnn.all import *` (fastai's convention)."
from .core import *
from .data import *
from .learner import *
from .schedule import *
from .callbacks import *
from .models import *
