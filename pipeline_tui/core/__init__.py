"""Pure rules: dates, money, figures, score and advice.

Nothing in here imports peewee or textual, touches files or reads the clock: callers pass
``now`` and plain dataclasses in, and get plain data out.
"""
