"""Background work for the dock: QgsTask around a plain function, and prompts from workers."""

import threading

from qgis.core import QgsTask
from qgis.PyQt.QtCore import QCoreApplication, QObject, Qt, QThread, pyqtSignal, pyqtSlot
from qgis.PyQt.QtWidgets import QInputDialog, QLineEdit

from ..core.errors import CropMaskCancelled
from ..i18n import tr


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


class MainThreadPrompt(QObject):
    """Asks the user for a one-time code on the main thread, from a worker thread or from the
    main thread itself. Made without a parent in a worker (a Processing run), it moves itself
    to the main thread."""

    asked = pyqtSignal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._answer = None
        self._ready = threading.Event()
        main_thread = QCoreApplication.instance().thread()
        if parent is None and self.thread() != main_thread:
            self.moveToThread(main_thread)
        self.asked.connect(self._ask, Qt.ConnectionType.QueuedConnection)

    def __call__(self, message=None, uncertain=False):
        """Blocks the calling worker until the user answers; returns the code or None.

        ``uncertain``: the login was refused and a missing code is only one possible cause."""
        if message is None and uncertain:
            message = tr(
                "CDSE refused the login. If your Copernicus account uses two-factor "
                "authentication, enter its one-time code; otherwise cancel, then check the "
                "user name and password."
            )
        message = message or tr("One-time code of your Copernicus account:")
        if QThread.currentThread() == self.thread():
            self._ask(message)  # already on the main thread: waiting would block it
            return self._answer
        self._ready.clear()
        self.asked.emit(message)
        self._ready.wait()
        return self._answer

    @pyqtSlot(str)
    def _ask(self, message):
        code, ok = QInputDialog.getText(
            self.parent(),
            tr("Copernicus two-factor authentication"),
            message,
            QLineEdit.EchoMode.Normal,
        )
        self._answer = code.strip() if ok and code.strip() else None
        self._ready.set()
