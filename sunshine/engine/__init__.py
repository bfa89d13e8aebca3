"""The functional core: plain data in, plain data out.

Nothing in this package imports Django, reads the clock or touches global
random state; every random choice comes from a seeded, recorded stream. It is
the code auditors re-run.
"""
