"""vdata: post-training data for video LMMs.

Build frame-exact keyframe shards from video corpora (`vdata.build`), query them with DuckDB (`vdata.query`),
score model outputs with verifiable rewards (`vdata.rewards`), distill chain-of-thought from a teacher.
"""

__version__ = "0.1.0"
