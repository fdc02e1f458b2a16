def compute(n: int) -> int:
    """Docstrings are stripped at optimize = 2; asserts at 1."""
    assert n >= 0
    return sum(i * i for i in range(n))
