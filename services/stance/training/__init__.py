"""Training the stance model and making the shipped one from it: DSE reading (``dse``), the pair
and claim schemes' training (``train``, ``train_claims``), the pipeline's own training questions
(``pipeline_data``), ONNX export (``export``) and fixed activation scales (``requantize``). Serving
imports nothing from here."""
