"""pycache's read-through, run once in every interpreter pycache starts with a
cache prefix (launcher/embed/interpreter.cpp).

SourceLoader.get_code first tries the pyc the source would have without a
prefix, validated by importlib's own functions exactly as get_code validates
the prefix's; a miss falls through to CPython, which reads or writes the
prefix. Installed after initialisation: the few modules site imports before it
are served by the prefix alone.

Each __pycache__ is listed once per process and its names kept, so a module
without an in-tree pyc costs a set lookup, not a failed open and the exception
it raises (that was +11% on a warm 300-module import on 3.11, +13% on 3.12),
and paths are cut and joined inline (POSIX only), not through importlib's
helpers. What is left: a miss costs +1.3-1.8% instructions on that import, a
hit costs what an in-tree import costs (scripts/bench run). A listing can go
stale within a process: a stale miss only means the prefix serves the module,
a stale hit fails to read and falls through, so both stay correct.

The build compiles this file with each runtime's own interpreter and embeds
the marshalled code (cmake/freeze.py), as CPython freezes its importlib:
parsing it at every start-up cost 5M instructions, 1 ms.
"""
def _install():
    import sys, _imp
    # The frozen modules site already loaded: `import importlib` would load
    # the package and cost more than the hook saves.
    import _frozen_importlib as _bootstrap, _frozen_importlib_external as ext
    loader = ext.SourceLoader
    file_loader = ext.SourceFileLoader
    original = loader.get_code
    tag = sys.implementation.cache_tag
    if tag is None:
        return
    # cache_from_source's name, with the optimization level python runs at
    # (sys.flags do not change after start-up).
    level = sys.flags.optimize
    suffix = tag + ('.opt-%d' % level if level else '') + '.pyc'
    listings = {}

    def in_tree_cache(source_path):
        # POSIX paths: what _path_split and _path_join do, without the calls.
        head, slash, tail = source_path.rpartition('/')
        cache = head + slash + '__pycache__'
        names = listings.get(cache)
        if names is None:
            try:
                names = frozenset(ext._os.listdir(cache))
            except OSError:
                names = frozenset()
            listings[cache] = names
        if not names:
            return None
        base, dot, rest = tail.rpartition('.')
        name = (base if base else rest) + dot + suffix
        return cache + '/' + name if name in names else None

    def get_code(self, fullname):
        if sys.pycache_prefix is not None:
            try:
                # SourceFileLoader.get_filename is self.path behind a name check.
                if type(self) is file_loader and fullname == self.name:
                    source_path = self.path
                else:
                    source_path = self.get_filename(fullname)
                bytecode_path = in_tree_cache(source_path)
                if bytecode_path is not None:
                    st = self.path_stats(source_path)
                    data = self.get_data(bytecode_path)
            except (OSError, NotImplementedError, ImportError):
                bytecode_path = None
            if bytecode_path is not None:
                details = {'name': fullname, 'path': bytecode_path}
                try:
                    flags = ext._classify_pyc(data, fullname, details)
                    if flags & 0b1:
                        check_source = flags & 0b10 != 0
                        mode = _imp.check_hash_based_pycs
                        if mode != 'never' and (check_source or mode == 'always'):
                            source_hash = _imp.source_hash(ext._RAW_MAGIC_NUMBER, self.get_data(source_path))
                            ext._validate_hash_pyc(data, source_hash, fullname, details)
                    else:
                        ext._validate_timestamp_pyc(data, int(st['mtime']), st['size'], fullname, details)
                except (ImportError, EOFError, OSError):
                    pass
                else:
                    _bootstrap._verbose_message('{} matches {}', bytecode_path, source_path)
                    return ext._compile_bytecode(memoryview(data)[16:], name=fullname,
                                                 bytecode_path=bytecode_path, source_path=source_path)
        return original(self, fullname)

    get_code.__wrapped__ = original
    loader.get_code = get_code

_install()
