"""Python trainer for the diffusion one-shot models (see docs/model-spec.md)."""
