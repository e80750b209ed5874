"""Python's cycle collector, run less often while a stage or a digest builds many objects.

The collector runs after every 700 new container objects, and looks at every object of a
generation each time. A stage makes millions (ORM rows, index entries) next to large
long-lived indexes, and at the default the collections cost as much as the work: tracking 10k
captures took 54 s, and 31 s collecting after every 50,000. A digest's reads make a few dicts
a change (tens of thousands). Reference counting still frees at once everything that is not
in a cycle.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FEWER_COLLECTIONS = (50_000, 10, 10)

_lock = threading.Lock()
_inside = 0
_usual: tuple[int, ...] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cycles less often while inside (FEWER_COLLECTIONS); the process's threshold comes
    back when the last caller inside, in any thread, leaves."""
    global _inside, _usual
    with _lock:
        if _inside == 0:
            _usual = gc.get_threshold()
            gc.set_threshold(*FEWER_COLLECTIONS)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                gc.set_threshold(*_usual)
