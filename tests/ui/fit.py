"""Does a screen fit? Its minimum size, and no word-wrapped text cut or outside.

``assert_fits(window, (1920, 1080))`` resizes ``window`` to that size and checks,
for whatever the window shows now (it knows nothing of the screens):

- the window's minimum size hint fits the size (else the tallest page is named);
- every visible word-wrapped label and :class:`WrapButton` is tall enough for
  its text at its width (``heightForWidth``), no line is wider than the label
  (an unbreakable run of text), and it lies inside the window, unless it sits
  in a scroll area, which may hold more than it shows.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QStackedWidget, QWidget

from kiosk.ui.widgets import WrapButton

SLACK = 1  # px: rounding in the style sheet's box model


def problems(root: QWidget, size: tuple[int, int]) -> list[str]:
    """What does not fit when ``root`` is ``size``; empty when everything does."""
    width, height = size
    found = []
    hint = root.minimumSizeHint()
    if hint.width() > width or hint.height() > height:
        where = _tallest_page(root) or root.objectName() or type(root).__name__
        found.append(
            f"{where}/window: minimum size {hint.width()}×{hint.height()} > {width}×{height}"
        )
    root.resize(QSize(width, height))
    layout = root.layout()
    if layout is not None:
        layout.activate()
    QApplication.processEvents()
    for widget in _wrapped(root):
        found.extend(_cut(root, widget))
    found.extend(_squeezed_lines(root))
    return found


def _squeezed_lines(root: QWidget) -> list[str]:
    """One-line labels (the card banner, titles) drawn lower than their text needs."""
    found = []
    for label in root.findChildren(QLabel):
        if label.wordWrap() or not label.isVisible() or not label.text().strip():
            continue
        if _in_scroll_area(label, root) or label.height() >= label.sizeHint().height() - 2:
            continue
        found.append(
            f"{_name(label)}: needs {label.sizeHint().height()} px of height, has {label.height()}"
        )
    return found


def _tallest_page(root: QWidget) -> str:
    """The name of the page of a stacked widget that asks for the most height."""
    pages = [
        stack.widget(index)
        for stack in root.findChildren(QStackedWidget)
        for index in range(stack.count())
    ]
    pages = [page for page in pages if page is not None]
    if not pages:
        return ""
    return max(pages, key=lambda page: page.minimumSizeHint().height()).objectName()


def where(problem: str) -> str:
    """The screen a problem is on (its name up to the first "/")."""
    return problem.partition("/")[0]


def assert_fits(root: QWidget, size: tuple[int, int] = (1280, 1024)) -> None:
    found = problems(root, size)
    assert not found, "\n".join(found)


def _wrapped(root: QWidget) -> list[QWidget]:
    widgets: list[QWidget] = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, WrapButton) or (isinstance(widget, QLabel) and widget.wordWrap()):
            widgets.append(widget)
    return widgets


def _cut(root: QWidget, widget: QWidget) -> list[str]:
    name = _name(widget)
    found = []
    needed = widget.heightForWidth(widget.width())
    if needed > widget.height() + SLACK:
        found.append(f"{name}: needs {needed} px of height, has {widget.height()}")
    if isinstance(widget, QLabel) and widget.text():
        widest = widget.minimumSizeHint().width()
        if widest > widget.width() + SLACK:
            found.append(f"{name}: a line needs {widest} px of width, has {widget.width()}")
    if not _in_scroll_area(widget, root):
        place = QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
        if not root.rect().contains(place):
            found.append(f"{name}: at {place.getRect()}, outside the window {root.size()}")
    return found


def _in_scroll_area(widget: QWidget, root: QWidget) -> bool:
    node = widget.parentWidget()
    while node is not None and node is not root:
        if isinstance(node, QScrollArea):
            return True
        node = node.parentWidget()
    return False


def _name(widget: QWidget) -> str:
    """ "screen/objectName 'text…'": the screen is the outermost named page of a
    stacked widget that holds ``widget``."""
    text = widget.text() if isinstance(widget, QLabel | WrapButton) else ""
    screen = ""
    node: QWidget | None = widget
    while node is not None and (parent := node.parentWidget()) is not None:
        if isinstance(parent, QStackedWidget) and node.objectName():
            screen = node.objectName()
        node = parent
    short = text.replace("\n", " ")[:30]
    return f"{screen}/{widget.objectName() or type(widget).__name__} {short!r}"
