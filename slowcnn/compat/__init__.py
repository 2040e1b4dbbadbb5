"""The seed documents' spellings: `slowcnn.compat.uva` (the UvA tutorials), `.book` (Mastering PyTorch, chapter 3) and `.resnets` (the slowai ResNets notebook); import one after `slowcnn.all`."""
