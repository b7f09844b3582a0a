"""Deliberately broken connectors, one per lint family: Stripe with one checklist rule broken.

Each lives in its own package, because the lint reads a connector's whole folder; each reuses
Stripe's certification data so that the full certification runs and refuses it by lint.
"""
