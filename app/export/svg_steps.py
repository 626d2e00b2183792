"""pyqtgraph's SVG export in steps: the same document ``pg.exporters.SVGExporter`` writes, made one
graphics item per ``next()`` so the event loop runs between items (a large plot took 0.2-0.3 s in one go).

This follows ``pyqtgraph.exporters.SVGExporter.generateSvg`` / ``_generateItemSvg`` (pyqtgraph 0.14, MIT
licence) with a ``yield`` after each item, and uses its helpers (``correctCoordinates``, ``itemTransform``,
``cleanXml``) unchanged; tests/app/test_export_steps.py checks the output is byte-identical.
"""
from __future__ import annotations

import contextlib
import xml.dom.minidom as xml

from pyqtgraph.exporters.SVGExporter import SVGExporter, cleanXml, correctCoordinates, itemTransform, xmlHeader
from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

CORRECT_GROUPS = 40  # child groups (e.g. scatter points) whose coordinates one step corrects


def pg_svg_steps(item, background):
    """Generator: the SVG text of a pyqtgraph item or scene (as SVGExporter(item).export(toBytes=True)
    with ``background``); one item painted and converted per step."""
    exporter = SVGExporter(item)
    exporter.parameters()["background"] = background
    params = exporter.params
    options = {ch.name(): ch.value() for ch in params.children()}
    options.update(background=params["background"], width=params["width"], height=params["height"])
    try:
        node, defs = yield from _item_steps(item, {}, item, options)
    finally:  # reset export mode for all items in the tree
        if isinstance(item, QtWidgets.QGraphicsScene):
            items = item.items()
        else:
            items = [item]
            for i in items:
                items.extend(i.childItems())
        for i in items:
            if hasattr(i, "setExportMode"):
                i.setExportMode(False)
    cleanXml(node)
    defs_xml = "<defs>\n" + "".join(d.toprettyxml(indent="    ") for d in defs) + "</defs>\n"
    attributes = f' viewBox ="0 0 {int(options["width"])} {int(options["height"])}"'
    c = options["background"]
    back = f'<rect width="100%" height="100%" fill="{c.name()}" fill-opacity="{c.alphaF()}" />\n'
    return (xmlHeader % attributes) + back + defs_xml + node.toprettyxml(indent="    ") + "\n</svg>\n"


def _item_steps(item, nodes, root, options):
    """Generator returning (group element, defs) of ``item`` and its children, or None (hidden)."""
    if hasattr(item, "isVisible") and not item.isVisible():
        return None
    with contextlib.suppress(NotImplementedError, AttributeError):
        return item.generateSvg(nodes)  # an item that writes its own SVG
    if isinstance(item, QtWidgets.QGraphicsScene):
        doc = xml.parseString("<g>\n</g>\n")
        children = [i for i in item.items() if i.parentItem() is None]
    elif item.__class__.paint == QtWidgets.QGraphicsItem.paint:
        doc = xml.parseString("<g>\n</g>\n")
        children = item.childItems()
    else:
        children = item.childItems()
        doc = xml.parseString(_painted_svg(item, root, options))
    group = doc.getElementsByTagName("g")[0]
    defs = doc.getElementsByTagName("defs")
    if len(defs) > 0:
        defs = [n for n in defs[0].childNodes if isinstance(n, xml.Element)]
    yield from _correct_steps(group, defs, item, options)
    base, i = item.__class__.__name__, 1
    while f"{base}_{i}" in nodes:
        i += 1
    name = f"{base}_{i}"
    nodes[name] = group
    group.setAttribute("id", name)
    child_group = group  # children go straight in unless this item clips them
    if not isinstance(item, QtWidgets.QGraphicsScene) and item.flags() & item.GraphicsItemFlag.ItemClipsChildrenToShape:
        path = QtWidgets.QGraphicsPathItem(item.mapToScene(item.shape()))
        item.scene().addItem(path)
        try:
            path_node = (yield from _item_steps(path, {}, root, options))[0]
            path_node = path_node.getElementsByTagName("path")[0]
        finally:
            item.scene().removeItem(path)
        clip = f"{name}_clip"
        clip_node = group.ownerDocument.createElement("clipPath")
        clip_node.setAttribute("id", clip)
        clip_node.appendChild(path_node)
        group.appendChild(clip_node)
        child_group = group.ownerDocument.createElement("g")
        child_group.setAttribute("clip-path", f"url(#{clip})")
        group.appendChild(child_group)
    children.sort(key=lambda c: c.zValue())
    for child in children:
        svg = yield from _item_steps(child, nodes, root, options)
        if svg is None:
            continue
        child_node, child_defs = svg
        child_group.appendChild(child_node)
        defs.extend(child_defs)
    return group, defs


def _correct_steps(group, defs, item, options):
    """Generator: pyqtgraph's ``correctCoordinates(group, defs, item, options)`` done CORRECT_GROUPS of the
    group's child groups per step (a scatter plot has one per point; each is corrected on its own, in
    place, so doing them in runs changes nothing)."""
    children = list(group.childNodes)
    if sum(1 for c in children if getattr(c, "tagName", None) == "g") <= CORRECT_GROUPS:
        correctCoordinates(group, defs, item, options)
        yield
        return
    doc = group.ownerDocument
    correctCoordinates(doc.createElement("g"), defs, item, options)  # the gradients (defs) once
    for child in children:
        group.removeChild(child)
    while children:
        run, n = doc.createElement("g"), 0
        while children and (n < CORRECT_GROUPS or getattr(children[0], "tagName", None) != "g"):
            n += getattr(children[0], "tagName", None) == "g"
            run.appendChild(children.pop(0))
        correctCoordinates(run, [], item, options)
        for node in list(run.childNodes):
            group.appendChild(node)
        yield


def _painted_svg(item, root, options) -> bytes:
    """Qt's SVG of what ``item`` itself paints (not its children), in root coordinates."""
    tr = itemTransform(item, item.scene())
    root_pos = QtCore.QPoint(0, 0) if isinstance(root, QtWidgets.QGraphicsScene) else root.scenePos()
    if hasattr(root, "boundingRect"):  # the export's size against the root's
        resize_x = options["width"] / root.boundingRect().width()
        resize_y = options["height"] / root.boundingRect().height()
    else:
        resize_x = resize_y = 1
    tr = tr * QtGui.QTransform(resize_x, 0, 0, resize_y, -root_pos.x(), -root_pos.y())
    arr = QtCore.QByteArray()
    buf = QtCore.QBuffer(arr)
    svg = QtSvg.QSvgGenerator()
    svg.setOutputDevice(buf)
    svg.setResolution(int(QtGui.QGuiApplication.primaryScreen().logicalDotsPerInchX()))
    p = QtGui.QPainter()
    p.begin(svg)
    if hasattr(item, "setExportMode"):
        item.setExportMode(True, {"painter": p})
    try:
        p.setTransform(tr)
        opt = QtWidgets.QStyleOptionGraphicsItem()
        if item.flags() & QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption:
            opt.exposedRect = item.boundingRect()
        item.paint(p, opt, None)
    finally:
        p.end()
    return arr.data()
