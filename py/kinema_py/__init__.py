"""kinema's PyTorch reference models: TE Fusion and the temporal-compression baselines (model.py), shards and
tokenizer (data.py), training (train.py), ONNX export (export.py, builtins.py), the compression study (study.py)."""
