"""Background work for the dock: QgsTask around a plain function."""

from qgis.core import Qgis, QgsMessageLog, QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..domain.errors import CropMaskCancelled
from ..net.http import closing_sessions


class FunctionTask(QgsTask):
    """Runs ``function(task)`` in QGIS's task manager; ``done(task)`` runs on the main thread.

    After it ends, ``task.result`` holds the value, or ``task.error`` the exception;
    ``task.cancelled_by_user`` tells a cancel apart.

    An error ends the task as completed, not failed: ``done`` tells the user what happened in
    the dock, and QGIS adds no "Task failed" notice over that message. Every HTTP session the
    function makes (net.http.make_session) is closed when it returns.
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
            with closing_sessions():
                self.result = self.function(self)
        except CropMaskCancelled:
            self.cancelled_by_user = True
            return False
        except Exception as error:  # noqa: BLE001 (reported by done() on the main thread)
            self.error = error
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
