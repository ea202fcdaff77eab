"""Commonweal: a platform for sustainable social value with a verifiable public ledger."""
