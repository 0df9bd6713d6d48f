"""The stance model's runtimes: ``onnx`` (the shipped one), ``torch`` (a training checkpoint),
``nli`` (any NLI model, zero-shot). ``scorer.load_scorer`` picks one from what a folder holds."""
