import sys


def greeting(name: str) -> str:
    return f"hello, {name}"


def policy() -> str:
    return f"dont_write_bytecode={sys.dont_write_bytecode} pycache_prefix={sys.pycache_prefix}"
