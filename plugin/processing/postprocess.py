"""Layer post-processors that style an output when Processing loads it."""

from qgis.core import QgsProcessingLayerPostProcessorInterface


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
