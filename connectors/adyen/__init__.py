"""Adyen (Checkout API v71)."""
