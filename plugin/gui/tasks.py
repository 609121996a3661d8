"""Background work for the dock: QgsTask around a plain function."""

from qgis.core import Qgis, QgsMessageLog, QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..domain.errors import CropMaskCancelled


class FunctionTask(QgsTask):
    """Runs ``function(task)`` in QGIS's task manager; ``done(task)`` runs on the main thread.

    After it ends, ``task.result`` holds the value, or ``task.error`` the exception;
    ``task.cancelled_by_user`` tells a cancel apart.
    """

    status = pyqtSignal(str)  # short progress messages from the worker (queued to the GUI)

    def __init__(self, description, function, done):
        super().__init__(description, QgsTask.Flag.CanCancel)
        self.function = function
        self.done = done
        self.result = None
        self.error = None
        self.cancelled_by_user = False

    def run(self):
        try:
            self.result = self.function(self)
        except CropMaskCancelled:
            self.cancelled_by_user = True
            return False
        except Exception as error:  # noqa: BLE001 (reported on the main thread)
            self.error = error
            return False
        return True

    def finished(self, ok):  # noqa: ARG002
        if self.isCanceled():
            self.cancelled_by_user = True
        self.done(self)


LOG_TAG = "Crop Confidence"


def task_log(task):
    """A log(text) for work running in ``task``: to the QGIS log and the task's status."""

    def log(text):
        QgsMessageLog.logMessage(text, LOG_TAG, Qgis.MessageLevel.Info)
        task.status.emit(text)

    return log
