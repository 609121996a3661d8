"""The dock widget. Search and fetch arrive with issue 4; this is an honest placeholder."""

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QDockWidget, QLabel, QVBoxLayout, QWidget

from ..i18n import tr


class CropConfidenceDock(QDockWidget):
    def __init__(self, parent=None):
        super().__init__(tr("Crop Confidence"), parent)
        self.setObjectName("CropConfidenceDock")
        body = QWidget(self)
        layout = QVBoxLayout(body)
        note = QLabel(
            tr(
                "Search and download of CLMS Crop Types and CNES OSO are not available yet.\n\n"
                "To make a crop mask from layers you already have, use the Processing "
                "toolbox: Crop Confidence > Confidence-filtered crop mask."
            ),
            body,
        )
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(note)
        self.setWidget(body)
