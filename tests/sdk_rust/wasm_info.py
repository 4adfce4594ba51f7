"""The import and export names of a .wasm module (sections 2 and 7), read
with no tools: enough to check what a guest build really produced."""


def _leb(data, i):
    result = shift = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def _name(data, i):
    n, i = _leb(data, i)
    return data[i:i + n].decode("utf-8"), i + n


def _skip_limits(data, i):
    flags, i = _leb(data, i)
    _, i = _leb(data, i)
    if flags & 1:
        _, i = _leb(data, i)
    return i


def read(path):
    """-> (imports as [(module, name, kind)], exports as {name: kind});
    kind is 0 func, 1 table, 2 memory, 3 global."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\0asm":
        raise ValueError(path + ": not a wasm module")
    imports, exports = [], {}
    i = 8
    while i < len(data):
        sid = data[i]
        size, i = _leb(data, i + 1)
        end = i + size
        if sid == 2:
            count, i = _leb(data, i)
            for _ in range(count):
                mod, i = _name(data, i)
                name, i = _name(data, i)
                kind = data[i]
                i += 1
                if kind == 0:
                    _, i = _leb(data, i)
                elif kind == 1:
                    i = _skip_limits(data, i + 1)
                elif kind == 2:
                    i = _skip_limits(data, i)
                else:
                    i += 2
                imports.append((mod, name, kind))
        elif sid == 7:
            count, i = _leb(data, i)
            for _ in range(count):
                name, i = _name(data, i)
                kind = data[i]
                _, i = _leb(data, i + 1)
                exports[name] = kind
        i = end
    return imports, exports
