"""xpath-tui's headless core: snapshot model, policy evaluator, access graph and its questions.

Nothing in this package imports textual, click or rich; `graph.collect` is the only part that
imports boto3.
"""
