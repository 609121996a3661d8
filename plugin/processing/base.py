"""What every algorithm of the provider repeats, as QGIS core's algorithms share a base class.

A subclass sets ``NAME`` and ``GROUP_ID``, and gives ``displayName``, ``shortHelpString``
(their tr() literals stay in the subclass, where tools/i18n.py finds them),
``initAlgorithm`` and ``process``: the body of ``processAlgorithm``, which may raise
CropMaskError (its message becomes the QgsProcessingException) or CropMaskCancelled.
"""

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException

from ..domain.errors import CropMaskCancelled, CropMaskError
from ..qgis.i18n import tr
from .icons import plugin_icon


def group_names():
    """The provider's groups: id -> translated name."""
    return {"cropmasks": tr("Crop masks"), "areas": tr("Crop areas"), "data": tr("Data")}


class CropConfidenceAlgorithm(QgsProcessingAlgorithm):
    NAME = ""  # the algorithm id within the provider
    GROUP_ID = ""  # a key of group_names()

    def name(self):
        return self.NAME

    def group(self):
        return group_names()[self.GROUP_ID]

    def groupId(self):
        return self.GROUP_ID

    def icon(self):
        return plugin_icon()

    def createInstance(self):
        return type(self)()

    def cancelled_message(self):
        """Said when the run is cancelled."""
        return tr("Cancelled: no output was written.")

    @staticmethod
    def callbacks(feedback):
        """The progress and cancel callbacks of the pure layers, from Processing's feedback."""
        return {
            "progress": lambda fraction: feedback.setProgress(100 * fraction),
            "is_cancelled": feedback.isCanceled,
        }

    def processAlgorithm(self, parameters, context, feedback):
        try:
            return self.process(parameters, context, feedback)
        except CropMaskCancelled:
            raise QgsProcessingException(self.cancelled_message()) from None
        except CropMaskError as error:
            raise QgsProcessingException(str(error)) from None

    def process(self, parameters, context, feedback):
        raise NotImplementedError
