"""Cramp history: counting coached cramps (recording), consent, logging a cramp afterwards,
the history answers by voice and on cards, and deletion. Consent is never asked mid-stretch."""
