def map(f, x, *rest):
    if isinstance(x, dict):
        return {k: map(f, x[k], *[r[k] for r in rest]) for k in x}
    if isinstance(x, (list, tuple)):
        out = [map(f, a, *[r[i] for r in rest]) for i, a in enumerate(x)]
        return out if isinstance(x, list) else tuple(out)
    if x is None:
        return None
    return f(x, *rest)


def leaves(x):
    if isinstance(x, dict):
        return [l for k in x for l in leaves(x[k])]
    if isinstance(x, (list, tuple)):
        return [l for a in x for l in leaves(a)]
    return [] if x is None else [x]
