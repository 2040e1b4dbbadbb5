"Everything public in slowcnn, for `from slowcnn.all import *` (fastai's convention)."
from .core import *
from .data import *
from .callback import *
from .learner import *
from .schedule import *
from .callbacks import *
from .graphs import *
from .checkpoint import *
from .finetune import *
from .distributed import *
from .models import *
from .hooks import *
from .summary import *
from .interpret import *
from .records import *
from .compare import *
from .recipes import *
