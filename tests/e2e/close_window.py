"""Asks the X11 windows titled TITLE to close, as a window manager's close button does: the
WM_DELETE_WINDOW message of ICCCM, which the app may act on (WebDriver's "close window" asks the
web view instead, which never reaches the app). Exits 1 when no window has that title."""

import sys

from Xlib import X, display, error, protocol


def windows(window):
    """Every window under `window`; one that goes away while we look is skipped."""
    try:
        children = window.query_tree().children
    except error.BadWindow:
        return
    for child in children:
        yield child
        yield from windows(child)


def title(window):
    try:
        return window.get_wm_name()
    except error.BadWindow:
        return None


def main(wanted: str) -> int:
    d = display.Display()
    protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    asked = 0
    for w in windows(d.screen().root):
        if title(w) == wanted:
            event = protocol.event.ClientMessage(
                window=w, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
            )
            w.send_event(event, event_mask=X.NoEventMask)
            asked += 1
    d.flush()
    return 0 if asked else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
