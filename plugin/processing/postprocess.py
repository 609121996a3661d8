"""Layer post-processors that style an output when Processing loads it, and what they
name it and where they put it in the layer tree."""

import os

from qgis.core import QgsProcessingLayerPostProcessorInterface, QgsProject

from ..domain import products
from ..qgis.i18n import tr


class OneShotPostProcessor(QgsProcessingLayerPostProcessorInterface):
    """A post-processor kept alive until Processing has used it, then let go.

    Processing holds no reference of its own (setPostProcessor does not take ownership), so
    Python keeps each one in ``pending`` from ``create()`` until ``postProcessLayer`` ran:
    the set holds only the outputs not loaded yet, instead of growing with every run.
    """

    pending = set()

    @classmethod
    def create(cls, *arguments):
        instance = cls(*arguments)
        OneShotPostProcessor.pending.add(instance)
        return instance

    def postProcessLayer(self, layer, context, feedback):  # noqa: ARG002
        OneShotPostProcessor.pending.discard(self)
        if layer is not None and layer.isValid():
            self.style(layer)

    def style(self, layer):
        raise NotImplementedError


class MaskStylePostProcessor(OneShotPostProcessor):
    """Styles the output layer when Processing loads it, from the mask_tags.CropMaskSettings
    the output was made with."""

    def __init__(self, settings, name=None):
        super().__init__()
        self.settings, self.name = settings, name

    def style(self, layer):
        from ..qgis import styles  # its tables need numpy: not at start-up

        layer.setRenderer(styles.crop_mask_renderer(layer, self.settings))
        if self.name:
            layer.setName(self.name)
        bring_to_top(layer)
        layer.triggerRepaint()


def short_product_name(product):
    """'CTY', 'CTYCL' or 'OSO': the product in a layer name ('' for Custom)."""
    from ..domain import products  # its tables need numpy: not at start-up

    if products.FAMILY.get(product) == products.OSO:
        return "OSO"
    kinds = products.LAYER_STYLES.get(product, {})
    return kinds.get(products.CLASS, kinds.get(products.CONFIDENCE, "")).upper()


def year_in(paths):
    """The first year a file name among ``paths`` carries ('CTY_2021_…', '…_S2021_…'), or
    None."""
    for path in paths:
        year = products.year_in_name(os.path.basename(path or ""))
        if year is not None:
            return year
    return None


def mask_layer_name(product, year, min_confidence):
    """'Crop mask CTY 2021 ≥ 70 %' (in the UI language): the product, the year when known and
    the threshold the mask was made with."""
    words = [tr("Crop mask"), short_product_name(product), str(year) if year else ""]
    return " ".join(word for word in words if word) + f" ≥ {min_confidence} %"


def bring_to_top(layer):
    """Move ``layer``'s node to the top of its group when that group is itself drawn on top
    (every group above it first in its parent), else to the top of the layer tree: the new
    layer is drawn above everything, whatever the current node was when it was added."""
    root = QgsProject.instance().layerTreeRoot()
    node = root.findLayer(layer.id())
    if node is None:
        return
    parent = target = node.parent()
    group = parent
    while group is not None and group != root:
        above = group.parent()
        if above is None or above.children().index(group) != 0:
            target = root
            break
        group = above
    if target == parent and parent.children().index(node) == 0:
        return
    target.insertChildNode(0, node.clone())  # first: a layer out of the tree leaves the project
    parent.removeChildNode(node)
