"""The transcripts domain."""
