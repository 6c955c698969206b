"""How the SDK scripts make their calls: one after another, as the SDK's examples show, or
— with BENCH_POOL=N in the environment — the way a user in a hurry writes it, a
`concurrent.futures` thread pool of N workers (scripts/benchlib/latency.py runs both)."""
import os
from concurrent.futures import ThreadPoolExecutor


def each(function, items):
    """function(item) for every item; their results, in order."""
    workers = int(os.environ.get("BENCH_POOL") or 0)
    if workers <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))
