"""Tracking's position history: daily partitions, the batch writer, a trip's track."""
