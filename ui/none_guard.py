"""Keep PySide6 from freeing ``None``.

PySide6 6.12 on Python 3.11 drops one reference to ``None`` each time a Qt value
that holds nothing (an invalid QVariant) comes back to Python: ``index.data(role)``
for a role a model does not answer, ``combo.currentData()`` of an item without
data, ``item.data(role)`` never set. Each view repaint and each selection does
it. After some tens of thousands (a long working session, a big list, the test
suite) the count reaches zero and the interpreter aborts with "Fatal Python
error: none_dealloc: deallocating None": in the middle of someone's work, or at
exit. Python 3.12 and later make ``None`` immortal, so nothing there is needed;
on 3.11 ``None`` is given a count that it cannot run out of.

pyproject.toml pins PySide6 below 6.12 (6.11.3 keeps its references: measured), so this
is the second line of defence, for a PC where 6.12 was installed by hand.
"""

from __future__ import annotations

import sys

_HEADROOM = 1 << 48  # a billion leaked references a second would take nine years


def keep_none_alive() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    count = ctypes.c_ssize_t.from_address(id(None))
    if count.value < _HEADROOM // 2:
        count.value += _HEADROOM
