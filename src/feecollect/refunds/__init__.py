"""Refund orders: money a settlement gives back, approved by finance and confirmed by the bank."""
