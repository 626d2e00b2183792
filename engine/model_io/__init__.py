"""Model folders: a trained model out of RNN Lab (``writer``), any model in the same format into it
(``reader``), described by model.json (``spec``) and loadable without RNN Lab (``standalone``, shipped as
load_model.py)."""
