"""Topic threading: grouping entries from every source into story threads."""

from reader.topics.batch import ClusterThread, cluster_documents, read_jsonl
from reader.topics.evaluation import BCubedScore, bcubed
from reader.topics.threader import Threader, ThreadInfo, ThreadingSettings, TopicDoc

__all__ = [
    "BCubedScore",
    "ClusterThread",
    "ThreadInfo",
    "Threader",
    "ThreadingSettings",
    "TopicDoc",
    "bcubed",
    "cluster_documents",
    "read_jsonl",
]
