"""Placeholder until the transcripts issue lands: exposes an empty `defs`."""

import dagster as dg

defs = dg.Definitions()
