"""A one-time code asked of the user on the main thread, from a worker thread or from the main
thread itself (the dock's fetch task, a Processing run in the toolbox, a model)."""

import threading

from qgis.PyQt.QtCore import QCoreApplication, QObject, Qt, QThread, pyqtSignal, pyqtSlot
from qgis.PyQt.QtWidgets import QInputDialog, QLineEdit

from .i18n import tr


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
