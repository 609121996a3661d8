"""What every algorithm of the provider repeats, as QGIS core's algorithms share a base class.

A subclass sets ``NAME`` and ``GROUP_ID``, and gives ``displayName``, ``shortHelpString``
(their tr() literals stay in the subclass, where tools/i18n.py finds them),
``initAlgorithm`` and ``process``: the body of ``processAlgorithm``, which may raise
CropMaskError (its message becomes the QgsProcessingException) or CropMaskCancelled.
"""

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException

from ..dependencies import CORE, missing_core
from ..domain.errors import CropMaskCancelled, CropMaskError
from ..qgis.i18n import tr
from .icons import plugin_icon


def group_names():
    """The provider's groups: id -> translated name."""
    return {"cropmasks": tr("Crop masks"), "areas": tr("Crop areas"), "data": tr("Data")}


def missing_packages_message(missing):
    """What to tell the user when QGIS's Python lacks the packages ``missing`` (names)."""
    return tr(
        "Crop Confidence needs the Python package(s) {names}, which QGIS's Python lacks: "
        "crop masks and fetches cannot run. Install them into QGIS's Python, then restart "
        "QGIS: on Windows with OSGeo4W Setup (Advanced Install, package(s) {system}); on "
        "Debian or Ubuntu with: sudo apt install {system}; elsewhere from QGIS's Python "
        'console with: import pip; pip.main(["install", "--user", {pip}]).'
    ).format(
        names=", ".join(missing),
        system=" ".join(f"python3-{name}" for name in missing),
        pip=", ".join(f'"{name}"' for name in missing),
    )


class CropConfidenceAlgorithm(QgsProcessingAlgorithm):
    NAME = ""  # the algorithm id within the provider
    GROUP_ID = ""  # a key of group_names()
    REQUIRES = CORE  # the packages of dependencies.CORE its run imports (checked by canExecute)

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

    def canExecute(self):
        """False, with what to install, when QGIS's Python lacks a package of REQUIRES: the
        Processing dialog and the modeller then say so instead of failing in an import."""
        missing = tuple(name for name in missing_core() if name in self.REQUIRES)
        if missing:
            return False, missing_packages_message(missing)
        return True, ""

    def processAlgorithm(self, parameters, context, feedback):
        try:
            return self.process(parameters, context, feedback)
        except ModuleNotFoundError as error:
            if (error.name or "").partition(".")[0] not in CORE:
                raise
            missing = missing_core() or (error.name.partition(".")[0],)
            raise QgsProcessingException(missing_packages_message(missing)) from None
        except CropMaskCancelled:
            raise QgsProcessingException(self.cancelled_message()) from None
        except CropMaskError as error:
            raise QgsProcessingException(str(error)) from None

    def process(self, parameters, context, feedback):
        raise NotImplementedError
